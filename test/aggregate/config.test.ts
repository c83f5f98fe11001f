import { describe, expect, it } from 'vitest';
import { AggregationRulesConfigError, compileAggregationRules, parseAggregationRules } from '../../src/config/aggregation-rules.js';
import { requiredLiterals } from '../../src/pipeline/aggregate/literal-prefilter.js';
import { NameMemo } from '../../src/pipeline/aggregate/name-memo.js';
import { AggregationRule } from '../../src/pipeline/aggregate/rule.js';
import { AggregationRuleSet } from '../../src/pipeline/aggregate/rule-set.js';

describe('aggregation-rules.conf parsing', () => {
  it('parses carbon grammar, comments, blank lines and frequency parentheses', () => {
    const defs = parseAggregationRules('# c\n\n  a.<x> (60) = sum a.<x>.*  \nb ((10 = avg b.*\r\nc 5) = p999 c.*\n');
    expect(defs.map((d) => [d.outputPattern, d.frequency, d.method, d.inputPattern, d.line])).toEqual([
      ['a.<x>', 60, 'sum', 'a.<x>.*', 3],
      ['b', 10, 'avg', 'b.*', 4],
      ['c', 5, 'p999', 'c.*', 5],
    ]);
  });

  it('splits at the first = only', () => {
    expect(parseAggregationRules('a (1) = sum x=y')[0].inputPattern).toBe('x=y');
  });

  it.each([
    ['no equals sign', 'a (60) sum b', /no '='/],
    ['three tokens on the left', 'a b (60) = sum c', /left of '='/],
    ['one token on the right', 'a (60) = sum', /right of '='/],
    ['non-numeric frequency', 'a (6x) = sum b', /frequency/],
  ])('rejects %s with file and line', (_what, line, reason) => {
    try {
      parseAggregationRules(`# first\n${line}\n`, '/etc/carbon/aggregation-rules.conf');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AggregationRulesConfigError);
      expect((err as Error).message).toMatch(/^\/etc\/carbon\/aggregation-rules\.conf:2: /);
      expect((err as Error).message).toMatch(reason);
    }
  });

  it('rejects an unknown method or a bad regex with file and line', () => {
    expect(() => compileAggregationRules(parseAggregationRules('\na (60) = median b.*', 'r.conf'), 'r.conf')).toThrow(
      /^r\.conf:2: Invalid aggregation method 'median'/,
    );
    expect(() => compileAggregationRules(parseAggregationRules('a (60) = sum b.(*', 'r.conf'), 'r.conf')).toThrow(/^r\.conf:1: .*regex/);
  });
});

describe('rule prefilter', () => {
  it('finds literal prefixes and required parts conservatively', () => {
    expect(requiredLiterals('prod\\.applications\\.(?P<app>[^.]+?)\\.[^.]+\\.requests$')).toEqual({
      prefix: 'prod.applications.',
      required: ['prod.applications.', '.', '.requests'],
    });
    expect(requiredLiterals('ab?c').prefix).toBe('a');
    expect(requiredLiterals('ab+c')).toEqual({ prefix: 'ab', required: ['ab', 'c'] });
    expect(requiredLiterals('a{2}b').prefix).toBe('');
    expect(requiredLiterals('a|b')).toEqual({ prefix: '', required: [] });
    expect(requiredLiterals('(?i)abc')).toEqual({ prefix: '', required: [] });
  });

  it('gives the same answers as walking every rule, in file order', () => {
    const texts = [
      'p.<a>.all (10) = sum p.<a>.*',
      '<e>.total (10) = sum <e>.x.*.y',
      'q.sum (10) = sum q*.z',
      'all (10) = count <<n>>',
      'p.x.again (10) = max p.x.*',
    ];
    const rules = texts.map((t, i) => {
      const m = /^(\S+) \((\d+)\) = (\S+) (\S+)$/.exec(t)!;
      return new AggregationRule({ outputPattern: m[1], frequency: Number(m[2]), method: m[3], inputPattern: m[4] }, i);
    });
    const set = new AggregationRuleSet(rules);
    for (const name of ['p.x.y', 'p.x', 'a.x.b.y', 'q.z', 'qq.z', 'zz', 'p.x.x.y']) {
      const brute = rules.map((r) => r.aggregateNameFor(name)).filter((n) => n !== null);
      expect(set.plan(name).aggregateNames).toEqual(brute);
    }
  });
});

