import { describe, expect, it } from 'vitest';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { decodePickle } from '../../src/protocol/pickle-decoder.js';
import { encodePickle, type PicklableValue } from '../../src/protocol/pickle-encoder.js';
import { extractStandardPickleFrame } from '../../src/protocol/pickle-fast-path.js';
import { extractPicklePoints, PICKLE_POINTS_DROP_CONNECTION, PICKLE_POINTS_OK } from '../../src/protocol/pickle-points.js';
import { tuple } from '../../src/protocol/pickle-values.js';
import { AcceptPath } from '../../src/receivers/accept-path.js';

function viaGeneral(frame: Buffer): { status: number; points: unknown[] } {
  const out = new MetricBatch(4);
  const r = extractPicklePoints(decodePickle(frame), new AcceptPath({ now: () => 5 }), out, () => undefined);
  return { status: r.status, points: Array.from({ length: out.length }, (_, i) => [out.names[i], out.timestamps[i], out.values[i]]) };
}

function viaFast(frame: Buffer): { status: number; points: unknown[] } | undefined {
  const out = new MetricBatch(4);
  const r = extractStandardPickleFrame(frame, new AcceptPath({ now: () => 5 }), out);
  if (!r) {
    expect(out.length).toBe(0);
    return undefined;
  }
  return { status: r.status, points: Array.from({ length: out.length }, (_, i) => [out.names[i], out.timestamps[i], out.values[i]]) };
}

describe('standard pickle frame fast path', () => {
  it('takes carbon-relay style frames and agrees with the general decoder', () => {
    const frames: PicklableValue[] = [
      [],
      [tuple('a.b', tuple(1700000000, 1.5))],
      Array.from({ length: 2500 }, (_, i) => tuple(`m.${i}.café`, tuple(1700000000 + i, i / 3))),
      [tuple('ints', tuple(1700000000n, 5n)), tuple('small', tuple(-1n, 65535n)), tuple('neg', tuple(-5n, 255n))],
      [tuple('nan.value', tuple(1, NaN)), tuple('after', tuple(2, 3))],
      [tuple('before', tuple(1, 1)), tuple('nan.ts', tuple(NaN, 1)), tuple('after', tuple(2, 3))],
      [tuple('inf.ts', tuple(Infinity, 1))],
    ];
    for (const v of frames) {
      const frame = encodePickle(v);
      const fast = viaFast(frame);
      expect(fast, frame.toString('hex').slice(0, 40)).toBeDefined();
      expect(fast).toEqual(viaGeneral(frame));
    }
    expect(viaFast(encodePickle([tuple('x', tuple(NaN, 1))]))!.status).toBe(PICKLE_POINTS_DROP_CONNECTION);
    expect(viaFast(encodePickle([]))!.status).toBe(PICKLE_POINTS_OK);
  });

  it('declines anything else without accepting a point', () => {
    const others: PicklableValue[] = [
      [['list', tuple(1, 2)]],
      [tuple('a', tuple(1, 2)), tuple('b', ['1', 2])],
      [tuple('a', tuple(true, 2))],
      [tuple('a', tuple(2n ** 40n, 2))],
      tuple(tuple('a', tuple(1, 2))),
      new Map([['a', 1n]]),
    ];
    for (const v of others) expect(viaFast(encodePickle(v))).toBeUndefined();
    const shared = tuple(1, 2);
    expect(viaFast(encodePickle([tuple('a', shared), tuple('b', shared)]))).toBeUndefined();
    const frame = encodePickle([tuple('a', tuple(1, 2)), tuple('b', tuple(3, 4))]);
    for (let n = 0; n < frame.length; n++) expect(viaFast(frame.subarray(0, n))).toBeUndefined();
  });
});
