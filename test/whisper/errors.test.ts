// Typed errors with Python's messages, and damaged files: every operation
// reports CorruptWhisperFile naming the file and never writes into it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CorruptWhisperFile,
  InvalidAggregationMethod,
  InvalidConfiguration,
  InvalidTimeInterval,
  InvalidXFilesFactor,
  TimestampNotCovered,
  WhisperError,
  WhisperStore,
  WhisperValueError,
  create,
  fetch,
  info,
  setAggregationMethod,
  update,
  updateMany,
} from '../../src/whisper/index.js';

const NOW = 1700000800;
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-errors-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function freshFile(archives: [number, number][] = [[60, 60], [300, 288]]): string {
  const f = path.join(dir, `f${counter++}.wsp`);
  create(f, archives, 0.5, 'average');
  return f;
}

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('Python exceptions and messages', () => {
  it('create refuses an existing file, bad methods and bad xFilesFactor (leaving the 0-byte file as Python does)', () => {
    const f = freshFile();
    const exists = caught(() => create(f, [[60, 10]]));
    expect(exists).toBeInstanceOf(InvalidConfiguration);
    expect(exists.message).toBe(`File ${f} already exists!`);

    const bad = path.join(dir, 'bad-method.wsp');
    const e1 = caught(() => create(bad, [[60, 10]], 0.5, 'foo'));
    expect(e1).toBeInstanceOf(InvalidAggregationMethod);
    expect(e1.message).toBe('Unrecognized aggregation method: foo');
    expect(fs.statSync(bad).size).toBe(0);

    const cases: [number | string, string][] = [
      ['abc', 'Invalid xFilesFactor abc, not a float'],
      [1.5, 'Invalid xFilesFactor 1.5, not between 0 and 1'],
      [-1, 'Invalid xFilesFactor -1.0, not between 0 and 1'],
      ['2', 'Invalid xFilesFactor 2.0, not between 0 and 1'],
    ];
    cases.forEach(([xff, message], i) => {
      const e = caught(() => create(path.join(dir, `bad-xff-${i}.wsp`), [[60, 10]], xff, 'sum'));
      expect(e).toBeInstanceOf(InvalidXFilesFactor);
      expect(e.message).toBe(message);
    });
  });

  it('update rejects future and too-old timestamps; update_many drops too-old ones silently', () => {
    const f = freshFile();
    const before = fs.readFileSync(f);
    for (const ts of [NOW + 1, NOW - 86400, NOW - 100000]) {
      const e = caught(() => update(f, 1, ts, NOW));
      expect(e).toBeInstanceOf(TimestampNotCovered);
      expect(e.message).toBe('Timestamp not covered by any archives in this database.');
    }
    updateMany(f, [[NOW - 100000, 1]], NOW);
    expect(fs.readFileSync(f).equals(before)).toBe(true);
  });

  it('fetch: inverted range, unknown granularity, ranges outside the file', () => {
    const f = freshFile();
    const e = caught(() => fetch(f, NOW, NOW - 10, NOW));
    expect(e).toBeInstanceOf(InvalidTimeInterval);
    expect(e.message).toBe(`Invalid time interval: from time '${NOW}' is after until time '${NOW - 10}'`);
    const g = caught(() => fetch(f, NOW - 100, NOW, NOW, '7s'));
    expect(g).toBeInstanceOf(WhisperValueError);
    expect(g.message).toBe('Invalid granularity: 7');
    expect(fetch(f, NOW + 10, NOW + 20, NOW)).toBeNull();
    expect(fetch(f, NOW - 200000, NOW - 100000, NOW)).toBeNull();
    expect(fetch(f, NOW - 120, NOW, NOW, '1m')!.timeInfo).toEqual([NOW - 120 + 60 - ((NOW - 120) % 60), NOW + 60 - (NOW % 60), 60]);
  });

  it('info returns null for a missing file; other calls throw the fs error', () => {
    const missing = path.join(dir, 'missing.wsp');
    expect(info(missing)).toBeNull();
    expect((caught(() => updateMany(missing, [[NOW, 1]], NOW)) as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});

/** Builds damaged variants of a valid two-archive file. */
function damaged(): [string, (buf: Buffer) => Buffer, string][] {
  return [
    ['empty file', () => Buffer.alloc(0), 'Unable to read header'],
    ['short metadata', (b) => b.subarray(0, 10), 'Unable to read header'],
    ['unknown aggregation type', (b) => (b.writeUInt32BE(9, 0), b), 'Unable to read header'],
    ['NaN xFilesFactor', (b) => (b.writeUInt32BE(0x7fc00000, 8), b), 'Unable to read header'],
    ['xFilesFactor above 1', (b) => (b.writeFloatBE(2, 8), b), 'Unable to read header'],
    ['archive list cut short', (b) => (b.writeUInt32BE(5, 12), b.subarray(0, 40)), 'Unable to read archive2 metadata'],
    ['no archives', (b) => (b.writeUInt32BE(0, 12), b), 'Header declares no archives'],
    ['absurd archive count', (b) => (b.writeUInt32BE(0xffffffff, 12), b), 'Unable to read archive metadata: archive count 4294967295 is implausible'],
    ['data truncated', (b) => b.subarray(0, 2000), 'archive1 (offset 760, 288 points) extends past the end of the file (2000 bytes)'],
    ['overlapping archives', (b) => (b.writeUInt32BE(40, 28), b), 'archive1 at offset 40 overlaps archive0'],
    ['archive inside the header', (b) => (b.writeUInt32BE(20, 16), b), 'archive0 at offset 20 overlaps the header'],
    ['zero points', (b) => (b.writeUInt32BE(0, 24), b), 'archive0 has 60 seconds per point and 0 points'],
  ];
}

describe('damaged files', () => {
  for (const [name, damage, error] of damaged()) {
    it(`${name}: CorruptWhisperFile("${error}") from every data operation, nothing written`, () => {
      const f = freshFile();
      update(f, 5, NOW - 30, NOW);
      fs.writeFileSync(f, damage(Buffer.from(fs.readFileSync(f))));
      const before = fs.readFileSync(f);
      const store = new WhisperStore();
      const operations: [string, () => unknown][] = [
        ['update', () => update(f, 1, NOW, NOW)],
        ['updateMany', () => updateMany(f, [[NOW, 1]], NOW)],
        ['fetch', () => fetch(f, NOW - 600, NOW, NOW)],
        ['setAggregationMethod', () => setAggregationMethod(f, 'sum')],
        ['store.updateMany', () => store.updateMany(f, Float64Array.of(NOW), Float64Array.of(1), 1, NOW)],
      ];
      for (const [opName, op] of operations) {
        const e = caught(op);
        expect(e, opName).toBeInstanceOf(CorruptWhisperFile);
        expect(e, opName).toBeInstanceOf(WhisperError);
        expect((e as CorruptWhisperFile).error, opName).toBe(error);
        expect((e as CorruptWhisperFile).path, opName).toBe(f);
        expect(e.message, opName).toBe(`${error} (${f})`);
      }
      expect(store.openFiles).toBe(0);
      expect(fs.readFileSync(f).equals(before)).toBe(true);
    });
  }

  it('info() applies only Python\'s header checks (a truncated data region still reports its header)', () => {
    const f = freshFile();
    fs.truncateSync(f, 2000);
    expect(info(f)!.archives[1]).toEqual({ offset: 760, secondsPerPoint: 300, points: 288, retention: 86400, size: 3456 });
    fs.writeFileSync(f, Buffer.alloc(3));
    const e = caught(() => info(f));
    expect(e).toBeInstanceOf(CorruptWhisperFile);
    expect(e.message).toBe(`Unable to read header (${f})`);
  });
});
