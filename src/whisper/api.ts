// The whisper module's path-based API (create, info, update, update_many,
// fetch, setAggregationMethod, setXFilesFactor, merge, diff). Each call opens
// and closes the file like Python does; `now` is overridable everywhere.
import * as fs from 'node:fs';
import { ArchiveLayoutMismatch, WhisperValueError } from './errors.js';
import { type AggregationMethod, type ArchiveInfo, type ArchiveSpec, type WhisperInfo } from './format.js';
import { archiveFetch, fetchFromFile, type FetchResult } from './fetch.js';
import { WhisperFile, withWhisperFile } from './file.js';
import { checkAggregationSettings, createFile } from './create.js';
import { encodeMetadata } from './header.js';
import { pyFloat, pyInt } from './pymath.js';
import { archiveUpdateMany, updateManyPoints, updatePoint } from './write.js';

/** A point as the Python API takes it: `(timestamp, value)`; strings go through int()/float(). */
export type PointInput = readonly [timestamp: number | string, value: number | string];

export interface WriteOptions {
  /** fsync after writing (Python AUTOFLUSH). */
  autoflush?: boolean;
}

function currentTime(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Python `whisper.create(path, archiveList, xFilesFactor=None, aggregationMethod=None, sparse=False, useFallocate=False)`.
 * `archiveList` is sorted in place, as in Python.
 */
export function create(
  path: string,
  archiveList: ArchiveSpec[],
  xFilesFactor?: number | string | null,
  aggregationMethod?: string | null,
  sparse = false,
  useFallocate = false,
  options: WriteOptions = {},
): void {
  createFile(path, archiveList, xFilesFactor ?? null, aggregationMethod ?? null, {
    sparse,
    useFallocate,
    autoflush: options.autoflush,
  });
}

/**
 * Python `whisper.info(path)`: the header, or null when the file cannot be
 * opened or read. Only Python's header checks apply (a corrupt header throws
 * CorruptWhisperFile); archive offsets are reported as stored.
 */
export function info(path: string): WhisperInfo | null {
  let file: WhisperFile;
  try {
    file = WhisperFile.open(path, false, false);
  } catch (err) {
    if (isOsError(err)) return null;
    throw err;
  }
  file.close();
  return file.info;
}

function isOsError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'syscall' in err;
}

/**
 * Python `whisper.update(path, value, timestamp=None, now=None)`: one point;
 * TimestampNotCovered when it is in the future or older than maxRetention.
 */
export function update(
  path: string,
  value: number | string,
  timestamp?: number | string | null,
  now?: number | null,
  options: WriteOptions = {},
): void {
  const v = pyFloat(value);
  withWhisperFile(path, true, (file) => {
    const n = now ?? currentTime();
    const t = pyInt(timestamp ?? n);
    updatePoint(file, v, t, n);
    if (options.autoflush) file.fsync();
  });
}

/**
 * Python `whisper.update_many(path, points, now=None)`: too-old points are
 * dropped silently, future ones are written; of identical timestamps the
 * first in `points` wins.
 */
export function updateMany(path: string, points: readonly PointInput[], now?: number | null, options: WriteOptions = {}): void {
  if (points.length === 0) return;
  const timestamps = new Float64Array(points.length);
  const values = new Float64Array(points.length);
  points.forEach(([t, v], i) => {
    timestamps[i] = pyInt(t);
    values[i] = pyFloat(v);
  });
  withWhisperFile(path, true, (file) => {
    updateManyPoints(file, timestamps, values, points.length, now ?? currentTime());
    if (options.autoflush) file.fsync();
  });
}

/**
 * Python `whisper.fetch(path, fromTime, untilTime=None, now=None, archiveToSelect=None)`;
 * null when the range is entirely in the future or beyond the retention.
 */
export function fetch(
  path: string,
  fromTime: number | string,
  untilTime?: number | string | null,
  now?: number | null,
  archiveToSelect?: number | string | null,
): FetchResult | null {
  return withWhisperFile(path, false, (file) => fetchFromFile(file, fromTime, untilTime, now ?? currentTime(), archiveToSelect));
}

function setAggregation(
  path: string,
  aggregationMethod: string | null,
  xFilesFactor: number | string | null,
  options: WriteOptions,
): [AggregationMethod, number] {
  return withWhisperFile(path, true, (file) => {
    const old = file.info;
    const settings = checkAggregationSettings(aggregationMethod ?? old.aggregationMethod, xFilesFactor ?? old.xFilesFactor);
    const meta = encodeMetadata(settings.aggregationType, old.maxRetention, settings.xFilesFactor, old.archives.length);
    file.writeAt(meta, 0, meta.length, 0);
    if (options.autoflush) file.fsync();
    return [old.aggregationMethod, old.xFilesFactor];
  });
}

/** Python `whisper.setAggregationMethod`: rewrites the metadata, returns the OLD method name. */
export function setAggregationMethod(
  path: string,
  aggregationMethod: string,
  xFilesFactor?: number | string | null,
  options: WriteOptions = {},
): AggregationMethod {
  return setAggregation(path, aggregationMethod, xFilesFactor ?? null, options)[0];
}

