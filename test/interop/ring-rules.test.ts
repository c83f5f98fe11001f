import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRelayRules } from '../../src/config/relay-rules.js';
import { parseDestinations } from '../../src/pipeline/route/parse-destination.js';
import { RulesRouter } from '../../src/pipeline/route/rules-router.js';

// Random relay-rules.conf files and names routed by carbon's RelayRulesRouter (Debian
// graphite-carbon) and by carbon-ts: the same destinations, in the same order, for every name.
const PYTHON = '/usr/bin/python3';
const hasCarbon = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import carbon.routers'], { cwd: '/' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'ring-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROUTE_PY = `
import json, sys
from carbon.relayrules import loadRelayRules
from carbon.routers import RelayRulesRouter
from carbon.util import parseDestinations
doc = json.load(sys.stdin)
router = RelayRulesRouter({'relay-rules': doc['rules']})
dests = parseDestinations(doc['destinations'])
for d in dests:
    router.addDestination(d)
out = []
for name in doc['names']:
    seen = []
    for d in router.getDestinations(name):
        if d not in seen:
            seen.append(d)
    out.append(['%s:%d:%s' % d for d in seen])
json.dump(out, sys.stdout)
`;

const rnd = (n: number): number => Math.floor(Math.random() * n);
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];
const PATTERNS = ['^servers\\.', 'cpu', '\\.load$', '^(prod|dev)\\.', 'WEB0[12]', '^stats\\.(?P<kind>counters|timers)\\.', '[0-9]{2}', 'é', '\\bapi\\b', 'x|y'];
const WORDS = ['servers', 'prod', 'dev', 'web01', 'WEB02', 'cpu', 'load', 'stats', 'counters', 'timers', 'api', 'été', 'x', 'y', 'n42'];
const POOL = ['10.0.0.1:2004:a', '10.0.0.2:2004:b', '10.0.0.3:2004', '10.0.0.4:2104:c', '10.0.0.9:2004:z'];

describe.skipIf(!hasCarbon)('relay rules against carbon.routers.RelayRulesRouter, live', () => {
  for (let round = 0; round < 3; round++) {
    it(`random rules file #${round}`, () => {
      const configured = POOL.slice(0, 4); // 10.0.0.9 appears in rules but not in DESTINATIONS
      const sections: string[] = [];
      const ruleCount = 1 + rnd(6);
      for (let i = 0; i < ruleCount; i++) {
        const dests = Array.from({ length: 1 + rnd(3) }, () => pick(POOL));
        sections.push(`[rule${i}]\npattern = ${pick(PATTERNS)}\ndestinations = ${dests.join(', ')}\n${rnd(2) ? `continue = ${pick(['true', 'yes', 'off', '1'])}\n` : ''}`);
      }
      sections.splice(rnd(sections.length + 1), 0, `[default]\ndefault = true\ndestinations = ${pick(configured)}\n`);
      const rulesPath = join(dir, `rules-${round}.conf`);
      writeFileSync(rulesPath, sections.join('\n'));
      const names = Array.from({ length: 500 }, () => Array.from({ length: 1 + rnd(5) }, () => pick(WORDS)).join('.'));
      const res = spawnSync(PYTHON, ['-c', ROUTE_PY], {
        input: JSON.stringify({ rules: rulesPath, destinations: configured, names }),
        encoding: 'utf8',
        cwd: '/',
        timeout: 60_000,
      });
      expect(res.stderr).toBe('');
      const expected = JSON.parse(res.stdout) as string[][];
      const router = new RulesRouter(loadRelayRules(rulesPath), parseDestinations(configured));
      const mismatches = names
        .map((n, i) => ({ n, got: router.getDestinations(n).map((d) => d.key), want: expected[i] }))
        .filter((x) => x.got.join() !== x.want.join());
      expect(mismatches.slice(0, 3)).toEqual([]);
    });
  }
});
