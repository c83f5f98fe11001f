/** The writer survives its I/O worker dying: the batch in flight is lost and counted, the rest is written. Needs dist/. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheWriter } from '../../src/cache/cache-writer.js';
import { MetricCache } from '../../src/cache/metric-cache.js';
import { Counters } from '../../src/instrumentation/counters.js';
import { defaultWhisperOptions } from '../helpers/writer-options.js';

const root = mkdtempSync(join(tmpdir(), 'carbon-ts-writer-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writer worker crash', () => {
  it.each([1, 2])('restarts the worker and keeps writing (%i writer threads)', async (threads) => {
    const dir = mkdtempSync(join(root, 'data-'));
    const cache = new MetricCache({ strategy: 'naive' });
    const counters = new Counters();
    const writer = new CacheWriter({
      cache,
      counters,
      whisper: {
        ...defaultWhisperOptions(dir),
        sparseCreate: true,
        backendModule: resolve('test/interop/writer-crash-backend.mjs'),
      },
      matchSchema: () => ({ name: 't', archives: [[60, 100]] }),
      idleMs: 20,
      writerThreads: threads,
    });
    const now = Math.floor(Date.now() / 1000);
    writer.start();
    cache.store('crash.me', now, 1);
    await new Promise((r) => setTimeout(r, 500));
    cache.store('after.other', now, 2);
    cache.store('after.ok', now, 3);
    for (let i = 0; i < 20; i++) cache.store(`spread${i}.x`, now, i);
    await writer.flush();
    await writer.stop();
    expect(existsSync(join(dir, 'after', 'ok.wsp'))).toBe(true);
    expect(existsSync(join(dir, 'after', 'other.wsp'))).toBe(true);
    for (let i = 0; i < 20; i++) expect(existsSync(join(dir, `spread${i}`, 'x.wsp'))).toBe(true);
    expect(counters.get('errors')).toBeGreaterThanOrEqual(1);
  });
});
