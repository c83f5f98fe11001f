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
  const texts: string[] = VALUE_TEXTS;
  let bound = 0;
  for (let i = start; i < end; i++) {
    const v = formatCarbonValue(values[i]!);
    texts[i - start] = v;
    bound += names[i]!.length * 3 + v.length + FIXED_BYTES;
  }
  const reserved = slab ? slab.reserve(bound) : { buf: Buffer.allocUnsafe(bound), off: 0 };
  const buf = reserved.buf;
  let o = reserved.off;
  for (let i = start; i < end; i++) {
    const ts = timestamps[i]!;
    if (!Number.isFinite(ts)) {
      if (skipped) skipped.count++;
      continue;
    }
    o += writeUtf8(buf, o, names[i]!);
    buf[o++] = 0x20;
    const v = texts[i - start]!;
    for (let k = 0; k < v.length; k++) buf[o + k] = v.charCodeAt(k);
    o += v.length;
    buf[o++] = 0x20;
    o = writeTimestamp(buf, o, ts);
    buf[o++] = 0x0d;
    buf[o++] = 0x0a;
  }
  return slab ? slab.commit(buf, reserved.off, o) : buf.subarray(0, o);
}

/** Scratch for one frame's value texts (frames are encoded one at a time). */
const VALUE_TEXTS: string[] = [];

/** `"%d" % ts` (truncated toward zero) as ASCII digits at buf[o]; ts is finite. */
function writeTimestamp(buf: Buffer, o: number, ts: number): number {
  let t = Math.trunc(ts);
  if (t < -MAX_SAFE_TS || t > MAX_SAFE_TS) {
    const text = formatCarbonTimestamp(ts)!;
    for (let k = 0; k < text.length; k++) buf[o + k] = text.charCodeAt(k);
    return o + text.length;
  }
  if (t < 0) {
    buf[o++] = 0x2d;
    t = -t;
  }
  let digits = 1;
  for (let p = 10; p <= t; p *= 10) digits++;
  for (let k = digits - 1; k >= 0; k--) {
    buf[o + k] = 0x30 + (t % 10);
    t = Math.floor(t / 10);
  }
  return o + digits;
}
