import { InvalidTimeInterval, WhisperValueError } from './errors.js';
import { POINT_SIZE, type ArchiveInfo } from './format.js';
import { ScratchBuffer, type WhisperFile } from './file.js';
import { floorDiv, pyInt, pyMod } from './pymath.js';
import { parseRetentionDef } from './retention.js';

/** Python's `((fromInterval, untilInterval, step), values)`; null marks an empty slot (Python None). */
export interface FetchResult {
  timeInfo: [fromInterval: number, untilInterval: number, step: number];
  values: (number | null)[];
}

const fetchScratch = new ScratchBuffer();

/**
 * Python `__archive_fetch`: the slots of one archive for intervals in
 * `(fromTime, untilTime]` (a zero-length range yields the next slot). No clamping
 * to now or retention here: merge/diff call it raw.
 */
export function archiveFetch(file: WhisperFile, archive: ArchiveInfo, fromTime: number, untilTime: number): FetchResult {
  const step = archive.secondsPerPoint;
  const fromInterval = Math.trunc(fromTime - pyMod(fromTime, step)) + step;
  let untilInterval = Math.trunc(untilTime - pyMod(untilTime, step)) + step;
  if (fromInterval === untilInterval) untilInterval += step;

  const archiveIndex = file.info.archives.indexOf(archive);
  const base = file.base(archiveIndex);
  if (base === 0) {
    const count = Math.max(0, floorDiv(untilInterval - fromInterval, step));
    return { timeInfo: [fromInterval, untilInterval, step], values: new Array<number | null>(count).fill(null) };
  }
  const fromOffset = archive.offset + pyMod(floorDiv(fromInterval - base, step) * POINT_SIZE, archive.size);
  const untilOffset = archive.offset + pyMod(floorDiv(untilInterval - base, step) * POINT_SIZE, archive.size);
  const archiveEnd = archive.offset + archive.size;
  const bytes = fromOffset < untilOffset ? untilOffset - fromOffset : archiveEnd - fromOffset + (untilOffset - archive.offset);
  const buf = fetchScratch.get(bytes);
  const headBytes = fromOffset < untilOffset ? bytes : archiveEnd - fromOffset;
  file.readExactly(buf, 0, headBytes, fromOffset);
  if (headBytes < bytes) file.readExactly(buf, headBytes, bytes - headBytes, archive.offset);

  const view = fetchScratch.view;
  const points = bytes / POINT_SIZE;
  const values = new Array<number | null>(points);
  let expected = fromInterval;
  for (let k = 0; k < points; k++, expected += step) {
    const p = k * POINT_SIZE;
    values[k] = view.getUint32(p) === expected ? view.getFloat64(p + 4) : null;
  }
  return { timeInfo: [fromInterval, untilInterval, step], values };
}

/** Seconds per point named by `archiveToSelect` (`300`, `'5m'`, `'300s'`), as Python parses it. */
export function parseGranularity(archiveToSelect: number | string): number {
  return parseRetentionDef(`${archiveToSelect}:1`)[0];
}

/**
 * Python `file_fetch`: validates and clamps the range to `[now - maxRetention, now]`,
 * picks the first archive whose retention covers `now - from` (or the one
 * `archiveToSelect` names), and returns null when the range is entirely in the
 * future or older than the file's retention.
 */
export function fetchFromFile(
  file: WhisperFile,
  fromTime: number | string,
  untilTime: number | string | null | undefined,
  now: number,
  archiveToSelect?: number | string | null,
): FetchResult | null {
  const info = file.info;
  let from = pyInt(fromTime);
  let until = pyInt(untilTime ?? now);
  if (from > until) {
    throw new InvalidTimeInterval(`Invalid time interval: from time '${from}' is after until time '${until}'`);
  }
  const oldestTime = now - info.maxRetention;
  if (from > now) return null;
  if (until < oldestTime) return null;
  if (from < oldestTime) from = oldestTime;
  if (until > now) until = now;
  const diff = now - from;

  const archives = info.archives;
  let chosen: ArchiveInfo | null = null;
  if (archiveToSelect) {
    const wanted = parseGranularity(archiveToSelect);
    chosen = archives.find((a) => a.secondsPerPoint === wanted) ?? null;
    if (chosen === null) throw new WhisperValueError(`Invalid granularity: ${wanted}`);
  } else {
    // If no archive covers the range, Python's loop variable is left on the last archive.
    chosen = archives.find((a) => a.retention >= diff) ?? archives[archives.length - 1];
  }
  return archiveFetch(file, chosen, from, until);
}
