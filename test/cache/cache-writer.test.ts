import { afterEach, describe, expect, it } from 'vitest';
import { BURST_QUIET_MS, CacheWriter, ownerOf, REFILL_WAKE_MS, type CacheWriterOptions } from '../../src/cache/cache-writer.js';
import { MetricCache } from '../../src/cache/metric-cache.js';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { Counters } from '../../src/instrumentation/counters.js';
import { FakeBackend } from './fake-backend.js';
import { defaultWhisperOptions } from '../helpers/writer-options.js';

const whisper = defaultWhisperOptions('/data');

let writers: CacheWriter[] = [];
afterEach(async () => {
  for (const w of writers) await w.stop();
  writers = [];
});

function setup(extra: Partial<CacheWriterOptions> = {}, strategy = 'sorted') {
  const cache = new MetricCache({ strategy });
  const backend = new FakeBackend();
  const counters = new Counters();
  const writer = new CacheWriter({
    cache,
    whisper,
    matchSchema: (m) => (m.startsWith('fast.') ? { name: 'fast', archives: [[10, 360]] } : undefined),
    matchAggregation: (m) => (m.endsWith('.sum') ? { name: 'sums', xFilesFactor: 0, aggregationMethod: 'sum' } : undefined),
    inlineBackend: backend,
    counters,
    idleMs: 10,
    ...extra,
  });
  writers.push(writer);
  return { cache, backend, counters, writer };
}

