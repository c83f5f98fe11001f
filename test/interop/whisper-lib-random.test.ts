// Randomized operation sequences run through python3-whisper (the reference,
// driven by test/whisper/whisper_driver.py) and through src/whisper — both the
// module-style API and the WhisperStore fast path. Every op must give the same
// result (fetch values compared bit for bit) and leave byte-identical files.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as whisper from '../../src/whisper/index.js';
import { seededRandom } from '../helpers/random.js';

const PYTHON = '/usr/bin/python3';
const DRIVER = fileURLToPath(new URL('../whisper/whisper_driver.py', import.meta.url));
const SEQUENCES = Number(process.env.WHISPER_RANDOM_SEQUENCES ?? 120);
const OPS_PER_SEQUENCE = 30;
const SEED = Number(process.env.WHISPER_RANDOM_SEED ?? 20261125);
const METHODS = ['average', 'sum', 'last', 'max', 'min', 'avg_zero', 'absmax', 'absmin'];
const XFFS = [0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1];

type Op = Record<string, unknown> & { op: string };
interface PyResult {
  ok?: unknown;
  error?: string;
  sha256?: string;
}

const mulberry32 = seededRandom;

function hexf(v: number | null): string | null {
  if (v === null) return null;
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v, 0);
  return b.toString('hex');
}

function unhexf(h: string): number {
  return Buffer.from(h, 'hex').readDoubleBE(0);
}

/** One random sequence: two files with the same random schema and ops on them. */
function generateSequence(seq: number): Op[] {
  const rnd = mulberry32(SEED + seq * 7919);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

  const archiveCount = int(1, 4);
  const archives: [number, number][] = [];
  let spp = pick([1, 5, 10, 60]);
  let factor = pick([2, 3, 5, 6, 10]);
  let prevRetention = 0;
  for (let i = 0; i < archiveCount; i++) {
    const minPoints = Math.max(i + 1 < archiveCount ? factor : 1, Math.floor(prevRetention / spp) + 1);
    const points = minPoints + int(0, 30);
    archives.push([spp, points]);
    prevRetention = spp * points;
    spp *= factor;
    factor = pick([2, 3, 5, 6, 10]);
  }
  const retentions = archives.map(([s, p]) => s * p);
  const maxRetention = Math.max(...retentions);
  const step0 = archives[0][0];
  const shuffled = [...archives].sort(() => rnd() - 0.5);
  const method = pick(METHODS);
  const xff = pick(XFFS);
  let now = int(1_500_000_000, 1_800_000_000);

  const randomValue = (): string => {
    const r = rnd();
    const v =
      r < 0.03 ? Number.NaN : r < 0.05 ? -0 : r < 0.08 ? 0 : r < 0.1 ? Infinity : r < 0.5 ? int(-50, 50) : (rnd() - 0.5) * 10 ** int(-3, 6);
    return hexf(v)!;
  };
  const randomTimestamp = (): number => {
    const r = rnd();
    if (r < 0.45) return now - int(0, retentions[0]);
    if (r < 0.7) return now - int(0, maxRetention);
    if (r < 0.78) return now - maxRetention - int(1, 500); // too old
    if (r < 0.86) return now + int(1, 3 * step0); // future
    const boundary = pick(retentions);
    return now - boundary - int(-1, 1); // at and around archive boundaries
  };

  const ops: Op[] = [
    { op: 'create', path: 'a.wsp', archives: shuffled, xff, method, sparse: rnd() < 0.3 },
    { op: 'create', path: 'b.wsp', archives, xff: pick(XFFS), method: pick(METHODS) },
  ];
  for (let n = 0; n < OPS_PER_SEQUENCE; n++) {
    const r = rnd();
    now += rnd() < 0.15 ? int(0, maxRetention) : int(0, Math.max(1, Math.floor(retentions[0] * 0.3)));
    const file = rnd() < 0.75 ? 'a.wsp' : 'b.wsp';
    if (r < 0.5) {
      const count = int(1, 40);
      const points: [number, string][] = [];
      while (points.length < count) {
        const kind = rnd();
        if (kind < 0.15 && points.length > 0) {
          points.push([pick(points)[0], randomValue()]); // duplicate timestamp
        } else if (kind < 0.35) {
          const start = randomTimestamp();
          const len = int(2, 12);
          for (let k = 0; k < len && points.length < count; k++) points.push([start + k * step0, randomValue()]);
        } else {
          points.push([randomTimestamp() + (rnd() < 0.05 ? 0.5 : 0), randomValue()]);
        }
      }
      ops.push({ op: 'update_many', path: file, points, now, viaStore: rnd() < 0.5 });
    } else if (r < 0.62) {
      ops.push({ op: 'update', path: file, value: randomValue(), ts: randomTimestamp(), now });
    } else if (r < 0.85) {
      const from = now - int(-20, maxRetention + 100);
      const until = rnd() < 0.1 ? from - int(1, 100) : from + int(0, maxRetention);
      const op: Op = { op: 'fetch', path: file, from, until, now };
      if (rnd() < 0.15) op.archiveToSelect = pick([String(pick(archives)[0]), `${pick(archives)[0]}s`, '7s']);
      ops.push(op);
    } else if (r < 0.88) {
      ops.push({ op: 'info', path: file });
    } else if (r < 0.9) {
      ops.push({ op: 'set_aggregation_method', path: file, method: pick(METHODS), xff: rnd() < 0.5 ? pick(XFFS) : null });
    } else if (r < 0.92) {
      ops.push({ op: 'set_xff', path: file, xff: pick(XFFS) });
    } else if (r < 0.95) {
      const timeFrom = rnd() < 0.5 ? null : now - int(0, maxRetention);
      ops.push({ op: 'merge', from: 'b.wsp', to: 'a.wsp', timeFrom, timeTo: rnd() < 0.5 ? null : now - int(0, 10), now });
    } else if (r < 0.98) {
      ops.push({ op: 'diff', from: 'a.wsp', to: 'b.wsp', ignoreEmpty: rnd() < 0.5, until: rnd() < 0.5 ? null : now - int(0, 100), now });
    } else {
      ops.push({ op: 'fill', src: 'b.wsp', dst: 'a.wsp', now });
    }
  }
  return ops;
}

