/**
 * Writes `s` as UTF-8 at `buf[o]` when every character is ASCII, returning the offset after it, or
 * -1 (nothing meaningful written) when a character needs more than one byte; the caller then uses
 * Buffer's UTF-8 writer. Metric names are short ASCII strings: a JIT-compiled copy loop costs less
 * than a call into Node's native writer per name.
 */
export function writeAscii(buf: Uint8Array, o: number, s: string): number {
  const n = s.length;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x80) return -1;
    buf[o + k] = c;
  }
  return o + n;
}

/** Node's unchecked UTF-8 writer behind Buffer#write (callers have bounded the space needed). */
interface Utf8Writable {
  utf8Write(s: string, offset: number): number;
}

/** `s` as UTF-8 at `buf[o]` (room for 3 bytes per UTF-16 unit must be there); returns the byte count. */
export function writeUtf8(buf: Buffer, o: number, s: string): number {
  const end = writeAscii(buf, o, s);
  return end >= 0 ? end - o : (buf as unknown as Utf8Writable).utf8Write(s, o);
}
