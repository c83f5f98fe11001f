import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricBatch } from '../../src/pipeline/batch.js';
import type { Destination, Router } from '../../src/pipeline/route/destination.js';

export function destination(port: number, instance: string | null = 'a', host = '127.0.0.1'): Destination {
  return { host, port, instance, key: `${host}:${port}:${instance ?? 'None'}` };
}

/** Sends every metric to all the given destinations (or, with `byName`, picks one per name). */
export function fixedRouter(dests: Destination[], byName = false): Router {
  const all = dests as readonly Destination[];
  const single = dests.map((d) => [d] as readonly Destination[]);
  return {
    getDestinations(metric: string) {
      if (!byName) return all;
      let h = 0;
      for (let i = 0; i < metric.length; i++) h = (h * 31 + metric.charCodeAt(i)) >>> 0;
      return single[h % single.length]!;
    },
  };
}

/** Points numbered from `first`: name `test.s<k % series>`, ts = 1e9 + k, value = k. */
export function numberedBatch(first: number, count: number, series = 10): MetricBatch {
  const b = new MetricBatch(count);
  for (let k = first; k < first + count; k++) b.push(`test.s${k % series}`, k, 1_000_000_000 + k);
  return b;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

/** Values (the point numbers) seen, asserting none came twice. */
export function valuesOnce(points: { value: number }[]): { values: number[]; duplicates: number } {
  const seen = new Set<number>();
  let duplicates = 0;
  for (const p of points) {
    if (seen.has(p.value)) duplicates++;
    seen.add(p.value);
  }
  return { values: [...seen].sort((a, b) => a - b), duplicates };
}

export function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}
