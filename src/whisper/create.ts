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
  if (fs.existsSync(path)) throw new InvalidConfiguration(`File ${path} already exists!`);

  const fd = fs.openSync(path, 'wx');
  let settings: { aggregationType: number; xFilesFactor: number };
  try {
    settings = checkAggregationSettings(method, xff);
  } catch (err) {
    fs.closeSync(fd); // Python leaves the empty file behind here
    throw err;
  }
  try {
    let oldest = 0;
    for (const [spp, points] of archiveList) oldest = Math.max(oldest, spp * points);
    const headerBytes = headerSize(archiveList.length);
    const header = Buffer.alloc(headerBytes);
    encodeMetadata(settings.aggregationType, oldest, settings.xFilesFactor, archiveList.length).copy(header, 0);
    let offset = headerBytes;
    archiveList.forEach(([spp, points], i) => {
      const at = 16 + i * ARCHIVE_INFO_SIZE;
      header.writeUInt32BE(offset, at);
      header.writeUInt32BE(spp, at + 4);
      header.writeUInt32BE(points, at + 8);
      offset += points * POINT_SIZE;
    });
    writeAll(fd, header, 0);
    const total = offset;
    if (options.sparse && !options.useFallocate) {
      fs.ftruncateSync(fd, total);
    } else {
      for (let at = headerBytes; at < total; at += ZERO_CHUNK.length) {
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

function writeAll(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
}
