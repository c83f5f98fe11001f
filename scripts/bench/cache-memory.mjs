// Memory cost of the MetricCache itself (run with --expose-gc by cache.mjs): heap + typed-array
// bytes per cached series (beyond its name) and per cached point.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'dist');
const { MetricCache } = await import(join(dist, 'cache', 'metric-cache.js'));

// Allocated bytes (JS heap + typed-array stores, including the growth slack of the arena) or, with
// --rss, resident bytes (only pages the cache touched).
const useRss = process.argv.includes('--rss');
function used() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return useRss ? m.rss : m.heapUsed + m.arrayBuffers;
}

/**
 * Bytes of `copies` caches each filled with `series` × `points`, per cache. Several copies make the
 * cost of 10,000 series (~1 MB) stand out of the heap's own movement between two measurements
 * (±0.25 MB, which moved a single fill's per-series figure by ±25 bytes).
 */
function measure(series, points, copies) {
  const names = Array.from({ length: series }, (_, s) => `bench.g${s % 100}.s${s}`);
  const baseline = used();
  const caches = [];
  const base = 1_700_000_000;
  for (let c = 0; c < copies; c++) {
    const cache = new MetricCache();
    for (let p = 0; p < points; p++) for (let s = 0; s < series; s++) cache.store(names[s], base + p * 60, s + p);
    if (cache.size !== series * points) throw new Error('size mismatch');
    caches.push(cache);
  }
  const total = (used() - baseline) / copies;
  return { total, caches };
}

if (!process.argv.includes('--no-header')) {
  console.log('| series × points | measured as | bytes per series (excl. name) + per point | total MB |');
  console.log('|---|---|---|---:|');
}
for (const [series, points] of [
  [100000, 5],
  [10000, 100],
]) {
  // Two fills separate the per-series and per-point costs: same series, 1 point vs `points` points.
  const copies = Math.max(1, Math.round(100_000 / series));
  const one = measure(series, 1, copies).total;
  const { total } = measure(series, points, copies);
  const perPoint = (total - one) / (series * (points - 1));
  const perSeries = one / series - perPoint;
  console.log(`| ${series} × ${points} | ${useRss ? 'resident (RSS)' : 'allocated'} | ${perSeries.toFixed(1)} B/series + ${perPoint.toFixed(1)} B/point | ${(total / 2 ** 20).toFixed(1)} |`);
}
