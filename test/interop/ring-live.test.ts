import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/pipeline/route/create-router.js';
import { HashingRouter } from '../../src/pipeline/route/hashing-router.js';
import { parseDestinations } from '../../src/pipeline/route/parse-destination.js';
import { relayName } from '../../src/pipeline/route/tag-normalizing-router.js';

// Fresh random names and ring shapes each run, routed by Debian graphite-carbon's carbon.routers
// (through scripts/gen-ring-fixtures.py --route-json) and by carbon-ts; every name must agree.
const PYTHON = '/usr/bin/python3';
const GENERATOR = join(import.meta.dirname, '../../scripts/gen-ring-fixtures.py');
const hasCarbon = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import carbon.routers'], { cwd: '/' }).status === 0;

const rnd = (n: number): number => Math.floor(Math.random() * n);
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];
const PIECES = ['servers', 'web01', 'cpu', 'load', 'prod', 'applications', 'api', 'www01', 'all', 'requests', 'latency', 'stats', 'count', 'x'];
const ODD = ['é', '中', '😀', "'", '"', '\\', '~', ':', '=', '\u00a0', '\u200b', '\x7f'];

function randomName(): string {
  const parts = Array.from({ length: 1 + rnd(6) }, () => pick(PIECES) + (rnd(3) === 0 ? String(rnd(100)) : ''));
  if (rnd(8) === 0) parts[rnd(parts.length)] += pick(ODD);
  let name = parts.join('.');
  if (rnd(6) === 0) name += `;${pick(PIECES)}=${pick(PIECES)}`;
  if (rnd(12) === 0) name += `;${pick(['a', 'z', 'b.c', 'x'])}=${pick(['1', '~bad', '', 'v=w'])}`;
  if (rnd(20) === 0) name = '~' + name;
  return name;
}

function randomDestinations(): string[] {
  const hosts = ['10.0.0.1', '10.0.0.2', '10.0.0.3', 'cache-a', "o'neil", 'h"x', 'é-host', '[::1]'];
  const instances = [null, 'a', 'b', 'c', 'd', '1', 'é', "it's", ''];
  const out: string[] = [];
  const used = new Set<string>();
  const count = 1 + rnd(8);
  for (let tries = 0; out.length < count && tries < 100; tries++) {
    const host = pick(hosts);
    const instance = pick(instances);
    const id = `${host}|${instance}`;
    if (used.has(id)) continue;
    used.add(id);
    out.push(`${host}:${2004 + rnd(3) * 100}${instance === null ? '' : ':' + instance}`);
  }
  return out;
}

interface LiveShape {
  RELAY_METHOD: string;
  ROUTER_HASH_TYPE: string | null;
  REPLICATION_FACTOR: number;
  DIVERSE_REPLICAS: boolean;
  DESTINATIONS: string[];
  TAG_RELAY_NORMALIZED: boolean;
}

describe.skipIf(!hasCarbon)('rings against the installed carbon.routers, live', () => {
  it('agree on random names and shapes', () => {
    const names = [...new Set(Array.from({ length: 3000 }, randomName))];
    const shapes: LiveShape[] = Array.from({ length: 24 }, () => ({
      RELAY_METHOD: pick(['consistent-hashing', 'consistent-hashing', 'fast-hashing', 'aggregated-consistent-hashing', 'fast-aggregated-hashing']),
      ROUTER_HASH_TYPE: pick([null, 'carbon_ch', 'fnv1a_ch', 'mmh3_ch']),
      REPLICATION_FACTOR: 1 + rnd(3),
      DIVERSE_REPLICAS: rnd(2) === 0,
      DESTINATIONS: randomDestinations(),
      TAG_RELAY_NORMALIZED: rnd(4) === 0,
    }));
    const res = spawnSync(PYTHON, [GENERATOR, '--route-json'], {
      input: JSON.stringify({ names, shapes }),
      encoding: 'utf8',
      cwd: '/',
      timeout: 120_000,
      maxBuffer: 64 << 20,
    });
    expect(res.stderr).toBe('');
    const results = JSON.parse(res.stdout) as Array<{ routes: string | null; aggregates: Record<string, string[]> }>;
    let compared = 0;
    shapes.forEach((shape, s) => {
      const { routes, aggregates } = results[s];
      if (routes === null) return; // fast ring with tied node hashes: carbon's order is unspecified
      const destinations = parseDestinations(shape.DESTINATIONS);
      // Python reports the aggregates of the name it routed (normalised with TAG_RELAY_NORMALIZED)
      const routed = (n: string): string => (shape.TAG_RELAY_NORMALIZED ? relayName(n) : n);
      const aggregateMap = new Map(Object.entries(aggregates).map(([i, a]) => [routed(names[Number(i)]), a]));
      const router = createRouter({ ...shape, DESTINATIONS: destinations, aggregateNamesOf: (m) => aggregateMap.get(m) ?? [] });
      const expected = routes.split(',');
      const mismatches: string[] = [];
      names.forEach((name, i) => {
        let want = Array.from(expected[i], (c) => parseInt(c, 36));
        if (!(router instanceof HashingRouter)) want = [...new Set(want)]; // the relay sends once per destination
        let got =
          router instanceof HashingRouter ? router.selectNodes(name) : router.getDestinations(name).map((d) => destinations.indexOf(d));
        if (shape.RELAY_METHOD.includes('aggregated')) got = [...got].sort((a, b) => a - b);
        if (got.join() !== want.join()) mismatches.push(`${JSON.stringify(name)}: got ${got} want ${want}`);
        compared++;
      });
      expect(mismatches.slice(0, 3), JSON.stringify(shape)).toEqual([]);
    });
    expect(compared).toBeGreaterThan(names.length * 10);
  });
});
