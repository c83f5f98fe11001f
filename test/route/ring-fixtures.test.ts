import { gunzipSync } from 'node:zlib';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/pipeline/route/create-router.js';
import { parseDestinations } from '../../src/pipeline/route/parse-destination.js';
import { HashingRouter } from '../../src/pipeline/route/hashing-router.js';
import { AggregatedHashingRouter } from '../../src/pipeline/route/aggregated-router.js';

// Fixtures written by scripts/gen-ring-fixtures.py from Debian graphite-carbon's own routers.
const dir = join(import.meta.dirname, '../fixtures/rings');

interface Shape {
  shape: string;
  RELAY_METHOD: string;
  ROUTER_HASH_TYPE: string | null;
  REPLICATION_FACTOR: number;
  DIVERSE_REPLICAS: boolean;
  DESTINATIONS: string[];
  orderIsSet: boolean;
  routes: string;
  aggregates: Record<string, string[]>;
}

const names = gunzipSync(readFileSync(join(dir, 'names.txt.gz'))).toString('utf8').split('\n');
const shapes: Shape[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json.gz'))
  .sort()
  .map((f) => JSON.parse(gunzipSync(readFileSync(join(dir, f))).toString('utf8')) as Shape);

describe('ring fixtures from carbon.routers', () => {
  it('cover enough names and shapes', () => {
    expect(names.length).toBeGreaterThanOrEqual(10_000);
    expect(shapes.length).toBeGreaterThanOrEqual(20);
  });

  for (const shape of shapes) {
    it(`${shape.shape}: every name routes as carbon routes it`, () => {
      const destinations = parseDestinations(shape.DESTINATIONS);
      const aggregatesByName = new Map<string, string[]>();
      for (const [i, agg] of Object.entries(shape.aggregates)) aggregatesByName.set(names[Number(i)], agg);
      const router = createRouter({
        RELAY_METHOD: shape.RELAY_METHOD,
        DESTINATIONS: destinations,
        REPLICATION_FACTOR: shape.REPLICATION_FACTOR,
        DIVERSE_REPLICAS: shape.DIVERSE_REPLICAS,
        ROUTER_HASH_TYPE: shape.ROUTER_HASH_TYPE,
        TAG_RELAY_NORMALIZED: false,
        aggregateNamesOf: (m) => aggregatesByName.get(m) ?? [],
      });
      const expected = shape.routes.split(',');
      expect(expected.length).toBe(names.length);
      const mismatches: string[] = [];
      names.forEach((name, i) => {
        const want = Array.from(expected[i], (c) => parseInt(c, 36));
        let got: number[];
        if (router instanceof HashingRouter) {
          // raw carbon yield order, duplicates (single-node quirk) included
          got = router.selectNodes(name);
        } else {
          got = router.getDestinations(name).map((d) => destinations.indexOf(d));
        }
        if (shape.orderIsSet) got = [...got].sort((a, b) => a - b);
        if (got.join() !== want.join() && mismatches.length < 5) mismatches.push(`${JSON.stringify(name)}: got ${got} want ${want}`);
        // the memoised, deduplicated answer agrees with the raw one
        const deduped = [...new Set(want)];
        const viaMemo = router.getDestinations(name).map((d) => destinations.indexOf(d));
        if (!shape.orderIsSet && viaMemo.join() !== deduped.join() && mismatches.length < 5) {
          mismatches.push(`${JSON.stringify(name)} (memo): got ${viaMemo} want ${deduped}`);
        }
      });
      expect(mismatches).toEqual([]);
      if (shape.orderIsSet) expect(router).toBeInstanceOf(AggregatedHashingRouter);
    });
  }
});