/** Fixed cases that random generation reaches only rarely. */
function handcraftedSequences(): Op[][] {
  const T = 1_700_000_000;
  const one = hexf(1)!;
  const run = (start: number, n: number, step: number): [number, string][] =>
    Array.from({ length: n }, (_, i) => [start + i * step, hexf(i + 0.5)!]);
  return [
    // Future points longer than archive 0: the run wraps and spills into archive 1's first slots.
    [
      { op: 'create', path: 'a.wsp', archives: [[60, 5], [300, 10], [900, 10]], xff: 0, method: 'sum' },
      { op: 'create', path: 'b.wsp', archives: [[60, 5], [300, 10], [900, 10]], xff: 0.5, method: 'max' },
      { op: 'update_many', path: 'a.wsp', points: run(T + 60, 12, 60), now: T, viaStore: true },
      { op: 'update_many', path: 'a.wsp', points: run(T + 2000, 9, 60), now: T + 100, viaStore: false },
      { op: 'fetch', path: 'a.wsp', from: T - 3000, until: T + 100, now: T + 100 },
      { op: 'update_many', path: 'b.wsp', points: run(T - 20, 40, 60), now: T + 500, viaStore: true },
      { op: 'update_many', path: 'b.wsp', points: run(T + 1000, 40, 60), now: T + 500, viaStore: true },
    ],
    // Identical timestamps: the first in the batch wins, also across a batch that spans archives.
    [
      { op: 'create', path: 'a.wsp', archives: [[10, 30], [60, 30]], xff: 0.1, method: 'last' },
      { op: 'create', path: 'b.wsp', archives: [[10, 30], [60, 30]], xff: 0.1, method: 'last' },
      { op: 'update_many', path: 'a.wsp', points: [[T, one], [T, hexf(2)!], [T - 1000, one], [T - 1000, hexf(3)!], [T + 5, hexf(4)!]], now: T + 10, viaStore: true },
      { op: 'fetch', path: 'a.wsp', from: T - 1800, until: T + 10, now: T + 10 },
    ],
  ];
}

