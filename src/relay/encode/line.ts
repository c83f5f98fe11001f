import { writeUtf8 } from './ascii-write.js';
import type { FrameSlab } from './frame-slab.js';
import type { PointRun } from './point-run.js';
import { formatCarbonTimestamp, formatCarbonValue } from './value-format.js';

/** Longest `%d` of a timestamp written digit by digit (beyond, formatCarbonTimestamp's text is used). */
const MAX_SAFE_TS = Number.MAX_SAFE_INTEGER;
/** Bytes per point besides the name and value: ` `, ` `, 21 timestamp characters, `\r\n`. */
const FIXED_BYTES = 25;

/**
 * Carbon's line output for points [start, end): `name value ts\r\n` per point (Twisted's
 * LineOnlyReceiver delimiter is `\r\n`). Values are floats (carbon's receivers make every value a
 * float). A point whose timestamp is NaN/inf cannot be formatted (`"%d" % inf` raises in Python):
 * it is left out and counted in `skipped`. Bytes are written straight into the frame buffer (no
 * string per frame).
 */
export function encodeLineFrame(run: PointRun, start: number, end: number, skipped?: { count: number }, slab?: FrameSlab): Buffer {
  const names = run.names;
  const values = run.values;
  const timestamps = run.timestamps;
  // One pass: room for ESTIMATED_POINT_BYTES per point is reserved, and a point that would not fit
  // moves the frame to a larger buffer (a first pass over the names to size the frame exactly
  // would read every name twice, and reading them is what costs).
  let capacity = (end - start) * ESTIMATED_POINT_BYTES + ESTIMATED_POINT_BYTES;
  const reserved = slab ? slab.reserve(capacity) : { buf: Buffer.allocUnsafe(capacity), off: 0 };
  let buf = reserved.buf;
  let base = reserved.off;
  let limit = base + capacity;
  let inSlab = slab !== undefined;
  let o = base;
  // Points of one interval share their timestamp: its digits are copied from the last point that
  // had it rather than worked out again.
  let lastTs = NaN;
  let lastTsAt = 0;
  let lastTsLength = 0;
  for (let i = start; i < end; i++) {
    const ts = timestamps[i]!;
    if (!Number.isFinite(ts)) {
      if (skipped) skipped.count++;
      continue;
    }
    const name = names[i]!;
    const v = values[i]!;
    // Values below 2^19, and integers below 10^15, are written digit by digit (at most
    // SIMPLE_VALUE_BYTES); the text of any other value is made first.
    const a = Math.abs(v);
    const text = a < SIMPLE_FRACTION_LIMIT || (a < 1e15 && Number.isInteger(a)) ? null : formatCarbonValue(v);
    const need = name.length * 3 + (text === null ? SIMPLE_VALUE_BYTES : text.length) + FIXED_BYTES;
    if (o + need > limit) {
      capacity = Math.max(capacity * 2, o - base + need * 2);
      const bigger = Buffer.allocUnsafe(capacity);
      buf.copy(bigger, 0, base, o);
      if (lastTsLength > 0) lastTsAt -= base;
      o -= base;
      base = 0;
      buf = bigger;
      limit = capacity;
      inSlab = false;
    }
    o += writeUtf8(buf, o, name);
    buf[o++] = 0x20;
    o = text === null ? writeSimpleValue(buf, o, v) : writeText(buf, o, text);
    buf[o++] = 0x20;
    if (ts === lastTs) {
      for (let k = 0; k < lastTsLength; k++) buf[o + k] = buf[lastTsAt + k]!;
      o += lastTsLength;
    } else {
      lastTs = ts;
      lastTsAt = o;
      o = writeTimestamp(buf, o, ts);
      lastTsLength = o - lastTsAt;
    }
    buf[o++] = 0x0d;
    buf[o++] = 0x0a;
  }
  return inSlab ? slab!.commit(buf, base, o) : buf.subarray(base, o);
}

/** Bytes reserved per point before a frame is written (a longer point grows the frame's buffer). */
const ESTIMATED_POINT_BYTES = 96;

/** Below 2^19 a double's ulp is under 1e-10 (see formatCarbonValue). */
const SIMPLE_FRACTION_LIMIT = 524288;
/** Longest text writeSimpleValue writes: sign, 15 integer digits or 6 digits, point and 10 decimals. */
const SIMPLE_VALUE_BYTES = 18;

/**
 * formatCarbonValue(v) written straight into buf, for |v| < 2^19 or an integer below 10^15.
 * A fraction is rounded to 10 decimals from the exact product v·10^10 (see scaledRound), as
 * Python's `%.10f` rounds the exact binary value, and its trailing zeros are dropped. The few values
 * too close to a tie to decide that way go through formatCarbonValue.
 */
