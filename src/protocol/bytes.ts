/** Text of single-byte characters (ASCII or Latin-1). Node's latin1Slice skips toString()'s argument checks, which shows on hot paths. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (buf as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);
}