/** Python `whisper.setXFilesFactor`: returns the OLD xFilesFactor (float32 widened). */
export function setXFilesFactor(path: string, xFilesFactor: number | string, options: WriteOptions = {}): number {
  return setAggregation(path, null, xFilesFactor, options)[1];
}

function sameArchives(a: readonly ArchiveInfo[], b: readonly ArchiveInfo[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (x, i) =>
        x.offset === b[i].offset &&
        x.secondsPerPoint === b[i].secondsPerPoint &&
        x.points === b[i].points &&
        x.retention === b[i].retention &&
        x.size === b[i].size,
    )
  );
}

/** Archive indexes ordered by ascending retention (Python's stable `sort(key=retention)`). */
function byRetention(archives: readonly ArchiveInfo[]): number[] {
  return archives.map((_, i) => i).sort((x, y) => archives[x].retention - archives[y].retention);
}

/**
 * Python `whisper.merge(path_from, path_to, time_from=None, time_to=None, now=None)`:
 * copies every non-empty slot of `pathFrom` in the range into the same
 * archive of `pathTo` (overwriting) and propagates. Layouts must be equal.
 */
export function merge(
  pathFrom: string,
  pathTo: string,
  timeFrom?: number | null,
  timeTo?: number | null,
  now?: number | null,
): void {
  withWhisperFile(pathFrom, false, (src) =>
    withWhisperFile(pathTo, true, (dst) => {
      if (!sameArchives(src.info.archives, dst.info.archives)) {
        throw new ArchiveLayoutMismatch(
          `${pathFrom} and ${pathTo} archive configurations are unalike. Resize the input before merging`,
        );
      }
      const n = now ?? currentTime();
      const untilTime = timeTo ?? n;
      const fromTime = timeFrom ?? 0;
      if (untilTime < fromTime) throw new WhisperValueError('time_to must be >= time_from');
      for (const index of byRetention(src.info.archives)) {
        const archive = src.info.archives[index];
        let archiveFrom = fromTime;
        if (archiveFrom < n - archive.retention) archiveFrom = n - archive.retention;
        if (untilTime < n - archive.retention) continue;
        const { timeInfo, values } = archiveFetch(src, archive, archiveFrom, untilTime);
        const [start, end, step] = timeInfo;
        const ts: number[] = [];
        const vs: number[] = [];
        for (let k = 0, t = start; t < end && k < values.length; k++, t += step) {
          const v = values[k];
          if (v !== null) {
            ts.push(t);
            vs.push(v);
          }
        }
        if (ts.length === 0) continue;
        archiveUpdateMany(dst, index, ts, vs, ts.length);
      }
    }),
  );
}

/** One entry of Python's diff result: `(archive_number, [(timestamp, value_a, value_b)...], total)`. */
export interface ArchiveDiff {
  archive: number;
  diffs: [timestamp: number, valueFrom: number | null, valueTo: number | null][];
  total: number;
}

/**
 * Python `whisper.diff(path_from, path_to, ignore_empty=False, until_time=None, now=None)`.
 * Archives are numbered by ascending retention.
 */
export function diff(
  pathFrom: string,
  pathTo: string,
  ignoreEmpty = false,
  untilTime?: number | null,
  now?: number | null,
): ArchiveDiff[] {
  return withWhisperFile(pathFrom, false, (a) =>
    withWhisperFile(pathTo, false, (b) => {
      if (!sameArchives(a.info.archives, b.info.archives)) {
        throw new ArchiveLayoutMismatch(
          `${pathFrom} and ${pathTo} archive configurations are unalike. Resize the input before diffing`,
        );
      }
      const n = now ?? currentTime();
      let until = untilTime ? untilTime : n;
      const result: ArchiveDiff[] = [];
      byRetention(a.info.archives).forEach((index, archiveNumber) => {
        const archive = a.info.archives[index];
        const startTime = n - archive.retention;
        const fa = archiveFetch(a, archive, startTime, until);
        const fb = archiveFetch(b, b.info.archives[index], startTime, until);
        const start = Math.min(fa.timeInfo[0], fb.timeInfo[0]);
        const end = Math.max(fa.timeInfo[1], fb.timeInfo[1]);
        const step = Math.min(fa.timeInfo[2], fb.timeInfo[2]);
        const count = Math.floor((end - start) / step);
        const kept: [number, number | null, number | null][] = [];
        for (let s = 0; s < count; s++) {
          if (s >= fa.values.length || s >= fb.values.length) throw new RangeError('list index out of range');
          const va = fa.values[s];
          const vb = fb.values[s];
          const keep = ignoreEmpty ? va !== null && vb !== null : va !== null || vb !== null;
          if (keep) kept.push([s * step + start, va, vb]);
        }
        // Python `!=`: NaN differs from everything (itself included), 0.0 equals -0.0.
        const diffs = kept.filter(([, va, vb]) => va !== vb);
        result.push({ archive: archiveNumber, diffs, total: kept.length });
        until = Math.min(startTime, until);
      });
      return result;
    }),
  );
}

/** True if `path` names an existing file (any kind; create() refuses it). */
export function exists(path: string): boolean {
  return fs.existsSync(path);
}