function writeSimpleValue(buf: Buffer, o: number, v: number): number {
  const neg = v < 0 || Object.is(v, -0);
  const a = neg ? -v : v;
  if (Number.isInteger(a)) {
    if (neg) buf[o++] = 0x2d;
    return writeDigits(buf, o, a);
  }
  // One or two decimals (x.5, x.25): m / 10^k === a means that short decimal reads back as a, and
  // below 2^19, where 10^-k is far above the ulp, it is %.10f's text with the zeros dropped.
  for (let k = 1, scale = 10; k <= 2; k++, scale *= 10) {
    const m = Math.round(a * scale);
    if (m / scale !== a) continue;
    if (neg) buf[o++] = 0x2d;
    const whole = Math.floor(m / scale);
    o = writeDigits(buf, o, whole);
    buf[o++] = 0x2e;
    const frac = m - whole * scale;
    if (k === 1) {
      buf[o++] = 0x30 + frac;
    } else {
      const tens = Math.floor(frac / 10);
      buf[o++] = 0x30 + tens;
      if (frac - tens * 10 !== 0) buf[o++] = 0x30 + frac - tens * 10;
    }
    return o;
  }
  const n = a >= 1e-6 ? scaledRound(a) : -1;
  if (n < 0) return writeText(buf, o, formatCarbonValue(v));
  let whole = Math.floor(n / 1e10);
  if (whole * 1e10 > n) whole--; // the division may round up to the next integer
  const frac = n - whole * 1e10;
  if (neg) buf[o++] = 0x2d;
  o = writeDigits(buf, o, whole);
  if (frac === 0) return o;
  buf[o++] = 0x2e;
  // Ten digits as two groups of five (int32 arithmetic), then the trailing zeros dropped.
  const high = Math.floor(frac / 1e5);
  write5(buf, o, high);
  write5(buf, o + 5, frac - high * 1e5);
  o += 10;
  while (buf[o - 1] === 0x30) o--;
  return o;
}

/** 0 <= n < 100000 as five digits, zero-padded. */
function write5(buf: Buffer, o: number, n: number): void {
  writeFixedDigits(buf, o, n | 0, 5);
}

/** Veltkamp's splitter for doubles (2^27 + 1), and 10^10 split into two halves of 26 bits. */
const SPLITTER = 134217729;
const TEN10_HIGH = SPLITTER * 1e10 - (SPLITTER * 1e10 - 1e10);
const TEN10_LOW = 1e10 - TEN10_HIGH;

/**
 * a·10^10 rounded to an integer the way `%.10f` rounds it, for 1e-6 <= a < 2^19, or -1 when the
 * fraction of a·10^10 is within 1e-15 of one half (an exact tie, which Python rounds to even, or
 * too close to tell here). The product is computed exactly as p + e (Dekker's two-product), so the
 * rounding is decided on the exact value, not on the rounded double p.
 */
function scaledRound(a: number): number {
  const p = a * 1e10;
  const c = SPLITTER * a;
  const aHigh = c - (c - a);
  const aLow = a - aHigh;
  const e = aHigh * TEN10_HIGH - p + aHigh * TEN10_LOW + aLow * TEN10_HIGH + aLow * TEN10_LOW;
  let n = Math.floor(p);
  let frac = p - n + e;
  if (frac < 0) {
    n -= 1;
    frac += 1;
  } else if (frac >= 1) {
    n += 1;
    frac -= 1;
  }
  const off = frac - 0.5;
  if (off > 1e-15) return n + 1;
  if (off < -1e-15) return n;
  return -1;
}

/** The decimal digits of a non-negative integer below 2^53. */
function writeDigits(buf: Buffer, o: number, n: number): number {
  if (n <= 0x7fffffff) return writeSmallDigits(buf, o, n | 0);
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  for (let k = digits - 1; k >= 0; k--) {
    buf[o + k] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return o + digits;
}

/** writeDigits for 0 <= n < 2^31, in int32 arithmetic (a division by 10 becomes a multiply). */
function writeSmallDigits(buf: Buffer, o: number, n: number): number {
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  writeFixedDigits(buf, o, n, digits);
  return o + digits;
}

/** The last `digits` decimal digits of 0 <= n < 2^31 at buf[o], zero-padded, in int32 arithmetic. */
function writeFixedDigits(buf: Buffer, o: number, n: number, digits: number): void {
  for (let k = digits - 1; k >= 0; k--) {
    const q = (n / 10) | 0;
    buf[o + k] = 0x30 + n - q * 10;
    n = q;
  }
}

/** ASCII text at buf[o]. */
function writeText(buf: Buffer, o: number, text: string): number {
  for (let k = 0; k < text.length; k++) buf[o + k] = text.charCodeAt(k);
  return o + text.length;
}

/** `"%d" % ts` (truncated toward zero) as ASCII digits at buf[o]; ts is finite. */
function writeTimestamp(buf: Buffer, o: number, ts: number): number {
  const t = Math.trunc(ts);
  if (t < -MAX_SAFE_TS || t > MAX_SAFE_TS) return writeText(buf, o, formatCarbonTimestamp(ts)!);
  if (t < 0) {
    buf[o++] = 0x2d;
    return writeDigits(buf, o, -t);
  }
  return writeDigits(buf, o, t);
}