describe('CacheWriter', () => {
  it('creates files with the matched schema and writes every point sorted', async () => {
    const { cache, backend, counters, writer } = setup();
    cache.store('fast.a', 30, 3);
    cache.store('fast.a', 10, 1);
    cache.store('slow.b.sum', 10, 5);
    cache.store('t;b=2', 10, 7);
    writer.start();
    await writer.flush();
    const a = backend.files.get('/data/fast/a.wsp')!;
    expect(a.archives).toEqual([[10, 360]]);
    expect([...a.points]).toEqual([
      [10, 1],
      [30, 3],
    ]);
    const b = backend.files.get('/data/slow/b/sum.wsp')!;
    expect(b.archives).toEqual([[60, 10080]]);
    expect(b.aggregationMethod).toBe('sum');
    expect(b.xFilesFactor).toBe(0);
    expect([...backend.files.keys()].some((p) => p.startsWith('/data/_tagged/'))).toBe(true);
    expect(counters.get('committedPoints')).toBe(4);
    expect(counters.get('creates')).toBe(3);
    writer.sampleStats();
    const snap = counters.takeSnapshot();
    expect(snap.get('updateOperations')).toBe(3);
    expect(snap.get('pointsPerUpdate')).toBeCloseTo(4 / 3);
    expect(snap.get('cache.size')).toBe(0);
    expect(snap.get('errors')).toBe(0);
  });

  it('after emptying the cache it idles; a burst stored into the empty cache is written once it pauses', async () => {
    const { cache, backend, writer } = setup({ idleMs: 60_000 });
    writer.start();
    await new Promise((r) => setTimeout(r, 30)); // the first pass finds nothing: idle for a minute
    const batch = new MetricBatch();
    batch.push('fast.late', 1, 10);
    cache.storeBatch(batch);
    const t0 = Date.now();
    while (!backend.files.get('/data/fast/late.wsp')?.points.size && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
    expect([...backend.files.get('/data/fast/late.wsp')!.points]).toEqual([[10, 1]]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(BURST_QUIET_MS - 10);
    expect(Date.now() - t0).toBeLessThan(REFILL_WAKE_MS + 4000); // far below the minute of idleMs
  });

  it('a burst that keeps arriving is written REFILL_WAKE_MS after it began, in one update per series', async () => {
    const { cache, backend, writer } = setup({ idleMs: 60_000 });
    writer.start();
    await new Promise((r) => setTimeout(r, 30));
    const t0 = Date.now();
    let ts = 10;
    // A batch every 10 ms (never BURST_QUIET_MS of quiet) until something is written.
    while (!backend.files.has('/data/fast/burst.wsp') && Date.now() - t0 < 5000) {
      const batch = new MetricBatch();
      batch.push('fast.burst', ts, ts);
      ts += 10;
      cache.storeBatch(batch);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(REFILL_WAKE_MS - 20);
    expect(backend.files.get('/data/fast/burst.wsp')!.updates).toBe(1);
    expect(backend.files.get('/data/fast/burst.wsp')!.points.size).toBeGreaterThan(10);
  });

  it('keeps the points of new series the disk has no room for, retries, and writes existing series meanwhile', async () => {
    const { cache, backend, counters, writer } = setup({ noSpaceRetryMs: 100, idleMs: 20 });
    let full = false;
    const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const create = backend.create.bind(backend);
    backend.create = (path, ...rest) => {
      if (full) {
        backend.calls.push(`create ${path}`);
        throw enospc();
      }
      create(path, ...rest);
    };
    cache.store('fast.old', 10, 1);
    writer.start();
    await writer.flush();
    full = true;
    cache.store('fast.new', 10, 5);
    cache.store('fast.old', 20, 2);
    await new Promise((r) => setTimeout(r, 60));
    cache.store('fast.new', 20, 6); // arrives while the series waits for space
    await new Promise((r) => setTimeout(r, 60));
    expect([...backend.files.get('/data/fast/old.wsp')!.points]).toEqual([[10, 1], [20, 2]]);
    expect(backend.files.has('/data/fast/new.wsp')).toBe(false);
    expect(counters.get('createsNoSpace')).toBeGreaterThanOrEqual(1);
    expect(counters.get('errors')).toBe(0);
    expect(counters.get('droppedCreates')).toBe(0);
    full = false;
    const t0 = Date.now();
    while (!backend.files.has('/data/fast/new.wsp') && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
    await writer.flush();
    expect([...backend.files.get('/data/fast/new.wsp')!.points]).toEqual([[10, 5], [20, 6]]);
  });

  it('at shutdown, new series that still find no space are dropped and counted, and the flush ends', async () => {
    const { cache, backend, counters, writer } = setup({ noSpaceRetryMs: 60_000 });
    backend.create = () => {
      throw Object.assign(new Error('EDQUOT: disk quota exceeded'), { code: 'EDQUOT' });
    };
    cache.store('fast.never', 10, 1);
    writer.start();
    await writer.flush();
    expect(counters.get('droppedCreates')).toBe(1);
    expect(backend.files.size).toBe(0);
  });

  it('without a create limit, creates a new file before its first write (no failed write), and only once', async () => {
    const { cache, backend, writer } = setup();
    cache.store('fast.new', 10, 1);
    cache.store('slow.new', 10, 2);
    writer.start();
    await writer.flush();
    // sorted: equal counts drain last-inserted first.
    expect(backend.calls).toEqual(['create /data/slow/new.wsp', 'update /data/slow/new.wsp 1', 'create /data/fast/new.wsp', 'update /data/fast/new.wsp 1']);
    backend.calls = [];
    cache.store('fast.new', 20, 3);
    await writer.flush();
    expect(backend.calls).toEqual(['update /data/fast/new.wsp 1']);
    // A file removed behind the writer's back is created again from the failed write.
    backend.files.delete('/data/fast/new.wsp');
    backend.calls = [];
    cache.store('fast.new', 30, 4);
    await writer.flush();
    expect(backend.calls).toEqual(['update /data/fast/new.wsp 1', 'create /data/fast/new.wsp', 'update /data/fast/new.wsp 1']);
    expect([...backend.files.get('/data/fast/new.wsp')!.points]).toEqual([[30, 4]]);
  });

  it('files that exist but are new to this writer are written, not created', async () => {
    const { cache, backend, counters, writer } = setup();
    backend.create('/data/old/m.wsp', [[60, 10]], undefined, undefined);
    backend.calls = [];
    cache.store('old.m', 60, 1);
    writer.start();
    await writer.flush();
    // The create is tried (and refused: the file exists), then the points are written.
    expect(backend.calls).toEqual(['create /data/old/m.wsp', 'update /data/old/m.wsp 1']);
    expect([...backend.files.get('/data/old/m.wsp')!.points]).toEqual([[60, 1]]);
    expect(counters.get('creates')).toBe(0);
    expect(counters.get('errors')).toBe(0);
  });

  it('writes points stored after it found the cache empty, without a flush', async () => {
    const { cache, backend, writer } = setup();
    writer.start();
    await new Promise((r) => setTimeout(r, 30));
    cache.store('late.m', 100, 1);
    for (let i = 0; i < 100 && !backend.files.get('/data/late/m.wsp')?.points.size; i++) await new Promise((r) => setTimeout(r, 10));
    expect(backend.files.get('/data/late/m.wsp')?.points.get(100)).toBe(1);
  });

  it('goes back to polling after a flush', async () => {
    const { cache, backend, writer } = setup();
    cache.store('a', 1, 1);
    writer.start();
    await writer.flush();
    cache.store('b', 1, 2);
    for (let i = 0; i < 100 && !backend.files.has('/data/b.wsp'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(backend.files.get('/data/b.wsp')?.points.get(1)).toBe(2);
    cache.store('c', 1, 3);
    await writer.flush();
    expect(backend.files.get('/data/c.wsp')?.points.get(1)).toBe(3);
  });

  it('keeps new series waiting for create tokens instead of dropping them', async () => {
    const { cache, backend, counters, writer } = setup({ maxCreatesPerMinute: 2, maxUpdatesPerSecondOnShutdown: 1000 });
    for (let i = 0; i < 5; i++) cache.store(`new.m${i}`, 100, i);
    writer.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(backend.files.size).toBe(2);
    expect(writer.createQueueSize).toBe(3);
    cache.store('new.m4', 110, 44); // joins its waiting series
    await writer.flush();
    expect(backend.files.size).toBe(5);
    expect([...backend.files.get('/data/new/m4.wsp')!.points]).toEqual([
      [100, 4],
      [110, 44],
    ]);
    expect(counters.get('droppedCreates')).toBe(0);
    expect(counters.get('committedPoints')).toBe(6);
  });

  it('drops points of series it cannot create when the create queue is disabled (carbon)', async () => {
    const { cache, backend, counters, writer } = setup({ maxCreatesPerMinute: 2, createQueueEnabled: false });
    for (let i = 0; i < 5; i++) cache.store(`new.m${i}`, 100, i);
    writer.start();
    await writer.flush();
    expect(backend.files.size).toBe(2);
    expect(counters.get('droppedCreates')).toBe(3);
    expect(counters.get('committedPoints')).toBe(2);
  });

  it('drops beyond CREATE_QUEUE_MAX_SIZE and counts droppedCreates', async () => {
    const { cache, backend, counters, writer } = setup({ maxCreatesPerMinute: 1, createQueueMaxSize: 2, maxUpdatesPerSecondOnShutdown: 100 });
    for (let i = 0; i < 5; i++) cache.store(`new.m${i}`, 100, i);
    writer.start();
    await new Promise((r) => setTimeout(r, 100));
    await writer.flush();
    expect(backend.files.size).toBe(3);
    expect(counters.get('droppedCreates')).toBe(2);
  });

  it('counts errors and keeps writing the other metrics', async () => {
    const { cache, backend, counters, writer } = setup({}, 'naive');
    backend.create('/data/bad.wsp', [[60, 10]], undefined, undefined);
    backend.create('/data/good.wsp', [[60, 10]], undefined, undefined);
    backend.failing.add('/data/bad.wsp');
    cache.store('good', 1, 1);
    cache.store('bad', 1, 1);
    cache.store('good2', 1, 1);
    writer.start();
    await writer.flush();
    expect(counters.get('errors')).toBe(1);
    expect(backend.files.get('/data/good.wsp')!.points.size).toBe(1);
    expect(backend.files.get('/data/good2.wsp')!.points.size).toBe(1);
  });

  it('MAX_UPDATES_PER_SECOND: one token per metric update', async () => {
    const { cache, backend, writer } = setup({ maxUpdatesPerSecond: 3, maxCreatesPerMinute: 1000, maxUpdatesPerSecondOnShutdown: 1000 });
    for (let i = 0; i < 6; i++) cache.store(`m${i}`, 1, 1);
    writer.start();
    await new Promise((r) => setTimeout(r, 50));
    // 3 tokens: 3 metrics went to the I/O side (found missing, then created and written).
    expect(backend.calls.filter((c) => c.startsWith('create')).length).toBe(3);
    await writer.flush();
    expect(backend.files.size).toBe(6);
  });

  it('answers metadata requests through the I/O side', async () => {
    const { backend, writer } = setup();
    backend.create('/data/x/y.wsp', [[60, 10]], undefined, 'max');
    writer.start();
    expect(await writer.getMetadata('x.y', 'aggregationMethod')).toEqual({ value: 'max' });
    expect(await writer.setMetadata('x.y', 'aggregationMethod', 'sum')).toEqual({ old_value: 'max', new_value: 'sum' });
    const bad = await writer.getMetadata('x.y', 'foo');
    expect(String(bad.error)).toContain('Unsupported metadata key "foo"');
    const missing = await writer.getMetadata('no.such', 'aggregationMethod');
    expect(String(missing.error)).toContain('Traceback');
  });
});

describe('CacheWriter with src/config matchers', () => {
  it('takes StorageSchemas.match / StorageAggregation.match as they are', async () => {
    const { parseStorageSchemas } = await import('../../src/config/storage-schemas.js');
    const { parseStorageAggregation } = await import('../../src/config/storage-aggregation.js');
    const schemas = parseStorageSchemas('[carbon]\npattern = ^carbon\\.\nretentions = 60:90d\n\n[all]\npattern = .*\nretentions = 10s:6h,1m:7d\n');
    const aggs = parseStorageAggregation('[max]\npattern = \\.max$\nxFilesFactor = 0.1\naggregationMethod = max\n');
    const { cache, backend, writer } = setup({ matchSchema: (m) => schemas.match(m), matchAggregation: (m) => aggs.match(m) });
    cache.store('carbon.x', 100, 1);
    cache.store('a.max', 100, 1);
    writer.start();
    await writer.flush();
    expect(backend.files.get('/data/carbon/x.wsp')!.archives).toEqual([[60, 129600]]);
    const f = backend.files.get('/data/a/max.wsp')!;
    expect(f.archives).toEqual([
      [10, 2160],
      [60, 10080],
    ]);
    expect(f.aggregationMethod).toBe('max');
    expect(f.xFilesFactor).toBeCloseTo(0.1);
  });
});

describe('ownerOf (WRITER_THREADS partition)', () => {
  it('gives every series of a directory the same thread, tagged series by their whole name, and spreads directories evenly', () => {
    expect(ownerOf('a.b.c', 1)).toBe(0);
    const counts = [0, 0, 0];
    for (let d = 0; d < 3000; d++) {
      const first = ownerOf(`svc${d}.cpu.user`, 3);
      for (const leaf of ['system', 'idle', 'nice']) expect(ownerOf(`svc${d}.cpu.${leaf}`, 3)).toBe(first);
      counts[first]++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(900);
    const tagged = new Set<number>();
    for (let i = 0; i < 50; i++) tagged.add(ownerOf(`cpu.user;host=h${i}`, 2));
    expect(tagged.size).toBe(2);
    expect(ownerOf('nodots', 2)).toBe(ownerOf('nodots', 2));
  });
});
