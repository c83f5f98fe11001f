import { describe, expect, it, vi } from 'vitest';
import { MetricCache } from '../../src/cache/metric-cache.js';
import { DrainBuffer } from '../../src/cache/drain-buffer.js';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { stats } from '../../src/instrumentation/counters.js';
import { NameInterner } from '../../src/protocol/name-interner.js';

/** The spec's example (carbon.md §6.2): m1[300], m2[100,101,102], m3[200,201], m4[50], m5[400,401]. */
function exampleCache(strategy: string, opts: { minTimestampLag?: number; now?: () => number } = {}): MetricCache {
  const c = new MetricCache({ strategy, ...opts });
  const input: [string, number[]][] = [
    ['m1', [300]],
    ['m2', [100, 101, 102]],
    ['m3', [200, 201]],
    ['m4', [50]],
    ['m5', [400, 401]],
  ];
  for (const [name, tss] of input) for (const ts of tss) c.store(name, ts, ts / 10);
  return c;
}

function drainOrder(c: MetricCache): string[] {
  const out: string[] = [];
  for (;;) {
    const d = c.drainNext();
    if (!d) break;
    out.push(d.metric);
  }
  return out;
}

describe('MetricCache write strategies (carbon drain order)', () => {
  it.each([
    ['sorted', ['m2', 'm5', 'm3', 'm4', 'm1']],
    ['max', ['m2', 'm3', 'm5', 'm1', 'm4']],
    ['naive', ['m5', 'm4', 'm3', 'm2', 'm1']],
    ['timesorted', ['m4', 'm2', 'm3', 'm1', 'm5']],
    ['bucketmax', ['m1', 'm2', 'm3', 'm4', 'm5']],
  ])('%s', (strategy, expected) => {
    const c = exampleCache(strategy);
    expect(drainOrder(c)).toEqual(expected);
    expect(c.size).toBe(0);
    expect(c.queues).toBe(0);
  });

  it('random drains every metric exactly once', () => {
    const c = exampleCache('random');
    expect(drainOrder(c).sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('timesorted with MIN_TIMESTAMP_LAG only drains old enough metrics, then ends the pass', () => {
    const c = exampleCache('timesorted', { minTimestampLag: 150, now: () => 400 });
    // now − oldest > 150: m4 (50), m2 (100), m3 (200)? 400-200=200 yes; m1 300 → 100 no; m5 no.
    expect(drainOrder(c)).toEqual(['m4', 'm2', 'm3']);
    expect(c.queues).toBe(2);
  });

  it('sorted keeps its snapshot across stores: new metrics wait for the next snapshot', () => {
    const c = exampleCache('sorted');
    expect(c.drainNext()!.metric).toBe('m2');
    c.store('big', 1, 1);
    c.store('big', 2, 1);
    c.store('big', 3, 1);
    c.store('big', 4, 1);
    expect(drainOrder(c)).toEqual(['m5', 'm3', 'm4', 'm1', 'big']);
  });
});

describe('MetricCache storage', () => {
  it('duplicates overwrite in place and do not grow the size', () => {
    const c = new MetricCache();
    c.store('a', 10, 1);
    c.store('a', 20, 2);
    c.store('a', 10, 3);
    expect(c.size).toBe(2);
    const d = c.getDatapoints('a')!;
    expect([...d.timestamps]).toEqual([10, 20]);
    expect([...d.values]).toEqual([3, 2]);
  });

  it('getDatapoints is insertion order, pop is timestamp order', () => {
    const c = new MetricCache();
    const ts = [5, 3, 9, 1, 7, 2, 8, 4, 6, 10, 0];
    for (const t of ts) c.store('a', t, t * 2);
    expect([...c.getDatapoints('a')!.timestamps]).toEqual(ts);
    expect(c.getDatapoints('missing')).toBeUndefined();
    const p = c.pop('a')!;
    expect([...p.timestamps]).toEqual([...ts].sort((x, y) => x - y));
    expect([...p.values]).toEqual([...ts].sort((x, y) => x - y).map((t) => t * 2));
    expect(c.size).toBe(0);
    expect(c.pop('a')).toBeUndefined();
  });

  it('keeps many series apart and reuses freed storage', () => {
    const c = new MetricCache({ strategy: 'naive' });
    for (let round = 0; round < 3; round++) {
      for (let s = 0; s < 3000; s++) for (let p = 0; p < 7; p++) c.store(`s.${s}`, 1000 + p, s * 100 + p + round);
      expect(c.size).toBe(21000);
      const buf = new DrainBuffer();
      let seen = 0;
      while (c.drainNextInto(buf) !== null) seen++;
      expect(seen).toBe(3000);
      for (let m = 0, off = 0; m < buf.metrics; m++) {
        const s = Number(buf.names[m].slice(2));
        expect(buf.counts[m]).toBe(7);
        for (let p = 0; p < 7; p++) {
          expect(buf.timestamps[off + p]).toBe(1000 + p);
          expect(buf.values[off + p]).toBe(s * 100 + p + round);
        }
        off += 7;
      }
    }
  });

  it('storeBatch normalises tagged names', () => {
    const c = new MetricCache();
    const b = new MetricBatch();
    b.push('x;b=2;a=1', 1, 100);
    b.push('~y', 2, 100);
    b.push('bad;=', 3, 100);
    c.storeBatch(b);
    expect([...c.names()]).toEqual(['x;a=1;b=2', 'y', 'bad;=']);
  });
});

describe('MetricCache size limit and flow control', () => {
  it('drops new points when full, still overwrites duplicates, registers the name, resumes below 95%', () => {
    const onFull = vi.fn();
    const onSpace = vi.fn();
    const c = new MetricCache({ maxSize: 20, onFull, onSpaceAvailable: onSpace });
    stats.reset();
    for (let i = 0; i < 20; i++) c.store(`m${i}`, 1, i);
    expect(c.isFull).toBe(true);
    c.store('m0', 1, 99); // duplicate: allowed
    expect(c.getDatapoints('m0')!.values[0]).toBe(99);
    expect(onFull).not.toHaveBeenCalled();
    c.store('new', 2, 1);
    c.store('new', 3, 1);
    expect(onFull).toHaveBeenCalledTimes(1);
    expect(stats.get('cache.overflow')).toBe(2);
    expect(c.size).toBe(20);
    expect(c.queues).toBe(21); // carbon's quirk: an empty entry for the dropped metric
    expect(c.countOf('new')).toBe(0);
    c.pop('m0'); // 19 = 95% of 20: not below
    expect(onSpace).not.toHaveBeenCalled();
    c.pop('m1'); // 18 < 19
    expect(onSpace).toHaveBeenCalledTimes(1);
    expect(c.tooFull).toBe(false);
    // The empty entry drains with no points.
    const buf = new DrainBuffer();
    expect(c.popInto('new', buf)).toBe(0);
    expect(buf.metrics).toBe(1);
  });
});

describe('MetricCache exact timestamps and re-added series', () => {
  it('returns every timestamp exactly as stored, including ones a uint32 cannot hold', () => {
    const c = new MetricCache();
    const odd = [1_700_000_000, 1_700_000_000.5, -60, -0, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 0.25, 1e-300, 4_000_000_000];
    for (const [i, ts] of odd.entries()) c.store('m', ts, i);
    c.store('m', Number.NaN, 99);
    const d = c.getDatapoints('m')!;
    expect(Array.from(d.timestamps.subarray(0, odd.length))).toEqual(odd);
    expect(Object.is(d.timestamps[3], -0)).toBe(true);
    expect(Number.isNaN(d.timestamps[odd.length])).toBe(true);
    // A duplicate of a wide timestamp overwrites it (and 0 would overwrite -0: equal dict keys in Python).
    c.store('m', 1_700_000_000.5, 42);
    expect(c.countOf('m')).toBe(odd.length + 1);
    expect(c.getDatapoints('m')!.values[1]).toBe(42);
    // Freed wide slots are reused cleanly by ordinary timestamps.
    c.pop('m');
    for (let i = 0; i < 12; i++) c.store('n', 100 + i, i);
    expect(Array.from(c.pop('n')!.timestamps)).toEqual(Array.from({ length: 12 }, (_, i) => 100 + i));
  });

  it('a drained series that comes back goes to the end of the insertion order, as in a dict', () => {
    const c = new MetricCache({ strategy: 'naive' });
    for (const name of ['a', 'b', 'c']) c.store(name, 60, 1);
    c.pop('a');
    expect(c.has('a')).toBe(false);
    expect(c.countOf('a')).toBe(0);
    expect(c.getDatapoints('a')).toBeUndefined();
    expect(c.queues).toBe(2);
    c.store('a', 120, 2);
    expect([...c.names()]).toEqual(['b', 'c', 'a']);
    expect(c.firstName()).toBe('b');
    expect(Array.from(c.pop('a')!.timestamps)).toEqual([120]);
  });

  it('forgets idle series once they far outnumber the cached ones, and keeps serving', () => {
    const c = new MetricCache();
    const n = 120_000;
    for (let i = 0; i < n; i++) c.store(`s${i}`, 60, i);
    const out = new DrainBuffer(1024, 4096);
    while (c.drainNextInto(out) !== null) if (out.points > 50_000) out.clear();
    expect(c.queues).toBe(0);
    expect(c.size).toBe(0);
    c.store('s5', 120, 7);
    c.store('fresh', 180, 8);
    expect([...c.names()]).toEqual(['s5', 'fresh']);
    expect(Array.from(c.pop('s5')!.values)).toEqual([7]);
  });
});

describe('MetricCache rows kept in the receivers’ name slots', () => {
  it('stores exactly what the plain path stores, through slot reuse, row reuse, tagged names and drains', () => {
    // A tiny interner evicts names all the time and an idle sweep every few drains reuses rows, so
    // every stale-tag case happens: the fast path must never put a point in another name's row.
    const interner = new NameInterner(16, 16);
    const fast = new MetricCache({ strategy: 'naive', nameSlots: interner, idleSweepMin: 3 });
    const plain = new MetricCache({ strategy: 'naive', idleSweepMin: 3 });
    const pool = Array.from({ length: 60 }, (_, i) => (i % 10 === 0 ? `t${i};b=${i % 3};a=1` : `m${i % 7}.s${i}`));
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const drained = (c: MetricCache) => {
      const out: string[] = [];
      for (let k = rand(40); k > 0; k--) {
        const d = c.drainNext();
        if (d === null) break;
        out.push(`${d.metric} ${[...d.timestamps].join(',')} ${[...d.values].join(',')}`);
      }
      return out;
    };
    let fastHits = 0;
    for (let round = 0; round < 400; round++) {
      const a = new MetricBatch(64);
      const b = new MetricBatch(64);
      for (let k = 0; k < 20; k++) {
        const name = pool[rand(pool.length)];
        const bytes = Buffer.from(name, 'latin1');
        const slot = interner.slotOf(bytes, 0, bytes.length);
        if (interner.tagOf(slot) > 0) fastHits++;
        const ts = 1000 + rand(50);
        a.pushNamed(interner.nameAt(slot), slot, round * 100 + k, ts);
        b.push(name, round * 100 + k, ts);
      }
      fast.storeBatch(a);
      plain.storeBatch(b);
      expect(fast.size).toBe(plain.size);
      // The same pseudo-random drain length for both.
      const s = seed;
      const x = drained(fast);
      seed = s;
      expect(x).toEqual(drained(plain));
    }
    expect(fastHits).toBeGreaterThan(100);
    expect([...fast.names()]).toEqual([...plain.names()]);
  });
});
