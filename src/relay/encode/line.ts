import type { FrameSlab } from './frame-slab.js';
import type { PointRun } from './point-run.js';
import { formatCarbonTimestamp, formatCarbonValue } from './value-format.js';

/**
 * Carbon's line output for points [start, end): `name value ts\r\n` per point (Twisted's
 * LineOnlyReceiver delimiter is `\r\n`). Values are floats (carbon's receivers make every value a
 * float). A point whose timestamp is NaN/inf cannot be formatted (`"%d" % inf` raises in Python):
 * it is left out and counted in `skipped`.
 */
export function encodeLineFrame(run: PointRun, start: number, end: number, skipped?: { count: number }, slab?: FrameSlab): Buffer {
  let text = '';
  for (let i = start; i < end; i++) {
    const ts = formatCarbonTimestamp(run.timestamps[i]!);
    if (ts === null) {
      if (skipped) skipped.count++;
      continue;
    }
    text += `${run.names[i]!} ${formatCarbonValue(run.values[i]!)} ${ts}\r\n`;
  }
  if (!slab) return Buffer.from(text, 'utf8');
  const { buf, off } = slab.reserve(text.length * 3);
  const len = (buf as unknown as { utf8Write(s: string, o: number): number }).utf8Write(text, off);
  return slab.commit(buf, off, off + len);
}
