import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/daemon.js';

// `carbon-ts route --program aggregator`: rewrite results, the aggregation rules a name feeds, and where
// the forwarded point and each aggregate go.
const dir = mkdtempSync(join(tmpdir(), 'route-agg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const conf = join(dir, 'carbon.conf');
const DESTS = ['10.0.0.1:2004:a', '10.0.0.2:2004:b', '10.0.0.3:2004:c'];
writeFileSync(conf, `[aggregator]\nDESTINATIONS = ${DESTS.join(', ')}\n\n[aggregator-cache]\n`);
writeFileSync(join(dir, 'aggregation-rules.conf'), '<env>.applications.<app>.all.requests (60) = sum <env>.applications.<app>.*.requests\n<env>.all.<rest> (10) = max <env>.*.<<rest>>\n');
writeFileSync(join(dir, 'rewrite-rules.conf'), '[pre]\n^legacy\\.(\\w+)\\. = \\1.\n\n[post]\n\\.requests$ = .reqs\n');

const route = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, 'route', '--config', conf, '--json', ...args], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; destinations: string[]; explanation: Array<{ stage: string; summary: string; detail?: Record<string, unknown> }> });
};

describe('carbon-ts route for the aggregator', () => {
  it('shows rewrite:pre, the aggregates a name feeds, rewrite:post and the destinations of each output', () => {
    const [r] = route(['--program', 'aggregator', 'legacy.prod.applications.api.web01.requests']);
    const stages = r!.explanation.map((s) => s.stage);
    expect(stages.slice(0, 4)).toEqual(['rewrite:pre', 'aggregation', 'rewrite:post', 'forward']);
    expect(r!.explanation[0]!.summary).toContain('prod.applications.api.web01.requests');
    const aggregates = (r!.explanation[1]!.detail!.aggregates as Array<{ output: string; method: string }>).map((a) => [a.output, a.method]);
    expect(aggregates).toEqual([['prod.applications.api.all.requests', 'sum'], ['prod.all.api.web01.requests', 'max']]);
    // The raw point leaves as rewritten by [post]; the aggregates bypass rewrite:post, as in carbon.
    expect(r!.explanation[3]!.summary).toContain('prod.applications.api.web01.reqs');
    const aggRoutes = r!.explanation.filter((s) => s.stage === 'aggregate-route').map((s) => s.detail!.aggregate);
    expect(aggRoutes).toEqual(['prod.applications.api.all.requests', 'prod.all.api.web01.requests']);
    expect(r!.destinations).toHaveLength(1);
  });

  it('says when a raw point is not forwarded because its name is its own aggregate', () => {
    const [r] = route(['--program', 'aggregator', 'prod.applications.api.all.requests']);
    expect(r!.destinations).toEqual([]);
    expect(r!.explanation.some((s) => s.stage === 'forward' && s.summary.includes('not forwarded'))).toBe(true);
  });

  it('for aggregator-cache, names the aggregates and that everything is written locally', () => {
    const [r] = route(['--program', 'aggregator-cache', 'prod.applications.api.web01.requests']);
    expect(r!.destinations).toEqual([]);
    expect(r!.explanation.at(-1)!.stage).toBe('write');
  });
});
