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

function measure(series, points) {
  const names = Array.from({ length: series }, (_, s) => `bench.g${s % 100}.s${s}`);
  const baseline = used();
  const cache = new MetricCache();
  const base = 1_700_000_000;
  for (let p = 0; p < points; p++) for (let s = 0; s < series; s++) cache.store(names[s], base + p * 60, s + p);
  const total = used() - baseline;
  if (cache.size !== series * points) throw new Error('size mismatch');
  return { total, cache };
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
  const one = measure(series, 1).total;
  const { total } = measure(series, points);
  const perPoint = (total - one) / (series * (points - 1));
  const perSeries = one / series - perPoint;
  console.log(`| ${series} × ${points} | ${useRss ? 'resident (RSS)' : 'allocated'} | ${perSeries.toFixed(1)} B/series + ${perPoint.toFixed(1)} B/point | ${(total / 2 ** 20).toFixed(1)} |`);
}
