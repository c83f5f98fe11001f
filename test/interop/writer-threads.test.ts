/**
 * WRITER_THREADS: several I/O workers, each owning the series of some directories. Every point is
 * written, each file by one thread only, and metadata requests go to the file's owner. Needs dist/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheWriter } from '../../src/cache/cache-writer.js';
import { MetricCache } from '../../src/cache/metric-cache.js';
import { Counters } from '../../src/instrumentation/counters.js';
import { fetch } from '../../src/whisper/api.js';
import { defaultWhisperOptions } from '../helpers/writer-options.js';

const root = mkdtempSync(join(tmpdir(), 'carbon-ts-writer-threads-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writer threads', () => {
  it('three threads write every point, each directory by one thread, and answer metadata for their own files', async () => {
    const dataDir = join(root, 'whisper');
    mkdirSync(dataDir, { recursive: true });
    const cache = new MetricCache({ strategy: 'sorted' });
    const counters = new Counters();
    const writer = new CacheWriter({
      cache,
      counters,
      whisper: { ...defaultWhisperOptions(dataDir), backendModule: resolve('test/interop/writer-threads-backend.mjs') },
      matchSchema: () => ({ name: 't', archives: [[60, 1000]] }),
      matchAggregation: (m) => (m.endsWith('.max') ? { name: 'max', aggregationMethod: 'max' } : undefined),
      writerThreads: 3,
      idleMs: 10,
    });
    const now = Math.floor(Date.now() / 1000);
    const base = now - (now % 60) - 3600;
    const names: string[] = [];
    for (let d = 0; d < 30; d++) for (let s = 0; s < 10; s++) names.push(`app${d}.host.s${s}${s % 3 === 0 ? '.max' : ''}`);
    writer.start();
    // Two rounds: the second updates files the first created.
    for (let round = 0; round < 2; round++) {
      for (let p = 0; p < 5; p++) for (const [i, name] of names.entries()) cache.store(name, base + (round * 5 + p) * 60, i + p);
      await writer.flush();
    }
    expect(counters.get('committedPoints')).toBe(names.length * 10);
    expect(counters.get('errors')).toBe(0);
    for (const [i, name] of names.entries()) {
      const got = fetch(join(dataDir, `${name.replaceAll('.', '/')}.wsp`), base - 60, base + 600);
      expect(got!.values.slice(0, 10)).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4].map((p) => i + p));
    }
    const meta = await writer.getMetadata('app7.host.s3.max', 'aggregationMethod');
    expect(meta).toEqual({ value: 'max' });
    await writer.stop();

    const owners = new Map<string, Set<string>>();
    for (const line of readFileSync(join(root, 'threads.log'), 'utf8').trim().split('\n')) {
      const [thread, path] = line.split(' ');
      if (!owners.has(dirname(path))) owners.set(dirname(path), new Set());
      owners.get(dirname(path))!.add(thread);
    }
    expect([...owners.keys()].sort()).toEqual([...new Set(names.map((n) => dirname(join(dataDir, n.replaceAll('.', '/')))))].sort());
    for (const threads of owners.values()) expect(threads.size).toBe(1);
    const used = new Set([...owners.values()].flatMap((t) => [...t]));
    expect(used.size).toBe(3);
  });
});