describe('rule index at scale', () => {
  it('regex-tests a name against only the rules its first node and literals allow', () => {
    const rules: AggregationRule[] = [];
    for (let i = 0; i < 1000; i++) {
      rules.push(new AggregationRule({ outputPattern: `svc${i}.<e>.all`, frequency: 60, method: 'sum', inputPattern: `svc${i}.<e>.*.requests` }, i));
    }
    rules.push(new AggregationRule({ outputPattern: 'any.<e>', frequency: 60, method: 'sum', inputPattern: '<e>.*.latency' }, 1000));
    const set = new AggregationRuleSet(rules);
    expect(set.candidates('svc7.prod.h1.requests').map((r) => r.index)).toEqual([7]);
    expect(set.candidates('svc7.prod.h1.latency').map((r) => r.index)).toEqual([1000]);
    expect(set.candidates('unknown.x.y')).toEqual([]);
    expect(set.plan('svc7.prod.h1.requests').aggregateNames).toEqual(['svc7.prod.all']);
  });
});

describe('name memo (CACHE_METRIC_NAMES_MAX / _TTL)', () => {
  it('is an LRU of MAX entries, expiring after TTL', () => {
    let now = 0;
    const m = new NameMemo<number>(2, 10, () => now);
    m.set('a', 1);
    m.set('b', 2);
    m.get('a');
    m.set('c', 3); // evicts b, the least recently used
    expect([m.get('a'), m.get('b'), m.get('c')]).toEqual([1, undefined, 3]);
    now = 11;
    expect(m.get('a')).toBeUndefined();
  });
  it('keeps every name when MAX is 0 (up to a safety cap)', () => {
    const m = new NameMemo<number>(0, 5);
    for (let i = 0; i < 1000; i++) m.set(`n${i}`, i);
    expect(m.size).toBe(1000);
  });
});

describe('prefilter never changes a decision (random rules and names)', () => {
  it('matches brute force over every rule', () => {
    let s = 99;
    const rand = () => (s = (s * 48271) % 2147483647) / 2147483647;
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const segments = ['a', 'b', 'ab', '*', 'a*', '*b', '<f>', 'x<f>y', '<<g>>', 'a?b', '[ab]', '\\d', '(a|b)', 'a+', 'b{2}', 'a\\', '1'];
    const rules: AggregationRule[] = [];
    for (let i = 0; i < 300; i++) {
      const parts = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(segments));
      const input = parts.join('.');
      const usesF = parts.some((p) => p.includes('<f>'));
      const usesG = parts.some((p) => p.includes('<<g>>'));
      if (parts.filter((p) => p.includes('<f>')).length > 1 || parts.filter((p) => p.includes('<<g>>')).length > 1) continue;
      const output = ['out', usesF ? '<f>' : 'x', usesG ? '<g>' : 'y'].join('.');
      try {
        rules.push(new AggregationRule({ outputPattern: output, frequency: 10, method: 'sum', inputPattern: input }, rules.length));
      } catch {
        /* a pattern Python would also refuse */
      }
    }
    expect(rules.length).toBeGreaterThan(200);
    const set = new AggregationRuleSet(rules);
    const alphabet = ['a', 'b', '1', '.', 'x', 'y', 'ab', 'bb', '\\'];
    let matched = 0;
    for (let i = 0; i < 3000; i++) {
      const name = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => pick(alphabet)).join('');
      const brute = rules.map((r) => r.aggregateNameFor(name)).filter((n) => n !== null);
      expect(set.plan(name).aggregateNames, name).toEqual(brute);
      if (brute.length > 0) matched++;
    }
    expect(matched).toBeGreaterThan(300);
  });
});
