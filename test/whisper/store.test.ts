// WhisperStore: same bytes as the module-style update_many, bounded open
// files, and it notices files replaced or edited by others.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhisperStore, create, fetch, info, setAggregationMethod, updateMany, type ArchiveSpec } from '../../src/whisper/index.js';

const T0 = 1699999800;
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-store-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const SCHEMA: ArchiveSpec[] = [[10, 60], [60, 60], [600, 30]];

/** Deterministic pseudo-random batches: runs, gaps, duplicates, some future and too-old points. */
function batches(count: number, seed: number): { ts: Float64Array; vs: Float64Array; now: number }[] {
  let state = seed;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const out = [];
  let now = T0;
  for (let b = 0; b < count; b++) {
    now += Math.floor(rnd() * 120);
    const n = 1 + Math.floor(rnd() * 15);
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rnd();
      ts[i] = r < 0.1 && i > 0 ? ts[i - 1] : r < 0.2 ? now + Math.floor(rnd() * 30) : now - Math.floor(rnd() * 20000);
      vs[i] = Math.round(rnd() * 1000) / 10;
    }
    out.push({ ts, vs, now });
  }
  return out;
}

describe('WhisperStore', () => {
  it('writes the same bytes as update_many while keeping at most maxOpenFiles open', () => {
    const store = new WhisperStore({ maxOpenFiles: 3 });
    const files = Array.from({ length: 5 }, (_, i) => i);
    for (const i of files) {
      create(path.join(dir, `lru-ref-${i}.wsp`), SCHEMA.map(([s, p]) => [s, p]), 0.3, 'sum');
      store.create(path.join(dir, `lru-store-${i}.wsp`), SCHEMA, 0.3, 'sum');
    }
    const work = batches(200, 7);
    work.forEach(({ ts, vs, now }, b) => {
      const i = b % files.length;
      updateMany(path.join(dir, `lru-ref-${i}.wsp`), Array.from(ts, (t, k) => [t, vs[k]] as const), now);
      store.updateMany(path.join(dir, `lru-store-${i}.wsp`), ts, vs, ts.length, now);
      expect(store.openFiles).toBeLessThanOrEqual(3);
    });
    for (const i of files) {
      expect(fs.readFileSync(path.join(dir, `lru-store-${i}.wsp`)).equals(fs.readFileSync(path.join(dir, `lru-ref-${i}.wsp`)))).toBe(true);
    }
    const f = path.join(dir, 'lru-store-0.wsp');
    expect(store.fetch(f, T0, T0 + 3000, T0 + 3000)).toEqual(fetch(f, T0, T0 + 3000, T0 + 3000));
    store.closeAll();
    expect(store.openFiles).toBe(0);
  });

  it('createWithPoints writes the bytes of create + update_many, in one write, and keeps the file open', () => {
    const methods = ['average', 'sum', 'last', 'max', 'min', 'avg_zero', 'absmax', 'absmin'];
    const schemas: ArchiveSpec[][] = [SCHEMA, [[60, 180], [600, 144]], [[1, 30]], [[10, 6], [60, 10], [300, 12], [3600, 4]]];
    const store = new WhisperStore({ maxOpenFiles: 4 });
    const work = batches(64, 11);
    work.forEach(({ ts, vs, now }, b) => {
      const schema = schemas[b % schemas.length]!;
      const method = methods[b % methods.length]!;
      const xff = [0, 0.3, 0.5, 1][b % 4]!;
      const ref = path.join(dir, `cwp-ref-${b}.wsp`);
      const ours = path.join(dir, 'cwp', `${b % 3}`, `s${b}.wsp`);
      create(ref, schema.map(([s, p]) => [s, p]), xff, method);
      updateMany(ref, Array.from(ts, (t, k) => [t, vs[k]] as const), now);
      expect(store.createWithPoints(ours, schema, xff, method, ts, vs, ts.length, now)).toBe(true);
      expect(fs.readFileSync(ours).equals(fs.readFileSync(ref))).toBe(true);
      // The next update goes to the open file and still matches.
      const more = work[(b + 1) % work.length]!;
      updateMany(ref, Array.from(more.ts, (t, k) => [t, more.vs[k]] as const), now + 60);
      store.updateMany(ours, more.ts, more.vs, more.ts.length, now + 60);
      expect(fs.readFileSync(ours).equals(fs.readFileSync(ref))).toBe(true);
      expect(store.openFiles).toBeLessThanOrEqual(4);
    });
    store.closeAll();
  });

  it('createWithPoints leaves an existing file alone, and fails like its two steps would', () => {
    const store = new WhisperStore();
    const f = path.join(dir, 'cwp-exists.wsp');
    create(f, SCHEMA.map(([s, p]) => [s, p]), 0.5, 'average');
    const before = fs.readFileSync(f);
    expect(store.createWithPoints(f, SCHEMA, 0.5, 'average', Float64Array.of(T0), Float64Array.of(1), 1, T0)).toBe(false);
    expect(fs.readFileSync(f).equals(before)).toBe(true);
    // A bad schema: nothing on disk.
    const bad = path.join(dir, 'cwp-bad.wsp');
    expect(() => store.createWithPoints(bad, SCHEMA, 0.5, 'median', Float64Array.of(T0), Float64Array.of(1), 1, T0)).toThrow('Unrecognized aggregation method');
    expect(fs.existsSync(bad)).toBe(false);
    // A bad point: the file is created (empty), as create() then a failing update_many leave it.
    const badPoint = path.join(dir, 'cwp-bad-point.wsp');
    const emptyRef = path.join(dir, 'cwp-empty-ref.wsp');
    create(emptyRef, SCHEMA.map(([s, p]) => [s, p]), 0.5, 'average');
    expect(() => store.createWithPoints(badPoint, SCHEMA, 0.5, 'average', Float64Array.of(Infinity), Float64Array.of(1), 1, T0)).toThrow();
    expect(fs.readFileSync(badPoint).equals(fs.readFileSync(emptyRef))).toBe(true);
    // Sparse creates take the two steps and give the same bytes.
    const sparse = new WhisperStore({ sparse: true });
    const sf = path.join(dir, 'cwp-sparse.wsp');
    const sref = path.join(dir, 'cwp-sparse-ref.wsp');
    create(sref, SCHEMA.map(([s, p]) => [s, p]), 0.5, 'average');
    updateMany(sref, [[T0 - 5, 3]], T0);
    expect(sparse.createWithPoints(sf, SCHEMA, 0.5, 'average', Float64Array.of(T0 - 5), Float64Array.of(3), 1, T0)).toBe(true);
    expect(fs.readFileSync(sf).equals(fs.readFileSync(sref))).toBe(true);
    store.closeAll();
    sparse.closeAll();
  });

  it('create makes parent directories, leaves the archive list alone and validates before touching the disk', () => {
    const store = new WhisperStore({ sparse: true });
    const list: ArchiveSpec[] = [[60, 100], [10, 60]];
    const f = path.join(dir, 'nested', 'a', 'b.wsp');
    store.create(f, list, 0.5, 'max');
    expect(list).toEqual([[60, 100], [10, 60]]);
    expect(info(f)!.archives.map((a) => a.secondsPerPoint)).toEqual([10, 60]);
    const ref = path.join(dir, 'nested-ref.wsp');
    create(ref, [[10, 60], [60, 100]], 0.5, 'max');
    expect(fs.readFileSync(f).equals(fs.readFileSync(ref))).toBe(true); // sparse file has the same bytes
    const bad = path.join(dir, 'nested', 'bad.wsp');
    expect(() => store.create(bad, list, 0.5, 'median')).toThrow('Unrecognized aggregation method: median');
    expect(fs.existsSync(bad)).toBe(false);
    expect(store.exists(f)).toBe(true);
    expect(store.exists(bad)).toBe(false);
  });

  it('notices a file replaced by rename (whisper-resize) and writes into the new file', () => {
    const store = new WhisperStore({ recheckAfterMs: 0 });
    const f = path.join(dir, 'replaced.wsp');
    store.create(f, SCHEMA, 0.5, 'average');
    store.updateMany(f, Float64Array.of(T0), Float64Array.of(1), 1, T0 + 5);
    const tmp = path.join(dir, 'replaced.wsp.tmp');
    create(tmp, [[10, 100]], 0.5, 'average');
    fs.renameSync(tmp, f);
    store.updateMany(f, Float64Array.of(T0 + 10), Float64Array.of(2), 1, T0 + 15);
    expect(fetch(f, T0 - 1, T0 + 10, T0 + 15)!.values).toEqual([null, 2]);
    fs.unlinkSync(f);
    expect(() => store.updateMany(f, Float64Array.of(T0 + 20), Float64Array.of(3), 1, T0 + 25)).toThrow(/ENOENT/);
    expect(store.openFiles).toBe(0);
  });

  it('notices a file it created with createWithPoints being replaced, once it has seen the original', () => {
    const store = new WhisperStore({ recheckAfterMs: 0 });
    const f = path.join(dir, 'made-then-replaced.wsp');
    expect(store.createWithPoints(f, SCHEMA, 0.5, 'average', Float64Array.of(T0), Float64Array.of(1), 1, T0 + 5)).toBe(true);
    // The first check takes the identity of the file at the path (no fstat at create)...
    store.updateMany(f, Float64Array.of(T0 + 10), Float64Array.of(2), 1, T0 + 15);
    expect(fetch(f, T0 - 1, T0 + 10, T0 + 15)!.values).toEqual([1, 2]);
    // ...so a replacement of the same size after it is noticed like any other.
    const tmp = path.join(dir, 'made-then-replaced.wsp.tmp');
    create(tmp, SCHEMA.map(([s, p]) => [s, p]), 0.5, 'average');
    fs.renameSync(tmp, f);
    store.updateMany(f, Float64Array.of(T0 + 20), Float64Array.of(3), 1, T0 + 25);
    expect(fetch(f, T0 - 1, T0 + 20, T0 + 25)!.values).toEqual([null, null, 3]);
    store.closeAll();
  });

  it('picks up an external header edit after invalidate() or once the header is older than headerMaxAgeMs', () => {
    for (const mode of ['invalidate', 'max-age'] as const) {
      const store = new WhisperStore(mode === 'max-age' ? { headerMaxAgeMs: 0 } : {});
      const f = path.join(dir, `edited-${mode}.wsp`);
      store.create(f, [[60, 10], [300, 10]], 0, 'average');
      store.updateMany(f, Float64Array.of(T0, T0 + 60), Float64Array.of(1, 2), 2, T0 + 120);
      setAggregationMethod(f, 'sum');
      if (mode === 'invalidate') store.invalidate(f);
      store.updateMany(f, Float64Array.of(T0 + 120), Float64Array.of(4), 1, T0 + 180);
      expect(fetch(f, T0 - 1, T0, T0 + 180, '5m')!.values).toEqual([7]);
      store.closeAll();
    }
  });

  it('truncates fractional timestamps like int() and ignores empty batches', () => {
    const store = new WhisperStore();
    const f = path.join(dir, 'fraction.wsp');
    const ref = path.join(dir, 'fraction-ref.wsp');
    store.create(f, SCHEMA, 0.5, 'last');
    create(ref, SCHEMA.map(([s, p]) => [s, p]), 0.5, 'last');
    store.updateMany(f, Float64Array.of(T0 + 9.9, T0 + 10.2), Float64Array.of(1, 2), 2, T0 + 60);
    store.updateMany(f, new Float64Array(0), new Float64Array(0), 0, T0 + 60);
    updateMany(ref, [[T0 + 9.9, 1], [T0 + 10.2, 2]], T0 + 60);
    expect(fs.readFileSync(f).equals(fs.readFileSync(ref))).toBe(true);
    store.closeAll();
  });
});
