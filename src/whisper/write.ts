// The write algorithms of whisper.py (update, update_many, __archive_update_many,
// __propagate), over a WhisperFile with positional I/O. Byte-for-byte the same
// result as Python; fewer syscalls: each lower archive's source range is read
// once per batch and adjacent lower-archive slot writes are coalesced.
import { aggregateWindow } from './aggregate.js';
import { TimestampNotCovered, TimestampOutOfRange } from './errors.js';
import { POINT_SIZE, UINT32_LIMIT, type ArchiveInfo } from './format.js';
import { ScratchBuffer, type WhisperFile } from './file.js';
import { alignDown, floorDiv, pyMod } from './pymath.js';
import { cpythonSetOrder } from './set-order.js';

const packScratch = new ScratchBuffer();
const readScratch = new ScratchBuffer();
const lowerScratch = new ScratchBuffer();
let knownScratch = new Float64Array(64);
let neighborScratch = new Float64Array(64);
let chronoTs = new Float64Array(64);
let chronoVal = new Float64Array(64);
let sortIndex = new Uint32Array(64);
let lowerIntervals = new Float64Array(64);
let alignedScratch = new Float64Array(64);
// Per-call bookkeeping kept in reused typed arrays (no garbage per call on the hot path).
let runInfo = new Float64Array(3 * 16); // per run: start interval, byte start, byte length
let pending = new Float64Array(3 * 16); // per lower write: offset, interval, value

/** Byte offset of interval `interval` in `archive` whose slot 0 holds `base` (spec §4.1). */
function slotOffset(archive: ArchiveInfo, base: number, interval: number): number {
  return archive.offset + pyMod(floorDiv(interval - base, archive.secondsPerPoint) * POINT_SIZE, archive.size);
}

/** Slot index of interval `interval` in `archive` whose slot 0 holds `base`. */
function slotIndex(archive: ArchiveInfo, base: number, interval: number): number {
  return pyMod(floorDiv(interval - base, archive.secondsPerPoint), archive.points);
}

function checkPackable(interval: number): void {
  if (!(interval >= 0 && interval < UINT32_LIMIT)) throw new TimestampOutOfRange(interval);
}

/**
 * Python `file_update_many`: `timestamps`/`values` hold `count` points already
 * converted with int()/float(); they are routed newest first to the first
 * archive whose retention covers their age; points older than every archive
 * are silently dropped, future points go to archive 0.
 */
export function updateManyPoints(
  file: WhisperFile,
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  count: number,
  now: number,
): void {
  if (count === 0) return;
  const order = sortNewestFirst(timestamps, count);
  const archives = file.info.archives;
  let archiveIndex = 0;
  let bucketStart = 0; // bucket = order[bucketStart..k)
  let k = 0;
  for (; k < count; k++) {
    const age = now - timestamps[order[k]];
    let dropped = false;
    while (archives[archiveIndex].retention < age) {
      if (k > bucketStart) commitBucket(file, archiveIndex, timestamps, values, order, bucketStart, k);
      bucketStart = k;
      archiveIndex++;
      if (archiveIndex >= archives.length) {
        dropped = true;
        break;
      }
    }
    if (dropped) return; // this and every older point fit no archive
  }
  if (k > bucketStart) commitBucket(file, archiveIndex, timestamps, values, order, bucketStart, k);
}

