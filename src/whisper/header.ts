import { CorruptWhisperFile } from './errors.js';
import {
  AGGREGATION_TYPE_TO_METHOD,
  ARCHIVE_INFO_SIZE,
  METADATA_SIZE,
  POINT_SIZE,
  headerSize,
  type ArchiveInfo,
  type WhisperInfo,
} from './format.js';

/**
 * Largest archive count we accept. Python reads any count and fails on the
 * first short read; we bound it so a garbage count cannot make us allocate a
 * huge buffer before noticing the file is too short.
 */
const MAX_ARCHIVES = 1 << 16;

/** Reads the 16 metadata bytes with exactly Python's `__readHeader` checks. */
export function parseMetadata(
  buf: Buffer,
  path: string,
): { aggregationType: number; maxRetention: number; xFilesFactor: number; archiveCount: number } {
  if (buf.length < METADATA_SIZE) throw new CorruptWhisperFile('Unable to read header', path);
  const aggregationType = buf.readUInt32BE(0);
  const maxRetention = buf.readUInt32BE(4);
  const xFilesFactor = buf.readFloatBE(8);
  const archiveCount = buf.readUInt32BE(12);
  if (!AGGREGATION_TYPE_TO_METHOD.has(aggregationType)) throw new CorruptWhisperFile('Unable to read header', path);
  // `not 0 <= xff <= 1` — also rejects NaN.
  if (!(xFilesFactor >= 0 && xFilesFactor <= 1)) throw new CorruptWhisperFile('Unable to read header', path);
  return { aggregationType, maxRetention, xFilesFactor, archiveCount };
}

/** Bytes needed to hold the whole header of a file whose first 16 bytes are `metadata`. */
export function headerLengthFor(metadata: Buffer, path: string): number {
  const { archiveCount } = parseMetadata(metadata, path);
  if (archiveCount > MAX_ARCHIVES) {
    throw new CorruptWhisperFile(`Unable to read archive metadata: archive count ${archiveCount} is implausible`, path);
  }
  return headerSize(archiveCount);
}

/**
 * Parses a whole header like Python's `__readHeader` (lenient: offsets are not
 * checked). `buf` holds at least the header bytes that exist in the file.
 */
export function parseHeader(buf: Buffer, path: string): WhisperInfo {
  const meta = parseMetadata(buf, path);
  const archives: ArchiveInfo[] = [];
  for (let i = 0; i < meta.archiveCount; i++) {
    const at = METADATA_SIZE + i * ARCHIVE_INFO_SIZE;
    if (at + ARCHIVE_INFO_SIZE > buf.length) throw new CorruptWhisperFile(`Unable to read archive${i} metadata`, path);
    const offset = buf.readUInt32BE(at);
    const secondsPerPoint = buf.readUInt32BE(at + 4);
    const points = buf.readUInt32BE(at + 8);
    archives.push({
      offset,
      secondsPerPoint,
      points,
      retention: secondsPerPoint * points,
      size: points * POINT_SIZE,
    });
  }
  return {
    aggregationMethod: AGGREGATION_TYPE_TO_METHOD.get(meta.aggregationType)!,
    maxRetention: meta.maxRetention,
    xFilesFactor: meta.xFilesFactor,
    archives,
  };
}

/**
 * Checks that a parsed header describes data this library can read and write
 * without touching bytes outside the archives. Python does not check any of
 * this (it would read garbage or write past the end); we refuse instead, so a
 * damaged file is reported and never written into. (A file merely cut short
 * after its header is extended first when the caller asks, see WhisperStore's
 * onShortFile, as Python's writes would grow it.)
 */
export function checkLayout(info: WhisperInfo, fileSize: number, path: string): void {
  const { archives } = info;
  if (archives.length === 0) throw new CorruptWhisperFile('Header declares no archives', path);
  const end = headerSize(archives.length);
  if (fileSize < end) {
    throw new CorruptWhisperFile(`File is ${fileSize} bytes, too short for a header of ${archives.length} archives`, path);
  }
  const sorted = archives.map((a, i) => ({ a, i })).sort((x, y) => x.a.offset - y.a.offset);
  let previousEnd = end;
  let previousIndex = -1;
  for (const { a, i } of sorted) {
    if (a.secondsPerPoint === 0 || a.points === 0) {
      throw new CorruptWhisperFile(`archive${i} has ${a.secondsPerPoint} seconds per point and ${a.points} points`, path);
    }
    if (a.offset < previousEnd) {
      const what = previousIndex < 0 ? 'the header' : `archive${previousIndex}`;
      throw new CorruptWhisperFile(`archive${i} at offset ${a.offset} overlaps ${what}`, path);
    }
    if (a.offset + a.size > fileSize) {
      throw new CorruptWhisperFile(
        `archive${i} (offset ${a.offset}, ${a.points} points) extends past the end of the file (${fileSize} bytes)`,
        path,
      );
    }
    previousEnd = a.offset + a.size;
    previousIndex = i;
  }
}

/** Where the header says the data ends: the end of its last archive. */
export function layoutEnd(info: WhisperInfo): number {
  let end = headerSize(info.archives.length);
  for (const a of info.archives) end = Math.max(end, a.offset + a.size);
  return end;
}

/** Packs the 16 metadata bytes (xFilesFactor rounds to float32 as `struct.pack('!f')` does). */
export function encodeMetadata(aggregationType: number, maxRetention: number, xFilesFactor: number, archiveCount: number): Buffer {
  const buf = Buffer.alloc(METADATA_SIZE);
  buf.writeUInt32BE(aggregationType, 0);
  buf.writeUInt32BE(maxRetention, 4); // throws RangeError beyond u32, like struct.error
  buf.writeFloatBE(xFilesFactor, 8);
  buf.writeUInt32BE(archiveCount, 12);
  return buf;
}