function runOurs(dir: string, op: Op, store: whisper.WhisperStore): { result: unknown; written: string | null } {
  const p = (key: string): string => path.join(dir, op[key] as string);
  switch (op.op) {
    case 'create':
      whisper.create(p('path'), (op.archives as [number, number][]).map(([s, n]) => [s, n]), op.xff as number, op.method as string, op.sparse as boolean);
      return { result: null, written: p('path') };
    case 'update':
      whisper.update(p('path'), unhexf(op.value as string), op.ts as number, op.now as number);
      store.invalidate(p('path'));
      return { result: null, written: p('path') };
    case 'update_many': {
      const points = op.points as [number, string][];
      if (op.viaStore) {
        const ts = Float64Array.from(points, ([t]) => t);
        const vs = Float64Array.from(points, ([, v]) => unhexf(v));
        store.updateMany(p('path'), ts, vs, points.length, op.now as number);
      } else {
        whisper.updateMany(p('path'), points.map(([t, v]) => [t, unhexf(v)] as const), op.now as number);
        store.invalidate(p('path'));
      }
      return { result: null, written: p('path') };
    }
    case 'fetch': {
      const r = whisper.fetch(p('path'), op.from as number, op.until as number, op.now as number, (op.archiveToSelect as string) ?? null);
      return { result: r === null ? null : { timeInfo: r.timeInfo, values: r.values.map(hexf) }, written: null };
    }
    case 'info':
      return { result: whisper.info(p('path')), written: null };
    case 'set_aggregation_method':
      store.invalidate(p('path'));
      return { result: whisper.setAggregationMethod(p('path'), op.method as string, op.xff as number | null), written: p('path') };
    case 'set_xff':
      store.invalidate(p('path'));
      return { result: hexf(whisper.setXFilesFactor(p('path'), op.xff as number)), written: p('path') };
    case 'merge':
      store.invalidate(p('to'));
      whisper.merge(p('from'), p('to'), op.timeFrom as number | null, op.timeTo as number | null, op.now as number);
      return { result: null, written: p('to') };
    case 'diff': {
      const res = whisper.diff(p('from'), p('to'), op.ignoreEmpty as boolean, op.until as number | null, op.now as number);
      return { result: res.map((d) => [d.archive, d.diffs.map(([t, a, b]) => [t, hexf(a), hexf(b)]), d.total]), written: null };
    }
    case 'fill':
      store.invalidate(p('dst'));
      whisper.fillArchives(p('src'), p('dst'), op.now as number, op.now as number);
      return { result: null, written: p('dst') };
    default:
      throw new Error(`unknown op ${op.op}`);
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

const pythonAvailable = spawnSync(PYTHON, ['-c', 'import whisper'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!pythonAvailable)('whisper library vs python3-whisper on random operation sequences', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-random-'));
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it(`${SEQUENCES} sequences of ${OPS_PER_SEQUENCE} ops give identical results and bytes`, () => {
    const sequences = [...Array.from({ length: SEQUENCES }, (_, i) => generateSequence(i)), ...handcraftedSequences()];
    const pyOps: Op[] = [];
    sequences.forEach((ops, seq) => {
      for (const op of ops) {
        const prefixed: Op = { ...op };
        for (const key of ['path', 'from', 'to', 'src', 'dst']) {
          if (typeof op[key] === 'string' && (op[key] as string).endsWith('.wsp')) prefixed[key] = `s${seq}_${op[key] as string}`;
        }
        pyOps.push(prefixed);
      }
    });
    const pyDir = path.join(root, 'py');
    fs.mkdirSync(pyDir);
    const run = spawnSync(PYTHON, [DRIVER], { input: JSON.stringify({ dir: pyDir, ops: pyOps }), encoding: 'utf8', maxBuffer: 1 << 30 });
    expect(run.stderr).toBe('');
    const pyResults = JSON.parse(run.stdout) as PyResult[];
    if (process.env.WHISPER_RANDOM_STATS) {
      const stats: Record<string, number> = {};
      pyOps.forEach((op, i) => {
        const r = pyResults[i];
        const key = `${op.op}:${r.error ? r.error.split(":")[0] : "ok"}`;
        stats[key] = (stats[key] ?? 0) + 1;
      });
      console.log(stats);
    }

    const store = new whisper.WhisperStore({ maxOpenFiles: 16 });
    let index = 0;
    let compared = 0;
    try {
      sequences.forEach((ops, seq) => {
        const dir = path.join(root, `ts${seq}`);
        fs.mkdirSync(dir);
        ops.forEach((op, n) => {
          const expected = pyResults[index++];
          const where = `sequence ${seq} (seed ${SEED}) op ${n}: ${JSON.stringify(op).slice(0, 300)}`;
          let ours: { result: unknown; written: string | null };
          let error: string | null = null;
          try {
            ours = runOurs(dir, op, store);
          } catch (err) {
            const e = err as Error;
            error = `${e.name}: ${e.message}`;
            ours = { result: undefined, written: null };
            for (const key of ['path', 'to', 'dst']) {
              const f = typeof op[key] === 'string' ? path.join(dir, op[key] as string) : null;
              if (f !== null && fs.existsSync(f)) {
                ours.written = f;
                break;
              }
            }
          }
          if (expected.error !== undefined) {
            expect(error, where).not.toBeNull();
            // Python-specific exception types (struct.error, ValueError text) are compared by message for WhisperExceptions only.
            const whisperError = /^(InvalidConfiguration|InvalidAggregationMethod|InvalidTimeInterval|InvalidXFilesFactor|TimestampNotCovered|CorruptWhisperFile|ValueError|NotImplementedError)\b/;
            if (whisperError.test(expected.error)) expect(error, where).toBe(expected.error);
          } else {
            expect(error, where).toBeNull();
            expect(JSON.parse(JSON.stringify(ours.result ?? null)), where).toEqual(expected.ok ?? null);
          }
          if (expected.sha256 !== undefined) {
            expect(ours.written, where).not.toBeNull();
            expect(sha256(ours.written!), where).toBe(expected.sha256);
          }
          compared++;
        });
      });
    } finally {
      store.closeAll();
    }
    expect(compared).toBe(pyOps.length);
  });
});
