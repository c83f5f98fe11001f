import * as fs from 'node:fs';
import { InvalidAggregationMethod, InvalidConfiguration, InvalidXFilesFactor } from './errors.js';
import { AGGREGATION_METHOD_TO_TYPE, ARCHIVE_INFO_SIZE, POINT_SIZE, headerSize, type ArchiveSpec } from './format.js';
import { encodeMetadata } from './header.js';
import { pyFloat, pyFloatRepr } from './pymath.js';
import { validateArchiveList } from './retention.js';

/** Zero-fill chunk: larger than Python's 16 KiB (fewer syscalls), same bytes. */
const ZERO_CHUNK = Buffer.alloc(1 << 20);

/**
 * Checks an aggregation method name and xFilesFactor as Python's
 * `__writeHeaderMetadata` does and returns the type code and the float value.
 */
export function checkAggregationSettings(
  aggregationMethod: string,
  xFilesFactor: number | string,
): { aggregationType: number; xFilesFactor: number } {
  const aggregationType = AGGREGATION_METHOD_TO_TYPE.get(aggregationMethod);
  if (aggregationType === undefined) {
    throw new InvalidAggregationMethod(`Unrecognized aggregation method: ${aggregationMethod}`);
  }
  let xff: number;
  try {
    xff = pyFloat(xFilesFactor);
  } catch {
    throw new InvalidXFilesFactor(`Invalid xFilesFactor ${xFilesFactor}, not a float`);
  }
  // NaN passes this test in Python too (and the file is then unreadable).
  if (xff < 0 || xff > 1) throw new InvalidXFilesFactor(`Invalid xFilesFactor ${pyFloatRepr(xff)}, not between 0 and 1`);
  return { aggregationType, xFilesFactor: xff };
}

export interface CreateOptions {
  /** Leave the data region as a hole (ftruncate) instead of writing zeros. */
  sparse?: boolean;
  /**
   * Python uses posix_fallocate when asked; Node cannot call it, so the data
   * region is written with zeros, which also reserves the blocks on disk.
   */
  useFallocate?: boolean;
  /** fsync before closing (Python AUTOFLUSH). */
  autoflush?: boolean;
  /**
   * Check method and xFilesFactor before the file is created. Python checks
   * them after opening and leaves a 0-byte file behind on error; the
   * module-compatible `create` keeps that quirk, the store does not.
   */
  validateFirst?: boolean;
}

/** Bytes of a file with these archives: header plus 12 bytes per point. */
export function fileSizeFor(archiveList: readonly ArchiveSpec[]): number {
  let size = headerSize(archiveList.length);
  for (const [, points] of archiveList) size += points * POINT_SIZE;
  return size;
}

/**
 * The header of a file with these (sorted, validated) archives, encoded into `out` (at least
 * headerSize bytes). Returns the header's length.
 */
export function encodeHeader(
  out: Buffer,
  archiveList: readonly ArchiveSpec[],
  settings: { aggregationType: number; xFilesFactor: number },
): number {
  let oldest = 0;
  for (const [spp, points] of archiveList) oldest = Math.max(oldest, spp * points);
  const headerBytes = headerSize(archiveList.length);
  encodeMetadata(settings.aggregationType, oldest, settings.xFilesFactor, archiveList.length).copy(out, 0);
  let offset = headerBytes;
  archiveList.forEach(([spp, points], i) => {
    const at = 16 + i * ARCHIVE_INFO_SIZE;
    out.writeUInt32BE(offset, at);
    out.writeUInt32BE(spp, at + 4);
    out.writeUInt32BE(points, at + 8);
    offset += points * POINT_SIZE;
  });
  return headerBytes;
}

/**
 * The whole content of a new file, as whisper.create would write it (header, zeroed data):
 * sorts `archiveList` in place and checks it, the method and xFilesFactor, like createFile with
 * validateFirst. For creating a file and writing its first points in one write (WhisperStore).
 */
export function newFileImage(
  archiveList: ArchiveSpec[],
  xFilesFactor: number | string | null = null,
  aggregationMethod: string | null = null,
  scratch?: { get(size: number): Buffer },
): Buffer {
  validateArchiveList(archiveList);
  const settings = checkAggregationSettings(aggregationMethod ?? 'average', xFilesFactor ?? 0.5);
  const size = fileSizeFor(archiveList);
  // A reused buffer spares a zeroed allocation (and its garbage) per new file.
  const image = scratch ? scratch.get(size).subarray(0, size).fill(0) : Buffer.alloc(size);
  encodeHeader(image, archiveList, settings);
  return image;
}

/** Opens a new file for writing, refusing an existing path with Python's error. */
export function openNewFile(path: string, flags: 'wx' | 'wx+' = 'wx'): number {
  try {
    return fs.openSync(path, flags);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new InvalidConfiguration(`File ${path} already exists!`);
    throw err;
  }
}

/**
 * Python `whisper.create`. Sorts `archiveList` in place (as Python does),
 * refuses an existing path, writes header + zeroed data. On an I/O error the
 * partial file is removed.
 */
export function createFile(
  path: string,
  archiveList: ArchiveSpec[],
  xFilesFactor: number | string | null = null,
  aggregationMethod: string | null = null,
  options: CreateOptions = {},
): void {
  const xff = xFilesFactor ?? 0.5;
  const method = aggregationMethod ?? 'average';
  validateArchiveList(archiveList);
  if (options.validateFirst) checkAggregationSettings(method, xff);
  // O_EXCL is the existence check (Python stats first; the outcome is the same).
  const fd = openNewFile(path);
  let settings: { aggregationType: number; xFilesFactor: number };
  try {
    settings = checkAggregationSettings(method, xff);
  } catch (err) {
    fs.closeSync(fd); // Python leaves the empty file behind here
    throw err;
  }
  try {
    const total = fileSizeFor(archiveList);
    const headerBytes = headerSize(archiveList.length);
    if (options.sparse && !options.useFallocate) {
      const header = Buffer.alloc(headerBytes);
      encodeHeader(header, archiveList, settings);
      writeAll(fd, header, 0);
      fs.ftruncateSync(fd, total);
    } else {
      // The header and the first zeros go out in one write.
      const first = Buffer.alloc(Math.max(headerBytes, Math.min(total, ZERO_CHUNK.length)));
      encodeHeader(first, archiveList, settings);
      writeAll(fd, first, 0);
      for (let at = first.length; at < total; at += ZERO_CHUNK.length) {
        writeAll(fd, ZERO_CHUNK.subarray(0, Math.min(ZERO_CHUNK.length, total - at)), at);
      }
    }
    if (options.autoflush) fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    fs.rmSync(path, { force: true });
    throw err;
  }
}

export function writeAll(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
}
