import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRewriteRules } from '../../src/config/rewrite-rules.js';
import { RewriteRuleSet } from '../../src/pipeline/rewrite/rewrite-set.js';

/**
 * A rewrite-rules.conf read by carbon's own RewriteRuleManager and applied by RewriteProcessor
 * (Python re.sub) to a corpus of names, against carbon-ts's parser and rule sets.
 */
const dir = mkdtempSync(join(tmpdir(), 'carbon-ts-rewrite-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RULES = String.raw`# carbon-style rewrite rules
[pre]
^collectd\.([a-z0-9]+)\. = servers.\1.
\.cpu-(\d+)\. = .cpu.\1.
_sum$ =
(?P<dc>east|west)-(?P<n>\d+) = \g<dc>\g<n>
\.\.+ = .
[post]
^servers\. = srv.
(?i)REQUESTS = reqs
\.(\w)\w* = .\g<1>
x* = -
[ignored]
.* = nope
`;

const NAMES = [
  'collectd.web01.cpu-0.idle',
  'collectd.WEB01.cpu-12.user_sum',
  'app.east-3.requests_sum',
  'app..double...dots',
  'servers.x.Requests.count',
  'plain',
  '',
  'a.b.c.d.e.f.g',
  'west-10.west-11.latency_sum_sum',
  'ünïcödé.wörld.requests',
  'x.xx.yxy',
];

function python(rules: string, names: string[]): { pre: string[]; post: string[] } {
  const script = String.raw`
import json, sys
from carbon import log
log.err = lambda *a, **k: None
from carbon.rewrite import RewriteRuleManager, RewriteProcessor, PRE, POST
RewriteRuleManager.read_from(sys.argv[1])
names = json.load(sys.stdin)
def apply(ruleset, n):
    return [m for m, _ in RewriteProcessor(ruleset).process(n, (0, 0))][0]
json.dump({"pre": [apply(PRE, n) for n in names], "post": [apply(POST, n) for n in names]}, sys.stdout)
`;
  const f = join(dir, 'rewrite-rules.conf');
  writeFileSync(f, rules);
  const res = spawnSync('/usr/bin/python3', ['-c', script, f], { input: JSON.stringify(names), encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout) as { pre: string[]; post: string[] };
}

describe('rewrite rules vs carbon RewriteRuleManager + Python re.sub', () => {
  it('gives the same names for [pre] and [post] over a corpus', () => {
    const py = python(RULES, NAMES);
    const parsed = parseRewriteRules(RULES);
    expect(parsed.rejected).toEqual([]);
    const pre = new RewriteRuleSet(parsed.sections.get('pre')!);
    const post = new RewriteRuleSet(parsed.sections.get('post')!);
    expect(NAMES.map((n) => pre.apply(n))).toEqual(py.pre);
    expect(NAMES.map((n) => post.apply(n))).toEqual(py.post);
  });

  it('agrees on generated names with randomly chosen rules', () => {
    const patterns: [string, string][] = [
      ['\\.', '_'],
      ['^([^.]+)\\.([^.]+)', '\\2.\\1'],
      ['[aeiou]+', ''],
      ['(\\d+)$', 'n\\1'],
      ['b(?=c)', 'B'],
      ['(?<!a)c', 'C'],
      ['^', 'pfx.'],
      ['$', '.sfx'],
      ['\\bfoo\\b', 'bar'],
      ['(a|b)+', '<\\g<0>>'],
    ];
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['a', 'b', 'c', 'foo', '.', '1', '22', 'x', 'é'];
    const names = Array.from({ length: 200 }, () => Array.from({ length: 1 + Math.floor(rand() * 8) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''));
    for (let round = 0; round < 4; round++) {
      const chosen = Array.from({ length: 4 }, () => patterns[Math.floor(rand() * patterns.length)]);
      const text = '[pre]\n' + chosen.map(([p, r]) => `${p} = ${r}`).join('\n') + '\n';
      const py = python(text, names);
      const set = new RewriteRuleSet(parseRewriteRules(text).sections.get('pre')!);
      expect(names.map((n) => set.apply(n)), text).toEqual(py.pre);
    }
  });
});
