/**
 * Pickle encoder, protocol 2, writing the opcodes CPython's pickle.dumps(obj, protocol=2) writes:
 * PROTO 2; None/True/False as N/NEWTRUE/NEWFALSE; ints as BININT1/BININT2/BININT/LONG1/LONG4;
 * floats as BINFLOAT; str as BINUNICODE; lists and dicts as EMPTY_LIST/EMPTY_DICT followed by
 * APPEND/SETITEM for one element or MARK … APPENDS/SETITEMS in batches of 1000; tuples as
 * EMPTY_TUPLE/TUPLE1-3/MARK…TUPLE; every str, tuple, list and dict gets a BINPUT (LONG_BINPUT past
 * 255) memo slot, and a list, dict or tuple seen again is written as BINGET/LONG_BINGET.
 *
 * Values: see pickle-values.ts. A JavaScript number is written as a Python float, a bigint as a
 * Python int. Plain objects are accepted as dicts with string keys, for convenience.
 */
import { PickleEncodeError } from './errors.js';
import { frameWithLength } from './frame-reader.js';
import { PyTuple, type PyValue } from './pickle-values.js';

/** What the encoder accepts: PyValue plus plain objects standing for dicts with str keys. */
export type PicklableValue = PyValue | PicklableValue[] | { [key: string]: PicklableValue } | Map<PicklableValue, PicklableValue>;

/** Python's pickle._BATCHSIZE. */
const BATCH_SIZE = 1000;

class ByteWriter {
  buf = Buffer.allocUnsafe(256);
  len = 0;

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }
  i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32LE(v, this.len);
    this.len += 4;
  }
  f64be(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.len);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  utf8(s: string): number {
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n);
    this.buf.write(s, this.len, 'utf8');
    this.len += n;
    return n;
  }
}

/** Little-endian two's complement in the fewest bytes, as pickle.encode_long writes it. */
function encodeLong(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0);
  const out: number[] = [];
  let x = v;
  for (;;) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
    const sign = out[out.length - 1] & 0x80;
    if ((x === 0n && !sign) || (x === -1n && sign)) break;
  }
  return Uint8Array.from(out);
}

class Encoder {
  readonly w = new ByteWriter();
  private readonly memo = new Map<object, number>();

  private memoize(obj: object): void {
    const idx = this.memo.size;
    this.memo.set(obj, idx);
    if (idx < 256) {
      this.w.byte(0x71);
      this.w.byte(idx);
    } else {
      this.w.byte(0x72);
      this.w.u32(idx);
    }
  }

  /** Writes BINGET for an object already written; true if it did. */
  private fromMemo(obj: object): boolean {
    const idx = this.memo.get(obj);
    if (idx === undefined) return false;
    if (idx < 256) {
      this.w.byte(0x68);
      this.w.byte(idx);
    } else {
      this.w.byte(0x6a);
      this.w.u32(idx);
    }
    return true;
  }

  save(v: PicklableValue): void {
    const w = this.w;
    if (v === null || v === undefined) return w.byte(0x4e);
    switch (typeof v) {
      case 'boolean':
        return w.byte(v ? 0x88 : 0x89);
      case 'number':
        w.byte(0x47);
        return w.f64be(v);
      case 'bigint':
        return this.saveInt(v);
      case 'string':
        w.byte(0x58);
        w.u32(0);
        {
          const lenAt = w.len - 4;
          const n = w.utf8(v);
          w.buf.writeUInt32LE(n, lenAt);
        }
        // Python memoizes each str object; equal strings are not the same object, so no lookup.
        return this.memoize({});
    }
    if (v instanceof Uint8Array) return this.saveBytes(v);
    if (this.fromMemo(v)) return;
    if (v instanceof PyTuple) return this.saveTuple(v);
    if (Array.isArray(v)) {
      w.byte(0x5d);
      this.memoize(v);
      return this.saveBatched(v.length, (i) => this.save(v[i]), 0x61, 0x65);
    }
    const entries: [PicklableValue, PicklableValue][] = v instanceof Map ? Array.from(v.entries()) : Object.entries(v);
    w.byte(0x7d);
    this.memoize(v);
    this.saveBatched(
      entries.length,
      (i) => {
        this.save(entries[i][0]);
        this.save(entries[i][1]);
      },
      0x73,
      0x75,
    );
  }

  /** _batch_appends/_batch_setitems: one element → single opcode; more → MARK … multi opcode, per 1000. */
  private saveBatched(n: number, saveOne: (i: number) => void, single: number, multi: number): void {
    for (let start = 0; start < n; start += BATCH_SIZE) {
      const stop = Math.min(n, start + BATCH_SIZE);
      if (stop - start === 1) {
        saveOne(start);
        this.w.byte(single);
      } else {
        this.w.byte(0x28);
        for (let i = start; i < stop; i++) saveOne(i);
        this.w.byte(multi);
      }
    }
  }

  private saveTuple(t: PyTuple): void {
    const w = this.w;
    const n = t.items.length;
    if (n === 0) return w.byte(0x29); // EMPTY_TUPLE, not memoized
    if (n <= 3) {
      for (const item of t.items) this.save(item as PicklableValue);
      w.byte(0x84 + n);
    } else {
      w.byte(0x28);
      for (const item of t.items) this.save(item as PicklableValue);
      w.byte(0x74);
    }
    this.memoize(t);
  }

  private saveInt(v: bigint): void {
    const w = this.w;
    if (v >= 0n && v <= 0xffn) {
      w.byte(0x4b);
      w.byte(Number(v));
    } else if (v >= 0n && v <= 0xffffn) {
      w.byte(0x4d);
      w.u16(Number(v));
    } else if (v >= -0x80000000n && v <= 0x7fffffffn) {
      w.byte(0x4a);
      w.i32(Number(v));
    } else {
      const bytes = encodeLong(v);
      if (bytes.length < 256) {
        w.byte(0x8a);
        w.byte(bytes.length);
      } else {
        w.byte(0x8b);
        w.i32(bytes.length);
      }
      w.bytes(bytes);
    }
  }

  /**
   * Protocol 2 has no bytes opcode: Python writes `_codecs.encode(latin1_text, 'latin1')` (or
   * `bytes()` when empty) as a REDUCE. Carbon's own unpickler refuses that global, as Python's does.
   */
  private saveBytes(b: Uint8Array): void {
    const w = this.w;
    const global = (module: string, name: string): void => {
      w.byte(0x63);
      w.utf8(`${module}\n${name}\n`);
      this.memoize({});
    };
    if (b.length === 0) {
      global('__builtin__', 'bytes');
      w.byte(0x29);
    } else {
      global('_codecs', 'encode');
      this.save(Buffer.from(b).toString('latin1'));
      this.save('latin1');
      w.byte(0x86);
      this.memoize({});
    }
    w.byte(0x52);
    this.memoize({});
  }
}

/** `pickle.dumps(value, protocol=2)`. */
export function encodePickle(value: PicklableValue): Buffer {
  const e = new Encoder();
  e.w.byte(0x80);
  e.w.byte(2);
  try {
    e.save(value);
  } catch (err) {
    if (err instanceof RangeError) throw new PickleEncodeError(`value too deeply nested or too large to pickle: ${err.message}`);
    throw err;
  }
  e.w.byte(0x2e);
  return e.w.buf.subarray(0, e.w.len);
}

/** A 4-byte big-endian length prefix followed by `pickle.dumps(value, protocol=2)`: a CarbonLink response or a pickle-protocol frame. */
export function encodePickleFrame(value: PicklableValue): Buffer {
  return frameWithLength(encodePickle(value));
}
