/**
 * carbon.proto (package `carbon`), hand-coded:
 *   message Point   { uint32 timestamp = 1; double value = 2; }
 *   message Metric  { string metric = 1; repeated Point points = 2; }
 *   message Payload { repeated Metric metrics = 1; }
 *
 * The decoder follows the C++ protobuf parser that python3-protobuf uses (checked against it):
 * unknown fields (and known field numbers with an unexpected wire type) are skipped, groups
 * included; the last value of a singular field wins; a uint32 keeps the low 32 bits of its
 * varint; a proto3 string must be valid UTF-8; any truncation is an error; a zero or END_GROUP
 * tag ends the top-level message (the rest is ignored) but is an error inside a nested one.
 * It decodes straight into a MetricBatch-like sink so no object is made per point.
 */
import type { MetricBatch } from '../pipeline/batch.js';
import { ProtobufDecodeError } from './errors.js';
import { ACCEPT_OK, type AcceptStatus, type PointAcceptor } from './point-acceptor.js';
import { pyUtf8 } from './python-text.js';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

class Reader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  fail(what: string): never {
    throw new ProtobufDecodeError(`invalid protobuf: ${what} at byte ${this.pos}`);
  }

  /** A varint as a number holding its low 32 bits (unsigned); longer varints are consumed whole. */
  varint32(): number {
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = this.buf[this.pos++];
      if (shift < 32) result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** A length-delimited field's length, checked against the bytes present. */
  length(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated length');
      const b = this.buf[this.pos++];
      n += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) {
        if (n > this.end - this.pos) this.fail('length beyond the end of the message');
        return n;
      }
    }
    return this.fail('length varint longer than 10 bytes');
  }

  /** Skips a field's value; `field` matters only for groups, which must end with their own number. */
  skip(wireType: number, field: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint32();
        return;
      case WIRE_FIXED64:
        if (this.end - this.pos < 8) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE_LEN: {
        const n = this.length(); // (not `this.pos += this.length()`: that would drop the varint's own bytes)
        this.pos += n;
        return;
      }
      case WIRE_START_GROUP:
        this.skipGroup(field);
        return;
      case WIRE_FIXED32:
        if (this.end - this.pos < 4) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }

  /**
   * The next field's tag as [field, wireType], or `undefined` where the C++ protobuf parser
   * (python3-protobuf's implementation) ends a top-level message successfully: a zero tag or an
   * END_GROUP tag. Inside a nested message both are errors.
   */
  key(topLevel: boolean): [field: number, wireType: number] | undefined {
    const k = this.varint32();
    if (k === 0 || (k & 7) === WIRE_END_GROUP) {
      if (topLevel) return undefined;
      this.fail(k === 0 ? 'zero tag' : 'unexpected end-group tag');
    }
    const field = k >>> 3;
    if (field === 0) this.fail('field number 0');
    return [field, k & 7];
  }

  /** Skips a group's fields up to the END_GROUP tag with the same field number. */
  skipGroup(field: number): void {
    const open = [field];
    while (open.length > 0) {
      if (this.pos >= this.end) this.fail('unterminated group');
      const k = this.varint32();
      const f = k >>> 3;
      const wire = k & 7;
      if (f === 0) this.fail('field number 0');
      if (wire === WIRE_END_GROUP) {
        if (open.pop() !== f) this.fail('mismatched end-group tag');
      } else if (wire === WIRE_START_GROUP) open.push(f);
      else this.skip(wire, f);
    }
  }
}

/** One decoded Metric: its name and where its points are, for the second pass. */
interface MetricSpan {
  name: string;
  pointStarts: number[];
  pointEnds: number[];
}

function decodeMetric(r: Reader): MetricSpan {
  let name = '';
  const pointStarts: number[] = [];
  const pointEnds: number[] = [];
  while (r.pos < r.end) {
    const [field, wire] = r.key(false)!;
    if (field === 1 && wire === WIRE_LEN) {
      const n = r.length();
      try {
        name = pyUtf8.decode(r.buf.subarray(r.pos, r.pos + n));
      } catch {
        r.fail('metric name is not valid UTF-8');
      }
      r.pos += n;
    } else if (field === 2 && wire === WIRE_LEN) {
      const n = r.length();
      pointStarts.push(r.pos);
      pointEnds.push(r.pos + n);
      r.pos += n;
    } else r.skip(wire, field);
  }
  return { name, pointStarts, pointEnds };
}

