import { crc32 } from 'node:zlib';
import type { PointRun } from '../encode/point-run.js';
import type { PointChunk } from '../queue/point-chunk.js';

/**
 * One spill record holds one chunk of points, independent of DESTINATION_PROTOCOL (so a spill
 * survives a protocol change between runs):
 *
 *   u32 LE payload length | u32 LE crc32(payload) | payload
 *   payload = u32 LE count, then per point: u32 LE name byte length, name UTF-8, f64 LE ts, f64 LE value
 *
 * The CRC lets a reader tell a record torn by a crash from a good one.
 */
export const RECORD_HEADER_BYTES = 8;

export function encodeSpillRecord(run: PointRun, start: number, end: number): Buffer {
  let bound = RECORD_HEADER_BYTES + 4;
  for (let i = start; i < end; i++) bound += 4 + run.names[i]!.length * 3 + 16;
  const buf = Buffer.allocUnsafe(bound);
  let o = RECORD_HEADER_BYTES;
  buf.writeUInt32LE(end - start, o);
  o += 4;
  for (let i = start; i < end; i++) {
    const len = buf.write(run.names[i]!, o + 4, 'utf8');
    buf.writeUInt32LE(len, o);
    o += 4 + len;
    buf.writeDoubleLE(run.timestamps[i]!, o);
    buf.writeDoubleLE(run.values[i]!, o + 8);
    o += 16;
  }
  const payload = buf.subarray(RECORD_HEADER_BYTES, o);
  buf.writeUInt32LE(payload.length, 0);
  buf.writeUInt32LE(crc32(payload), 4);
  return buf.subarray(0, o);
}

/** Why a record could not be decoded; null when it is good. */
export function checkSpillRecord(payload: Buffer, expectedCrc: number): string | null {
  if (crc32(payload) !== expectedCrc >>> 0) return 'checksum mismatch';
  if (payload.length < 4) return 'record too short';
  return null;
}

/** Decodes a checked payload into `chunk` (which must have room for its points). Returns false if malformed. */
export function decodeSpillPayload(payload: Buffer, chunk: PointChunk): boolean {
  const count = payload.readUInt32LE(0);
  if (count > chunk.capacity - chunk.length) return false;
  let o = 4;
  for (let i = 0; i < count; i++) {
    if (o + 4 > payload.length) return false;
    const len = payload.readUInt32LE(o);
    o += 4;
    if (o + len + 16 > payload.length) return false;
    const name = payload.toString('utf8', o, o + len);
    o += len;
    chunk.push(name, payload.readDoubleLE(o), payload.readDoubleLE(o + 8));
    o += 16;
  }
  return o === payload.length;
}

/** Points in a checked payload, without decoding it. */
export function spillPayloadCount(payload: Buffer): number {
  return payload.readUInt32LE(0);
}
