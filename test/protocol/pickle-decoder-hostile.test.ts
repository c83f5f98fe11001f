import { describe, expect, it } from 'vitest';
import { PickleDecodeError, UnsafePickleError } from '../../src/protocol/errors.js';
import { decodePickle } from '../../src/protocol/pickle-decoder.js';
import { encodePickle } from '../../src/protocol/pickle-encoder.js';
import { hashChecks, type PySet, PyTuple, tuple } from '../../src/protocol/pickle-values.js';

const b = (...parts: (string | number[] | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

function decodeError(data: Buffer): PickleDecodeError {
  try {
    decodePickle(data);
  } catch (err) {
    expect(err).toBeInstanceOf(PickleDecodeError);
    return err as PickleDecodeError;
  }
  throw new Error('decoded without error');
}

describe('restricted unpickler on hostile input', () => {
  it('refuses every way of naming a global', () => {
    expect(decodeError(b("cos\nsystem\n(S'id'\ntR."))).toBeInstanceOf(UnsafePickleError);
    expect(decodeError(b('\x80\x04\x8c\x02os\x8c\x06system\x93.'))).toBeInstanceOf(UnsafePickleError);
    expect(decodeError(b('(ios\nsystem\n.'))).toBeInstanceOf(UnsafePickleError);
    expect(decodeError(b("c__builtin__\neval\n.")).message).toBe('Attempting to unpickle unsafe module __builtin__');
    expect(decodeError(b('\x82\x01.')).message).toBe('unregistered extension code 1');
    expect(decodeError(b('N)R.')).dropsConnection).toBe(true);
  });

  it('follows CPython on BUILD and EXT: which errors skip the frame and which drop the connection', () => {
    expect(decodePickle(b(']Nb.'))).toEqual([]);
    expect(decodePickle(b(']N}\x86b.'))).toEqual([]);
    expect(decodeError(b(']}b.')).dropsConnection).toBe(true);
    expect(decodeError(b(']K\x01b.')).message).toBe('state is not a dictionary');
    expect(decodeError(b(']NK\x01\x86b.')).message).toBe('slot state is not a dictionary');
    expect(decodeError(b(']N}K\x01K\x02s\x86b.')).dropsConnection).toBe(true);
    expect(decodeError(b('\x82\x00.')).dropsConnection).toBe(false);
  });

  it('handles nesting a million levels deep without recursion', () => {
    const depth = 1_000_000;
    const data = b('\x80\x02', Buffer.alloc(depth, 0x5d), Buffer.alloc(depth - 1, 0x61), '.');
    let v = decodePickle(data) as unknown[];
    let levels = 1;
    while (v.length) {
      v = v[0] as unknown[];
      levels++;
    }
    expect(levels).toBe(depth);
    const marks = b(Buffer.alloc(depth, 0x28), 'N.');
    expect(decodePickle(marks)).toBeNull();
  });

  it('checks every length against the data present before allocating', () => {
    for (const op of ['X\xff\xff\xff\xff', 'T\xff\xff\xff\x7f', 'B\xff\xff\xff\xff', '\x8d\xff\xff\xff\xff\xff\xff\x00\x00', '\x8e\xff\xff\xff\xff\xff\xff\x00\x00', '\x8b\xff\xff\xff\x7f', '\x95\xff\xff\xff\xff\xff\x00\x00\x00']) {
      expect(decodeError(b('\x80\x04', op, 'abc')).dropsConnection).toBe(false);
    }
    expect(decodeError(b('\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\xff')).dropsConnection).toBe(true);
  });

  it('keeps memo abuse cheap: huge indexes, misses, MEMOIZE floods', () => {
    expect(decodePickle(b('K\x01r\xff\xff\xff\xffj\xff\xff\xff\xff\x86.'))).toEqual(tuple(1, 1));
    expect(decodeError(b('K\x01h\x05.')).message).toBe('Memo value not found at index 5');
    const flood = b('\x80\x04K\x01', Buffer.alloc(200_000, 0x94), '.');
    expect(decodePickle(flood)).toBe(1);
  });

  it('limits decimal ints to 4300 digits as Python does, and decodes big binary ints as bigint', () => {
    expect(decodeError(b('L', '9'.repeat(4301), '\n.')).pythonError).toBe('ValueError');
    expect(decodePickle(b('L', '9'.repeat(4300), 'L\n.'))).toBe(10n ** 4300n - 1n);
    expect(decodePickle(b('\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01.'))).toBe(2n ** 64n);
    expect(decodePickle(b('\x8a\x02\xff\x7f.'))).toBe(32767);
    expect(decodePickle(b('\x8a\x01\xff.'))).toBe(-1);
  });

  it('hashes tuple keys that share structure in linear time', () => {
    // t1 = (1, 1), t(n+1) = (tn, tn): a tree with 2^60 leaves, 60 distinct nodes.
    let p = '\x80\x02}K\x01K\x01\x86q\x000';
    for (let i = 1; i < 60; i++) p += `h${String.fromCharCode(i - 1)}h${String.fromCharCode(i - 1)}\x86q${String.fromCharCode(i)}0`;
    const d = decodePickle(b(p, 'h;Ns.')) as Map<unknown, unknown>;
    expect(d.size).toBe(1);
    expect(decodeError(b('}]\x85K\x01s.')).dropsConnection).toBe(true);
  });

  it('checks a big tuple used many times as a dict key or set item once, not once per use', () => {
    // t = (2,000 small ints) memoized, then 1,000 memo references to it as set items / dict keys.
    const before = hashChecks.visited;
    const bigTuple = b('\x80\x04(', Array.from({ length: 2_000 }, (_, i) => [0x4b, i & 0xff]).flat(), 't\x94', '0');
    const refs = (each: number[]) => Array.from({ length: 1_000 }, () => each).flat();
    const asSet = decodePickle(b(bigTuple, '\x8f(', refs([0x68, 0]), '\x90.')) as PySet;
    expect(asSet.items.length).toBe(1_000);
    expect(asSet.items[0]).toBe(asSet.items[999]);
    const asKeys = decodePickle(b(bigTuple, '}(', refs([0x68, 0, 0x4b, 1]), 'u.')) as Map<unknown, unknown>;
    expect(asKeys.size).toBe(1);
    // Each of the two big tuples walked once (2,001 values), each further use one look; a walk per
    // use would be 2,000,000 (with 200,000 and 100,000 it took minutes).
    expect(hashChecks.visited - before).toBeLessThan(2 * 2_001 + 2 * 1_000 + 10);
    // A list inside makes it unhashable wherever it is used: TypeError, which drops the connection.
    expect(decodeError(b('\x80\x04\x8f(K\x01]\x85\x90.')).message).toBe("unhashable type: 'list'");
  });

  it('raises only PickleDecodeError on every truncation and on random bytes', () => {
    const valid = encodePickle([tuple('m.a', tuple(1700000000, 1.5)), new Map([['k', [1n, 'v']]])] as never);
    for (let n = 0; n < valid.length; n++) expect(() => decodePickle(valid.subarray(0, n))).toThrow(PickleDecodeError);
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    for (let i = 0; i < 3000; i++) {
      const data = Buffer.from(valid);
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) data[Math.floor(rnd() * data.length)] = Math.floor(rnd() * 256);
      try {
        decodePickle(data);
      } catch (err) {
        expect(err).toBeInstanceOf(PickleDecodeError);
      }
    }
  });

  it('decodes Python 2 strings (S, T, U) as UTF-8 text and V as raw-unicode-escape', () => {
    expect(decodePickle(b("S'caf\\xc3\\xa9\\n'\n."))).toBe('café\n');
    expect(decodePickle(b('U\x02\xc3\xa9.'))).toBe('é');
    expect(decodePickle(b('T\x01\x00\x00\x00a.'))).toBe('a');
    expect(decodePickle(b('Vcaf\\u00e9\n.'))).toBe('café');
    expect(decodeError(b('U\x01\xff.')).pythonError).toBe('UnicodeDecodeError');
    expect(decodePickle(b('C\x02\x00\xff.'))).toEqual(new Uint8Array([0, 255]));
    expect(decodePickle(b('(K\x01K\x02t.'))).toBeInstanceOf(PyTuple);
  });
});
