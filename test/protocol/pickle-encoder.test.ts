import { describe, expect, it } from 'vitest';
import { decodePickle } from '../../src/protocol/pickle-decoder.js';
import { encodePickle, encodePickleFrame } from '../../src/protocol/pickle-encoder.js';
import { PyTuple, tuple } from '../../src/protocol/pickle-values.js';

const hex = (s: string): string => s.replace(/\s+/g, '');

describe('pickle encoder (protocol 2)', () => {
  it('writes the CarbonLink response bytes given in spec §3.7', () => {
    const frame = encodePickleFrame({ datapoints: [tuple(1700000000.0, 1.5)] });
    expect(frame.toString('hex')).toBe(
      hex(`00 00 00 31 80 02 7d 71 00 58 0a 00 00 00 64 61 74 61 70 6f 69 6e 74 73 71 01 5d 71 02 47 41 d9 54 fc 40 00 00
  00 47 3f f8 00 00 00 00 00 00 86 71 03 61 73 2e`),
    );
  });

  it('writes the relay pickle frame given in spec §3.8', () => {
    const frame = encodePickleFrame([tuple('foo.bar', tuple(1700000000.0, 1.5))]);
    expect(frame.toString('hex')).toBe(
      hex(`00 00 00 2d 80 02 5d 71 00 58 07 00 00 00 66 6f 6f 2e 62 61 72 71 01 47 41 d9
  54 fc 40 00 00 00 47 3f f8 00 00 00 00 00 00 86 71 02 86 71 03 61 2e`),
    );
  });

  it('uses MARK/APPENDS for more than one element and batches of 1000', () => {
    const two = encodePickle([1.5, 2.5]);
    expect(two.toString('hex')).toBe('80025d710028473ff800000000000047400400000000000065' + '2e');
    const big = encodePickle(Array.from({ length: 2001 }, (_, i) => BigInt(i)));
    // Two APPENDS batches of 1000 and one single APPEND.
    expect(big.filter((b) => b === 0x65).length).toBeGreaterThanOrEqual(2);
    expect(big[big.length - 2]).toBe(0x61);
  });

  it('round-trips through the decoder, keeping tuples apart from lists and shared objects shared', () => {
    const shared = ['x.y'];
    const value = new Map<unknown, unknown>([
      ['a', [shared, shared, tuple(1n, -1n, 2n ** 40n, -(2n ** 70n))]],
      ['b', new PyTuple([null, true, false, 'ünï', new Uint8Array(0)].slice(0, 4))],
    ]);
    const back = decodePickle(encodePickle(value as never)) as Map<string, unknown>;
    const a = back.get('a') as unknown[];
    expect(a[0]).toBe(a[1]);
    expect(a[2]).toBeInstanceOf(PyTuple);
    expect((a[2] as PyTuple).items).toEqual([1, -1, 2 ** 40, -(2n ** 70n)]);
    expect((back.get('b') as PyTuple).items).toEqual([null, true, false, 'ünï']);
  });

  it('switches to LONG_BINPUT/LONG_BINGET past 255 memo slots', () => {
    const list = Array.from({ length: 300 }, (_, i) => `n${i}`);
    const shared: string[] = [];
    const bytes = encodePickle([list, shared, shared]);
    expect(bytes.includes(0x72)).toBe(true);
    const back = decodePickle(bytes) as unknown[][];
    expect(back[1]).toBe(back[2]);
    expect(back[0]).toEqual(list);
  });
});
