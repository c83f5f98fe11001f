import { describe, expect, it } from 'vitest';
import { parseRewriteRules } from '../../src/config/rewrite-rules.js';
import { RewriteRuleSet } from '../../src/pipeline/rewrite/rewrite-set.js';

describe('rewrite-rules.conf', () => {
  it('parses sections, splits at the first =, strips both sides, allows an empty replacement', () => {
    const p = parseRewriteRules('ignored = x\n[PRE]\n  ^a\\.  =  b.  \n_sum$ =\n[post]\nx=y=z\n');
    expect([...p.sections.keys()]).toEqual(['pre', 'post']);
    expect(p.sections.get('pre')!.map((r) => [r.pattern, r.replacement])).toEqual([
      ['^a\\.', 'b.'],
      ['_sum$', ''],
    ]);
    expect(p.sections.get('post')!.map((r) => [r.pattern, r.replacement])).toEqual([['x', 'y=z']]);
  });

  it('empties a section again when its heading repeats (carbon clears at each heading)', () => {
    const p = parseRewriteRules('[pre]\na = b\n[pre]\nc = d\n');
    expect(p.sections.get('pre')!.map((r) => r.pattern)).toEqual(['c']);
  });

  it('rejects invalid syntax and bad regexes with file, line and reason, keeping the rest', () => {
    const p = parseRewriteRules('[pre]\nno equals here\na(b = c\nx = \\2\nok = fine\n', 'rw.conf');
    expect(p.rejected.map((r) => [r.file, r.line])).toEqual([
      ['rw.conf', 2],
      ['rw.conf', 3],
      ['rw.conf', 4],
    ]);
    expect(p.rejected[0].reason).toMatch(/Invalid syntax/);
    expect(p.rejected[1].reason).toMatch(/Invalid regular expression/);
    expect(p.rejected[2].reason).toMatch(/group reference/);
    expect(p.sections.get('pre')!.map((r) => r.pattern)).toEqual(['ok']);
  });

  it('applies every rule in order with re.sub semantics and back-references', () => {
    const p = parseRewriteRules('[pre]\n^(\\w+)\\.(\\w+) = \\2.\\1\n\\.web(?P<n>\\d+) = .host\\g<n>\nx = \\g<0>\\g<0>\n');
    const set = new RewriteRuleSet(p.sections.get('pre')!);
    expect(set.apply('a.b.web12.x')).toBe('b.a.host12.xx');
    expect(set.apply('a.b.web12.x')).toBe('b.a.host12.xx'); // memoised
    expect(set.steps('a.b.c').map((s) => s.output)).toEqual(['a.b.c', 'b.a.c']);
  });
});