/** Stable sort of point indices by timestamp, newest first (Python `sort(reverse=True)` keeps input order of equals). */
function sortNewestFirst(timestamps: ArrayLike<number>, count: number): Uint32Array {
  if (sortIndex.length < count) sortIndex = new Uint32Array(Math.max(count, sortIndex.length * 2));
  const order = sortIndex;
  // Usual input is already chronological without repeats: newest first is then just reversed.
  let increasing = true;
  for (let i = 1; i < count && increasing; i++) increasing = timestamps[i] > timestamps[i - 1];
  if (increasing) {
    for (let i = 0; i < count; i++) order[i] = count - 1 - i;
    return order;
  }
  if (count <= 32) {
    for (let i = 0; i < count; i++) {
      const t = timestamps[i];
      let j = i;
      while (j > 0 && timestamps[order[j - 1]] < t) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
    return order;
  }
  const idx = Array.from({ length: count }, (_, i) => i);
  idx.sort((a, b) => timestamps[b] - timestamps[a]); // Array.prototype.sort is stable
  for (let i = 0; i < count; i++) order[i] = idx[i];
  return order;
}

function commitBucket(
  file: WhisperFile,
  archiveIndex: number,
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  order: Uint32Array,
  start: number,
  end: number,
): void {
  const n = end - start;
  if (chronoTs.length < n) {
    chronoTs = new Float64Array(Math.max(n, chronoTs.length * 2));
    chronoVal = new Float64Array(chronoTs.length);
  }
  // The bucket is newest first; Python reverses it into chronological order
  // (which also reverses the input order of identical timestamps).
  for (let i = 0; i < n; i++) {
    const idx = order[end - 1 - i];
    chronoTs[i] = timestamps[idx];
    chronoVal[i] = values[idx];
  }
  archiveUpdateMany(file, archiveIndex, chronoTs, chronoVal, n);
}

/**
 * Python `__archive_update_many`: writes chronological points into one
 * archive as contiguous runs, then propagates to every coarser archive.
 * `timestamps` are raw (unaligned); aligned copies are made here.
 */
export function archiveUpdateMany(
  file: WhisperFile,
  archiveIndex: number,
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  count: number,
): void {
  if (count === 0) return;
  const archive = file.info.archives[archiveIndex];
  const step = archive.secondsPerPoint;
  const packed = packScratch.get(count * POINT_SIZE);
  const packedView = packScratch.view;
  // Runs of consecutive intervals, as (start interval, byte start, byte length) triples.
  if (runInfo.length < 3 * count) runInfo = new Float64Array(3 * Math.max(count, runInfo.length));
  const runs = runInfo;
  let runCount = 0;
  let previousInterval: number | null = null;
  let written = 0;
  let runByteStart = 0;
  if (alignedScratch.length < count) alignedScratch = new Float64Array(Math.max(count, alignedScratch.length * 2));
  const aligned = alignedScratch;
  for (let i = 0; i < count; i++) aligned[i] = alignDown(timestamps[i], step);
  for (let i = 0; i < count; i++) {
    const interval = aligned[i];
    // Of several points in one interval only the last (chronologically) is kept.
    if (i + 1 < count && interval === aligned[i + 1]) continue;
    checkPackable(interval);
    // Python tests `not previousInterval`, so a previous interval of 0 also continues the run.
    if (!(previousInterval === null || previousInterval === 0 || interval === previousInterval + step)) {
      const pointsInRun = (written - runByteStart) / POINT_SIZE;
      runs[3 * runCount] = previousInterval - step * (pointsInRun - 1);
      runs[3 * runCount + 1] = runByteStart;
      runs[3 * runCount + 2] = written - runByteStart;
      runCount++;
      runByteStart = written;
    }
    packedView.setUint32(written, interval);
    packedView.setFloat64(written + 4, values[i]);
    written += POINT_SIZE;
    previousInterval = interval;
  }
  if (written > runByteStart && previousInterval !== null) {
    const pointsInRun = (written - runByteStart) / POINT_SIZE;
    runs[3 * runCount] = previousInterval - step * (pointsInRun - 1);
    runs[3 * runCount + 1] = runByteStart;
    runs[3 * runCount + 2] = written - runByteStart;
    runCount++;
  }

  let base = file.base(archiveIndex);
  if (base === 0) base = runs[0]; // first write to this archive: the oldest run starts at slot 0
  const archiveEnd = archive.offset + archive.size;
  for (let r = 0; r < runCount; r++) {
    const offset = slotOffset(archive, base, runs[3 * r]);
    const byteStart = runs[3 * r + 1];
    const len = runs[3 * r + 2];
    const bytesBeyond = offset + len - archiveEnd;
    if (bytesBeyond > 0) {
      file.writeAt(packed, byteStart, len - bytesBeyond, offset);
      // Python writes the remainder at the archive start even when it is longer
      // than the archive (only possible with future points): bytes then spill
      // into the next archive, exactly as here.
      file.writeAt(packed, byteStart + len - bytesBeyond, bytesBeyond, archive.offset);
    } else {
      file.writeAt(packed, byteStart, len, offset);
    }
  }

  // Propagate. Lower archives are those with a coarser step, in header order.
  const archives = file.info.archives;
  let higherIndex = archiveIndex;
  if (lowerIntervals.length < count) lowerIntervals = new Float64Array(Math.max(count, lowerIntervals.length * 2));
  for (let lowerIndex = 0; lowerIndex < archives.length; lowerIndex++) {
    const lower = archives[lowerIndex];
    if (!(lower.secondsPerPoint > step)) continue;
    for (let i = 0; i < count; i++) lowerIntervals[i] = alignDown(aligned[i], lower.secondsPerPoint);
    const intervals = cpythonSetOrder(lowerIntervals, count);
    if (!propagateIntervals(file, higherIndex, lowerIndex, intervals)) return;
    higherIndex = lowerIndex;
  }
}

/**
 * Python `update(path, value, timestamp, now)` on an open file: rejects
 * timestamps in the future or older than maxRetention, writes one point and
 * propagates down the archives that follow it in the header.
 */
export function updatePoint(file: WhisperFile, value: number, timestamp: number, now: number): void {
  const info = file.info;
  const diff = now - timestamp;
  if (!(diff < info.maxRetention && diff >= 0)) {
    throw new TimestampNotCovered('Timestamp not covered by any archives in this database.');
  }
  const archives = info.archives;
  let archiveIndex = 0;
  while (archiveIndex < archives.length && archives[archiveIndex].retention < diff) archiveIndex++;
  if (archiveIndex === archives.length) archiveIndex = archives.length - 1; // Python's loop variable stays on the last
  const archive = archives[archiveIndex];
  const interval = alignDown(timestamp, archive.secondsPerPoint);
  checkPackable(interval);
  const packed = packScratch.get(POINT_SIZE);
  packScratch.view.setUint32(0, interval);
  packScratch.view.setFloat64(4, value);
  const base = file.base(archiveIndex);
  file.writeAt(packed, 0, POINT_SIZE, base === 0 ? archive.offset : slotOffset(archive, base, interval));
  let higherIndex = archiveIndex;
  for (let lowerIndex = archiveIndex + 1; lowerIndex < archives.length; lowerIndex++) {
    const lowerInterval = alignDown(interval, archives[lowerIndex].secondsPerPoint);
    if (!propagateIntervals(file, higherIndex, lowerIndex, [lowerInterval])) break;
    higherIndex = lowerIndex;
  }
}

/** Largest higher-archive span (in slots) read in one go for a batch of lower intervals. */
const MAX_SHARED_READ_SLOTS = 4096;

/**
 * Python `__propagate` for each interval of `intervals` in order (each a
 * lower-archive interval start). Returns true if any interval propagated.
 *
 * Reads of the higher archive happen before the writes to the lower one; the
 * two never overlap (checkLayout), so this equals Python's interleaving. The
 * lower base is tracked as Python would re-read it after each write.
 */
function propagateIntervals(file: WhisperFile, higherIndex: number, lowerIndex: number, intervals: readonly number[]): boolean {
  const archives = file.info.archives;
  const higher = archives[higherIndex];
  const lower = archives[lowerIndex];
  const H = higher.secondsPerPoint;
  const L = lower.secondsPerPoint;
  const windowSlots = floorDiv(L, H);
  const higherBase = file.base(higherIndex);
  const xff = file.info.xFilesFactor;
  const method = file.info.aggregationMethod;

  // Read the higher archive once for all intervals when they sit close together.
  let shared: DataView | null = null;
  let sharedAt = 0;
  let sharedFrom = 0;
  if (higherBase !== 0 && L % H === 0 && windowSlots <= higher.points && intervals.length > 1) {
    let lo = intervals[0];
    let hi = intervals[0];
    for (const iv of intervals) {
      if (iv < lo) lo = iv;
      if (iv > hi) hi = iv;
    }
    const spanSlots = (hi - lo) / H + windowSlots;
    if (Number.isInteger(spanSlots) && spanSlots <= higher.points && spanSlots <= Math.max(MAX_SHARED_READ_SLOTS, 4 * intervals.length * windowSlots)) {
      const view = file.slotView(higherIndex, slotIndex(higher, higherBase, lo), spanSlots, readScratch);
      shared = view.view;
      sharedAt = view.at;
      sharedFrom = lo;
    }
  }

  // A window is windowSlots slots, except that Python reads the whole archive when the
  // window is empty or as large as it (windowReadSlots); size for the larger.
  const maxSlots = Math.max(windowSlots, higher.points);
  if (knownScratch.length < maxSlots) {
    knownScratch = new Float64Array(maxSlots);
    neighborScratch = new Float64Array(maxSlots);
  }
  const known = knownScratch;
  const neighbors = neighborScratch;
  let lowerBase = file.base(lowerIndex);
  if (pending.length < 3 * intervals.length) pending = new Float64Array(3 * Math.max(intervals.length, pending.length));
  let pendingCount = 0;
  let propagated = false;

  for (const start of intervals) {
    let buf: DataView;
    let at: number;
    let slots: number;
    if (shared !== null) {
      buf = shared;
      at = sharedAt + ((start - sharedFrom) / H) * POINT_SIZE;
      slots = windowSlots;
    } else {
      const first = higherBase === 0 ? higher.offset : slotOffset(higher, higherBase, start);
      slots = windowReadSlots(higher, first, windowSlots);
      const view = file.slotView(higherIndex, (first - higher.offset) / POINT_SIZE, slots, readScratch);
      buf = view.view;
      at = view.at;
    }
    let knownCount = 0;
    let expected = start;
    for (let k = 0; k < slots; k++, expected += H) {
      const p = at + k * POINT_SIZE;
      if (buf.getUint32(p) === expected) {
        const v = buf.getFloat64(p + 4);
        known[knownCount++] = v;
        neighbors[k] = v === 0 ? 0 : v;
      } else {
        neighbors[k] = 0;
      }
    }
    if (knownCount === 0) continue;
    if (!(knownCount / slots >= xff)) continue;
    const value = aggregateWindow(method, known, knownCount, neighbors, slots);
    let offset: number;
    if (lowerBase === 0) {
      offset = lower.offset;
      lowerBase = start;
    } else {
      offset = slotOffset(lower, lowerBase, start);
      if (offset === lower.offset) lowerBase = start;
    }
    checkPackable(start);
    pending[3 * pendingCount] = offset;
    pending[3 * pendingCount + 1] = start;
    pending[3 * pendingCount + 2] = value;
    pendingCount++;
    propagated = true;
  }
  if (pendingCount > 0) flushLowerWrites(file, pending, pendingCount);
  return propagated;
}

/**
 * Slots Python's __propagate reads for a window of `windowSlots` starting at
 * byte `first`: normally the window itself; a window as large as the archive
 * reads it whole once.
 */
function windowReadSlots(higher: ArchiveInfo, first: number, windowSlots: number): number {
  const relFirst = first - higher.offset;
  const relLast = pyMod(relFirst + windowSlots * POINT_SIZE, higher.size);
  if (relFirst < relLast) return (relLast - relFirst) / POINT_SIZE;
  return (higher.size - relFirst + relLast) / POINT_SIZE;
}

/**
 * Writes the propagated lower-archive points, later ones winning on the same
 * slot, adjacent slots merged into one pwrite.
 */
function flushLowerWrites(file: WhisperFile, writes: Float64Array, n: number): void {
  if (n === 1) {
    const buf = lowerScratch.get(POINT_SIZE);
    lowerScratch.view.setUint32(0, writes[1]);
    lowerScratch.view.setFloat64(4, writes[2]);
    file.writeAt(buf, 0, POINT_SIZE, writes[0]);
    return;
  }
  // Order write indexes by offset; for one offset keep only the last write (Python's later write wins).
  const sorted: number[] = [];
  for (let i = 0; i < n; i++) {
    const offset = writes[3 * i];
    let j = sorted.length;
    while (j > 0 && writes[3 * sorted[j - 1]] > offset) j--;
    if (j > 0 && writes[3 * sorted[j - 1]] === offset) sorted[j - 1] = i;
    else sorted.splice(j, 0, i);
  }
  const buf = lowerScratch.get(sorted.length * POINT_SIZE);
  let runStart = 0;
  for (let i = 0; i < sorted.length; i++) {
    const idx = sorted[i];
    lowerScratch.view.setUint32(i * POINT_SIZE, writes[3 * idx + 1]);
    lowerScratch.view.setFloat64(i * POINT_SIZE + 4, writes[3 * idx + 2]);
    const endsRun = i + 1 === sorted.length || writes[3 * sorted[i + 1]] !== writes[3 * idx] + POINT_SIZE;
    if (endsRun) {
      file.writeAt(buf, runStart * POINT_SIZE, (i + 1 - runStart) * POINT_SIZE, writes[3 * sorted[runStart]]);
      runStart = i + 1;
    }
  }
}
