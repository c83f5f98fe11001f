import { describe, expect, it } from 'vitest';
import { DrainBuffer } from '../../src/cache/drain-buffer.js';
import { WriterCore } from '../../src/cache/writer-core.js';
import type { WriteResult } from '../../src/cache/writer-protocol.js';
import { FakeBackend } from './fake-backend.js';
import { defaultWhisperOptions } from '../helpers/writer-options.js';

const options = {
  ...defaultWhisperOptions('/data'),
  collectUpdateLog: false,
  collectCreateLog: true,
};

describe('WriterCore write messages with create settings', () => {
  it('creates only the metrics that carry an index, logs carbon create lines, and shares one item per schema', () => {
    const backend = new FakeBackend();
    backend.create('/data/old/m.wsp', [[60, 10]], undefined, undefined);
    const core = new WriterCore(options, backend);
    const buf = new DrainBuffer(4, 8);
    buf.append('a.b', [60], [1]);
    buf.append('old.m', [60], [2]);
    buf.append('c.d', [60, 120], [3, 4]);
    const createIndex = new Int32Array([0, 0, 1]);
    const creates = [
      { name: 'a.b', archives: [[60, 10]] as [number, number][], schemaName: 'minutely', aggregationName: 'default' },
      { name: 'c.d', archives: [[10, 6], [60, 10]] as [number, number][], xFilesFactor: 0, aggregationMethod: 'sum', schemaName: 'fast', aggregationName: 'sums' },
    ];
    const r = core.handle({ type: 'write', id: 1, batch: buf.toMessage(), creates, createIndex }) as WriteResult;
    expect(r.creates).toBe(2);
    expect(r.errors).toBe(0);
    expect(r.committed).toBe(4);
    expect(r.missing).toBeNull();
    expect(backend.files.get('/data/c/d.wsp')!.aggregationMethod).toBe('sum');
    expect([...backend.files.get('/data/old/m.wsp')!.points]).toEqual([[60, 2]]);
    expect(r.createLog).toEqual([
      'new metric a.b matched schema minutely',
      'new metric a.b matched aggregation schema default',
      'creating database metric a.b (archive=[(60, 10)] xff=None agg=None)',
      'new metric c.d matched schema fast',
      'new metric c.d matched aggregation schema sums',
      'creating database metric c.d (archive=[(10, 6), (60, 10)] xff=0.0 agg=sum)',
    ]);
  });

  it('a create that fails is an error and its points are dropped; the rest are written', () => {
    const backend = new FakeBackend();
    const core = new WriterCore(options, backend);
    backend.create = () => {
      throw new Error('Invalid archive list');
    };
    const buf = new DrainBuffer(2, 4);
    buf.append('bad.m', [60], [1]);
    const r = core.handle({
      type: 'write',
      id: 2,
      batch: buf.toMessage(),
      creates: [{ name: 'bad.m', archives: [[60, 0]] }],
      createIndex: new Int32Array([0]),
    }) as WriteResult;
    expect(r.errors).toBe(1);
    expect(r.committed).toBe(0);
    expect(r.errorMessages).toEqual(['Error creating bad.m: Invalid archive list']);
  });
});

describe('WriterCore and names Python cannot encode', () => {
  it('a name with a lone surrogate fails its create as in carbon (UnicodeEncodeError) instead of becoming a U+FFFD file', () => {
    const backend = new FakeBackend();
    const core = new WriterCore(options, backend);
    const buf = new DrainBuffer(4, 4);
    buf.append('pks.\u00e9.sur\ud800', [60], [1]);
    buf.append('pks.low\udc00x', [60], [2]);
    buf.append('pks.emoji\ud83d\ude00', [60], [3]);
    const archives = [[60, 10]] as [number, number][];
    const r = core.handle({
      type: 'write',
      id: 3,
      batch: buf.toMessage(),
      creates: [{ name: 'x', archives }],
      createIndex: new Int32Array([0, 0, 0]),
    }) as WriteResult;
    expect(r.errors).toBe(2);
    expect(r.errorMessages).toEqual([
      // The texts /usr/bin/python3 gives for open() of these paths (position in code points).
      "Error creating pks.\u00e9.sur\ud800: 'utf-8' codec can't encode character '\\ud800' in position 15: surrogates not allowed",
      "Error creating pks.low\udc00x: 'utf-8' codec can't encode character '\\udc00' in position 13: surrogates not allowed",
    ]);
    expect([...backend.files.keys()]).toEqual(['/data/pks/emoji\ud83d\ude00.wsp']);
    expect(r.committed).toBe(1);
  });
});

