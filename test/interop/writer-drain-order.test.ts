/**
 * Drain order and cache contents against the real carbon/cache.py (graphite-carbon, run by
 * /usr/bin/python3): the same random interleaving of stores (with duplicates, out-of-order
 * timestamps and a size limit) and drains goes through both caches, and every drained metric,
 * its points, the size and the number of queues after each drain must agree.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MetricCache } from '../../src/cache/metric-cache.js';

const DRIVER = String.raw`
import sys, json
from carbon.conf import settings
spec = json.load(sys.stdin)
settings.MAX_CACHE_SIZE = spec['max'] if spec['max'] is not None else float('inf')
settings.CACHE_SIZE_LOW_WATERMARK = settings.MAX_CACHE_SIZE * 0.95
settings.LOG_CACHE_QUEUE_SORTS = False
settings.MIN_TIMESTAMP_LAG = 0
from carbon import cache, state, instrumentation, log
state.instrumentation = instrumentation
log.msg = lambda *a, **k: None
strategies = {'sorted': cache.SortedStrategy, 'max': cache.MaxStrategy, 'naive': cache.NaiveStrategy, 'timesorted': cache.TimeSortedStrategy}
c = cache._MetricCache(strategies.get(spec['strategy']))
out = []
for op in spec['ops']:
    if op[0] == 's':
        c.store(op[1], (op[2], op[3]))
    else:
        m, pts = c.drain_metric()
        out.append([m, [list(p) for p in pts], c.size, len(c)])
print(json.dumps(out))
`;

type Op = ['s', string, number, number] | ['d'];

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeOps(seed: number, n: number): Op[] {
  const r = rng(seed);
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) {
    if (r() < 0.25) ops.push(['d']);
    else ops.push(['s', `m${Math.floor(r() * 25)}`, 1000 + Math.floor(r() * 40) * 10, Math.floor(r() * 1000) / 4]);
  }
  for (let i = 0; i < 60; i++) ops.push(['d']);
  return ops;
}

function runOurs(strategy: string, max: number | null, ops: Op[]): unknown[] {
  const c = new MetricCache({ strategy, maxSize: max ?? Infinity });
  const out: unknown[] = [];
  for (const op of ops) {
    if (op[0] === 's') c.store(op[1], op[2], op[3]);
    else {
      // carbon's drain_metric: (None, []) when empty or when the strategy yields None.
      const d = c.queues === 0 ? null : c.drainNext();
      if (!d) out.push([null, [], c.size, c.queues]);
      else out.push([d.metric, Array.from(d.timestamps, (t, i) => [t, d.values[i]]), c.size, c.queues]);
    }
  }
  return out;
}

describe('MetricCache drain order = carbon/cache.py', () => {
  for (const strategy of ['sorted', 'max', 'naive', 'timesorted', 'bucketmax']) {
    for (const max of [null, 30]) {
      it(`${strategy}, MAX_CACHE_SIZE=${max ?? 'inf'}`, () => {
        for (const seed of [1, 2, 3]) {
          const ops = makeOps(seed * 7919 + strategy.length, 400);
          const spec = { strategy, max, ops };
          const theirs = JSON.parse(execFileSync('/usr/bin/python3', ['-c', DRIVER], { input: JSON.stringify(spec) }).toString());
          expect(runOurs(strategy, max, ops)).toEqual(theirs);
        }
      });
    }
  }
});
