import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenarioInCarbonTs, type Scenario, type ScenarioResult } from '../aggregate/scenario-runner.js';

/**
 * The same timed input streams through Debian's carbon aggregator classes (driven with a Twisted
 * task.Clock) and through carbon-ts with a FakeClock: every generated and forwarded point
 * (name, timestamp, value, time of emission) must agree.
 */
const DRIVER = new URL('../aggregate/fixtures/python-aggregator-driver.py', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'carbon-ts-agg-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const METHODS = ['sum', 'avg', 'min', 'max', 'count', 'p50', 'p75', 'p80', 'p90', 'p95', 'p99', 'p999'];

function rulesText(frequency: number): string {
  const lines = METHODS.map((m) => `<env>.applications.<app>.all.${m} (${frequency}) = ${m} <env>.applications.<app>.*.${m}`);
  lines.push(`<prefix>.total.requests (${frequency * 2}) = sum <<prefix>>.host*.requests`);
  // carbon loses every point this rule meets (KeyError in the template); so must we
  lines.push(`<nope>.broken (${frequency}) = sum <x>.broken`);
  lines.push(`# a comment`);
  lines.push(`prod.applications.api.all.sum (${frequency}) = count prod.applications.api.all.sum`);
  lines.push(`clusters.<c>.avg ((${frequency})) = avg clusters.<c>.web\\d{2}.load`);
  // raw regex, a <<field>> in mid-segment, a second rule feeding an existing aggregate with another frequency
  lines.push(`clusters.<c>.max (${frequency * 3}) = max clusters.<c>.web(0[1-5]|1\\d).load`);
  lines.push(`mid.<m>.sum (${frequency}) = sum a.x<<m>>y.requests`);
  lines.push(`clusters.<c>.avg (${frequency * 4}) = p90 clusters.<c>.db*.load`);
  return lines.join('\n') + '\n';
}

const REWRITE = `[pre]
^staging\\. = prod.
\\.web(\\d+)\\. = .host\\1.
[post]
\\.requests$ = .reqs
^(\\w+)\\.applications = \\g<1>.apps
`;

/** Park–Miller minimal standard generator: deterministic, so a failing seed can be replayed. */
function rng(seed: number): () => number {
  let s = (seed % 2147483646) + 1;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

function makeScenario(seed: number, frequency: number, settings: Scenario['settings'], reloads = false) {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const start = 1_700_000_000 + Math.floor(r() * 1000);
  let now = start;
  const events: Scenario['events'] = [];
  const names = [
    ...METHODS.flatMap((m) => [`prod.applications.api.www01.${m}`, `prod.applications.api.www02.${m}`, `dev.applications.db.x.${m}`]),
    'prod.applications.api.all.sum',
    'a.b.host1.requests',
    'a.b.host22.requests',
    'staging.x.web3.requests',
    'clusters.east.web07.load',
    'clusters.east.web7.load',
    'clusters.west.web12.load',
    'clusters.east.db3.load',
    'a.xq.ry.requests',
    'a.x.y.requests',
    'unmatched.metric',
    'some.broken',
  ];
  for (let step = 0; step < 40; step++) {
    const points: [string, number, number][] = [];
    const n = 1 + Math.floor(r() * 12);
    for (let i = 0; i < n; i++) {
      const kind = r();
      // mostly current, some out of order within a few intervals, some very late
      const lag = kind < 0.7 ? r() * frequency : kind < 0.92 ? r() * frequency * 4 : frequency * (5 + r() * 10);
      const ts = r() < 0.2 ? now - lag : Math.floor(now - lag);
      const value = r() < 0.5 ? Math.floor(r() * 100) - 20 : Math.round(r() * 1e6) / 1000;
      points.push([pick(names), ts, value]);
    }
    if (reloads) points.push(['prod.applications.api.www03.sum', Math.floor(now), step]);
    events.push({ points });
    if (reloads) events.push(...reloadEventsAt(step, frequency));
    const adv = r() < 0.3 ? frequency * (1 + Math.floor(r() * 3)) : Math.floor(r() * frequency * 0.7) + r();
    events.push({ advance: adv });
    now += adv;
  }
  events.push({ advance: frequency * 20 });
  const rules = join(dir, `rules-${seed}.conf`);
  const rewrite = join(dir, `rewrite-${seed}.conf`);
  return { rules, rewrite, settings, start, events, initial: { rules: rulesText(frequency), rewrite: REWRITE } };
}

/**
 * Rule-file edits during the stream: picked up at carbon's next 10 s poll; an aggregation reload
 * drops every buffer, a rewrite re-read replaces only the sections present, a missing rewrite file
 * clears both sets, and a bad aggregation file stops all further reloads.
 */
function reloadEventsAt(step: number, frequency: number): Scenario['events'] {
  switch (step) {
    case 8:
      return [{ write: 'rules', text: rulesText(frequency * 2).split('\n').slice(3).join('\n') }];
    case 14:
      return [{ write: 'rewrite', text: '[post]\n\\.sum$ = .SUM\n' }];
    case 20:
      return [{ remove: 'rewrite' }];
    case 26:
      return [{ write: 'rules', text: 'this line is not a rule\n' }];
    case 30:
      return [{ write: 'rules', text: rulesText(frequency) }];
    default:
      return [];
  }
}

/** Each implementation starts from the original files (a scenario may edit or remove them). */
function resetFiles(s: Scenario & { initial: { rules: string; rewrite: string } }): void {
  writeFileSync(s.rules, s.initial.rules);
  writeFileSync(s.rewrite!, s.initial.rewrite);
}

function runPython(s: Scenario): ScenarioResult {
  const res = spawnSync('/usr/bin/python3', [DRIVER], { input: JSON.stringify(s), encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) throw new Error(`python driver failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as ScenarioResult;
}

const CASES: { name: string; frequency: number; settings: Scenario['settings']; reloads?: boolean }[] = [
  { name: 'defaults', frequency: 10, settings: {} },
  { name: 'MAX_AGGREGATION_INTERVALS=2', frequency: 5, settings: { MAX_AGGREGATION_INTERVALS: 2 } },
  { name: 'WRITE_BACK_FREQUENCY=3', frequency: 10, settings: { WRITE_BACK_FREQUENCY: 3 } },
  { name: 'FORWARD_ALL=False', frequency: 60, settings: { FORWARD_ALL: false } },
  { name: 'CACHE_METRIC_NAMES_MAX=3, TTL=20', frequency: 15, settings: { CACHE_METRIC_NAMES_MAX: 3, CACHE_METRIC_NAMES_TTL: 20 } },
  { name: 'rule files edited mid-stream', frequency: 10, settings: {}, reloads: true },
];

describe('aggregator vs Python carbon.aggregator', () => {
  for (const c of CASES) {
    for (const seed of [1, 2, 3]) {
      it(`${c.name}, seed ${seed}: same generated and forwarded points`, () => {
        const scenario = makeScenario(seed * 7919 + c.frequency, c.frequency, c.settings, c.reloads);
        resetFiles(scenario);
        const py = runPython(scenario);
        resetFiles(scenario);
        const ts = runScenarioInCarbonTs(scenario);
        expect(py.generated.length).toBeGreaterThan(0);
        expect(ts.forwarded).toEqual(py.forwarded);
        expect(ts.generated).toEqual(py.generated);
        expect(ts.lost).toBe(py.lost);
        if (c.reloads) {
          // the edits took effect: [post] was replaced by the .SUM rule, then cleared with the file
          expect(py.forwarded.some(([n]) => n.endsWith('.SUM'))).toBe(true);
          expect(py.forwarded.some(([n]) => n.includes('.apps.'))).toBe(true);
          expect(py.forwarded.at(-1)![0]).not.toMatch(/\.apps\.|\.SUM$|\.reqs$/);
        }
      });
    }
  }
});