describe('WriterCore backend notices', () => {
  it("passes the backend's notices (a cut-short file extended) on as log lines without failing the write", () => {
    const backend = new FakeBackend();
    backend.create('/data/a/b.wsp', [[60, 10]], undefined, undefined);
    const notices = ['/data/a/b.wsp was 100 bytes, shorter than its header says (160): extended with empty slots before writing'];
    const withNotices = Object.assign(backend, { takeNotices: () => notices.splice(0) });
    const core = new WriterCore(options, withNotices);
    const buf = new DrainBuffer(1, 1);
    buf.append('a.b', [60], [1]);
    const r = core.handle({ type: 'write', id: 4, batch: buf.toMessage() }) as WriteResult;
    expect(r.committed).toBe(1);
    expect(r.errors).toBe(0);
    expect(r.errorMessages).toEqual(['/data/a/b.wsp was 100 bytes, shorter than its header says (160): extended with empty slots before writing']);
    const again = core.handle({ type: 'write', id: 5, batch: buf.toMessage() }) as WriteResult;
    expect(again.errorMessages).toEqual([]);
  });
});

describe('WriterCore TagDB reports (ENABLE_TAGS)', () => {
  it("reports each created series and every TAG_UPDATE_INTERVAL-th written one, as carbon's tagQueue.add / update", () => {
    const backend = new FakeBackend();
    backend.create('/data/old/m.wsp', [[60, 10]], undefined, undefined);
    const core = new WriterCore({ ...options, collectCreateLog: false, tagUpdateInterval: 3 }, backend);
    const item = { name: 'x', archives: [[60, 10]] as [number, number][] };
    const writeOnce = (names: string[], creates: boolean) => {
      const buf = new DrainBuffer(4, 8);
      for (const n of names) buf.append(n, [60], [1]);
      const msg = creates
        ? { type: 'write' as const, id: 1, batch: buf.toMessage(), creates: [item], createIndex: new Int32Array(names.length).fill(0) }
        : { type: 'write' as const, id: 1, batch: buf.toMessage() };
      return core.handle(msg) as WriteResult;
    };
    const r1 = writeOnce(['n.a', 'old.m', 'n.b', 't;k=v'], true);
    expect(r1.tagCreates).toEqual(['n.a', 'n.b', 't;k=v']);
    // Writes 1, 4, 7, ... are picked (carbon: update_counter % interval + 1 == 1).
    expect(r1.tagUpdates).toEqual(['n.a', 't;k=v']);
    const r2 = writeOnce(['n.a', 'old.m', 'n.b'], false);
    expect(r2.tagCreates).toBeUndefined();
    expect(r2.tagUpdates).toEqual(['n.b']);
    const off = new WriterCore({ ...options, collectCreateLog: false }, new FakeBackend()).handle({
      type: 'write',
      id: 2,
      batch: (() => {
        const b = new DrainBuffer(1, 1);
        b.append('z', [60], [1]);
        return b.toMessage();
      })(),
      creates: [item],
      createIndex: new Int32Array([0]),
    }) as WriteResult;
    expect(off.creates).toBe(1);
    expect(off.tagCreates).toBeUndefined();
    expect(off.tagUpdates).toBeUndefined();
  });
});