const scratch = new DataView(new ArrayBuffer(8));

/** Decodes a Point; returns [timestamp, value]. */
function decodePoint(buf: Uint8Array, start: number, end: number, out: Float64Array): void {
  const r = new Reader(buf, start, end);
  let timestamp = 0;
  let value = 0;
  while (r.pos < r.end) {
    const [field, wire] = r.key(false)!;
    if (field === 1 && wire === WIRE_VARINT) timestamp = r.varint32();
    else if (field === 2 && wire === WIRE_FIXED64) {
      if (r.end - r.pos < 8) r.fail('truncated double');
      for (let i = 0; i < 8; i++) scratch.setUint8(i, buf[r.pos + i]);
      value = scratch.getFloat64(0, true);
      r.pos += 8;
    } else r.skip(wire, field);
  }
  out[0] = timestamp;
  out[1] = value;
}

/**
 * Decodes a carbon.Payload and hands every point, in order, to the accept path. The whole message
 * is validated first, so a malformed payload delivers nothing (protobuf parses before carbon
 * iterates). Returns the first non-OK accept status, which cannot occur for uint32 timestamps but
 * keeps the contract of the other parsers.
 * @throws ProtobufDecodeError
 */
export function decodeProtobufPayload(data: Uint8Array, acceptor: PointAcceptor, out: MetricBatch): AcceptStatus {
  const r = new Reader(data, 0, data.length);
  const metrics: MetricSpan[] = [];
  while (r.pos < r.end) {
    const tag = r.key(true);
    if (tag === undefined) break;
    const [field, wire] = tag;
    if (field === 1 && wire === WIRE_LEN) {
      const n = r.length();
      metrics.push(decodeMetric(new Reader(data, r.pos, r.pos + n)));
      r.pos += n;
    } else r.skip(wire, field);
  }
  const points = new Float64Array(2);
  // Validate every point before accepting any, as Payload.FromString does.
  for (const m of metrics) for (let i = 0; i < m.pointStarts.length; i++) decodePoint(data, m.pointStarts[i], m.pointEnds[i], points);
  for (const m of metrics) {
    for (let i = 0; i < m.pointStarts.length; i++) {
      decodePoint(data, m.pointStarts[i], m.pointEnds[i], points);
      const status = acceptor.accept(out, m.name, points[1], points[0]);
      if (status !== ACCEPT_OK) return status;
    }
  }
  return ACCEPT_OK;
}

/** Protobuf writer for carbon.Payload. */
class Writer {
  private parts: number[] = [];

  varint(v: number): void {
    let x = v;
    while (x >= 0x80) {
      this.parts.push((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    this.parts.push(x);
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.parts.push(x);
  }
  toBuffer(): Buffer {
    return Buffer.from(this.parts);
  }
}

/**
 * Encodes points as carbon's protobuf client does: one Metric per distinct name in first-appearance
 * order, its points in order, timestamp = int(ts) (as uint32), zero-valued fields omitted (proto3).
 */
export function encodeProtobufPayload(names: readonly string[], timestamps: ArrayLike<number>, values: ArrayLike<number>, count = names.length): Buffer {
  const byName = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    let list = byName.get(names[i]);
    if (!list) byName.set(names[i], (list = []));
    list.push(i);
  }
  const payload = new Writer();
  const f64 = Buffer.alloc(8);
  for (const [name, indexes] of byName) {
    const metric = new Writer();
    const nameBytes = Buffer.from(name, 'utf8');
    if (nameBytes.length) {
      metric.varint(0x0a);
      metric.varint(nameBytes.length);
      metric.bytes(nameBytes);
    }
    for (const i of indexes) {
      const point = new Writer();
      const ts = Math.trunc(timestamps[i]);
      // uint32 keeps the low 32 bits, as Python's protobuf would refuse out-of-range values instead.
      const ts32 = ((ts % 2 ** 32) + 2 ** 32) % 2 ** 32;
      if (ts32 !== 0) {
        point.varint(0x08);
        point.varint(ts32);
      }
      if (!Object.is(values[i], 0)) {
        f64.writeDoubleLE(values[i]);
        point.varint(0x11);
        point.bytes(f64);
      }
      const p = point.toBuffer();
      metric.varint(0x12);
      metric.varint(p.length);
      metric.bytes(p);
    }
    const m = metric.toBuffer();
    payload.varint(0x0a);
    payload.varint(m.length);
    payload.bytes(m);
  }
  return payload.toBuffer();
}
