import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { getLogger } from '../../logging.js';
import type { PointRun } from '../encode/point-run.js';
import type { PointChunk } from '../queue/point-chunk.js';
import { checkSpillRecord, decodeSpillPayload, encodeSpillRecord, RECORD_HEADER_BYTES, spillPayloadCount } from './record-codec.js';
import type { SpillBudget } from './spill-budget.js';

const log = getLogger('relay.spill');

/** First bytes of every segment file; a file without them is not ours (or was torn at creation). */
const SEGMENT_MAGIC = Buffer.from('CTSSPL01', 'latin1');
const SEGMENT_SUFFIX = '.seg';
const CURSOR_FILE = 'cursor';
/** Pending records are written to the segment once this many bytes have gathered (or on flush()). */
const WRITE_BUFFER_BYTES = 256 * 1024;
/**
 * While writes fail (a full disk), records are kept in memory up to this many bytes and written
 * by a later flush; beyond it the spill takes nothing more (acceptsMore is false), which the
 * destination treats like a full spill: back-pressure, then counted drops.
 */
const MAX_UNWRITTEN_BYTES = 64 * 1024 * 1024;

export class SpillIoError extends Error {
  constructor(dir: string, action: string, cause: unknown) {
    super(`spill directory ${dir}: cannot ${action}: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'SpillIoError';
  }
}

interface Segment {
  seq: number;
  bytes: number;
  points: number;
}

export interface SpillOpenReport {
  points: number;
  bytes: number;
  corruptSegments: number;
  discardedBytes: number;
}

/**
 * One destination's spill: append-only segment files `<seq>.seg` in its own directory, read back
 * in order. Records are buffered (up to 256 KiB) then written; a segment is fsynced when it is
 * closed (rolled at segmentBytes, when the reader catches up with it, and at close()). A crash can
 * therefore lose the last unflushed buffer, and a torn last record is detected by its length and
 * CRC when the spill is next opened: the segment is cut back to its last good record and the loss
 * logged. The reader's position is kept in `cursor` (segment and offset), written as it advances
 * and at close(), so a restart resumes replay where it stopped.
 */
export class DestinationSpill {
  private segments: Segment[] = [];
  private writeFd = -1;
  private writeSeg: Segment | null = null;
  /** The last write of buffered records failed (flush retries). */
  private writeFailing = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingPoints = 0;
  private readFd = -1;
  private readSeg: Segment | null = null;
  private readPos = 0;
  /** Where the record handed out by the last peek() ends; commit() moves readPos there. */
  private peekedEnd = -1;
  private peekedPoints = 0;
  private cursorDirty = false;
  private nextSeq = 1;
  /** Points spilled and not yet replayed (committed). */
  points = 0;
  corruptRecords = 0;

  constructor(
    readonly dir: string,
    private readonly budget: SpillBudget,
    private readonly segmentBytes: number,
  ) {}

  /** Creates the directory, checks existing segments (cutting torn tails) and resumes at the cursor. */
  open(): SpillOpenReport {
    const report: SpillOpenReport = { points: 0, bytes: 0, corruptSegments: 0, discardedBytes: 0 };
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new SpillIoError(this.dir, 'create it', e);
    }
    const cursor = this.readCursor();
    const seqs = readdirSync(this.dir)
      .filter((f) => f.endsWith(SEGMENT_SUFFIX) && /^\d+$/.test(f.slice(0, -SEGMENT_SUFFIX.length)))
      .map((f) => Number(f.slice(0, -SEGMENT_SUFFIX.length)))
      .sort((a, b) => a - b);
    for (const seq of seqs) {
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      if (cursor && seq < cursor.seq) {
        rmSync(this.segPath(seq), { force: true });
        continue;
      }
      const start = cursor && seq === cursor.seq ? cursor.offset : SEGMENT_MAGIC.length;
      const seg = this.checkSegment(seq, start, report);
      if (!seg) continue;
      this.segments.push(seg);
      this.budget.add(seg.bytes);
      this.points += seg.points;
      report.points += seg.points;
      report.bytes += seg.bytes;
      if (cursor && seq === cursor.seq) {
        this.readSeg = seg;
        this.readPos = start;
      }
    }
    return report;
  }

  /** Spills points [start, end) of a run as one record; false when the shared budget has no room. */
  append(run: PointRun, start: number, end: number): boolean {
    if (!this.acceptsMore) return false;
    const rec = encodeSpillRecord(run, start, end);
    if (!this.budget.tryReserve(rec.length)) return false;
    this.pending.push(rec);
    this.pendingBytes += rec.length;
    this.pendingPoints += end - start;
    this.points += end - start;
    // The record is taken either way: a failed write leaves it buffered for flush() to retry (and report).
    if (this.pendingBytes >= WRITE_BUFFER_BYTES && !this.writeFailing) {
      try {
        this.writePending();
      } catch {
        this.writeFailing = true;
      }
    }
    return true;
  }

  /** False while writes fail and MAX_UNWRITTEN_BYTES are already buffered. */
  get acceptsMore(): boolean {
    return !this.writeFailing || this.pendingBytes < MAX_UNWRITTEN_BYTES;
  }

  /** Writes buffered records to disk and records the replay position; throws SpillIoError when it cannot. */
  flush(): void {
    try {
      this.writePending();
      this.writeFailing = false;
    } catch (e) {
      this.writeFailing = true;
      throw e;
    }
    if (this.cursorDirty) this.writeCursor();
  }

  /** Writes buffered records to the active segment, rolling to a new segment at segmentBytes. */
  private writePending(): void {
    let i = 0;
    const recs = this.pending;
    try {
      while (i < recs.length) {
        if (!this.writeSeg) this.openWriteSegment();
        const seg = this.writeSeg!;
        // Records for this segment: at least one, then as many as fit under segmentBytes.
        let j = i;
        let bytes = 0;
        let points = 0;
        do {
          bytes += recs[j]!.length;
          points += recs[j]!.readUInt32LE(RECORD_HEADER_BYTES);
          j++;
        } while (j < recs.length && seg.bytes + bytes + recs[j]!.length <= this.segmentBytes);
        const data = j - i === 1 ? recs[i]! : Buffer.concat(recs.slice(i, j), bytes);
        try {
          // Positional and complete before it counts: after a short write (the disk filled up) the
          // next flush writes the same records at the same place again.
          for (let done = 0; done < data.length; ) done += writeSync(this.writeFd, data, done, data.length - done, seg.bytes + done);
        } catch (e) {
          throw new SpillIoError(this.dir, `write segment ${seg.seq}`, e);
        }
        seg.bytes += bytes;
        seg.points += points;
        this.pendingBytes -= bytes;
        this.pendingPoints -= points;
        i = j;
        if (seg.bytes >= this.segmentBytes || i < recs.length) this.closeWriteSegment();
      }
    } finally {
      // What was written leaves the buffer even when a later write failed (a full disk): the rest
      // is written by the next flush, and nothing twice.
      this.pending = i === recs.length ? [] : recs.slice(i);
    }
  }

  get hasRecords(): boolean {
    return this.points > 0;
  }

  /**
   * Decodes the next unreplayed record into `chunk` (empty, with room for MAX_DATAPOINTS_PER_MESSAGE)
   * and returns its point count, or 0 when nothing is left. The record stays unreplayed until commit().
   */
  peek(chunk: PointChunk): number {
    for (;;) {
      if (!this.readSeg) {
        if (!this.advanceReadSegment()) return 0;
      }
      const seg = this.readSeg!;
      if (this.readPos >= seg.bytes) {
        if (seg === this.writeSeg) {
          // Caught up with the segment being written: write out what is buffered, or wait for more.
          if (this.pendingBytes === 0) return 0;
          this.writePending();
          continue;
        }
        this.finishReadSegment();
        continue;
      }
      this.ensureReadFd();
      const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
      readSync(this.readFd, header, 0, RECORD_HEADER_BYTES, this.readPos);
      const len = header.readUInt32LE(0);
      const crc = header.readUInt32LE(4);
      const payload = Buffer.allocUnsafe(len);
      const got = this.readPos + RECORD_HEADER_BYTES + len <= seg.bytes ? readSync(this.readFd, payload, 0, len, this.readPos + RECORD_HEADER_BYTES) : -1;
      const problem = got !== len ? 'record runs past the end of the segment' : checkSpillRecord(payload, crc);
      if (problem || !decodeSpillPayload(payload, chunk)) {
        // open() has checked every segment, so this means the file changed under us: skip the rest of it.
        this.corruptRecords++;
        log.error({ dir: this.dir, segment: seg.seq, offset: this.readPos }, `spill segment ${this.segPath(seg.seq)} is corrupt at offset ${this.readPos} (${problem ?? 'malformed record'}); skipping the rest of it`);
        this.points -= Math.max(0, seg.points);
        seg.points = 0;
        chunk.reset();
        if (seg === this.writeSeg) this.closeWriteSegment();
        this.finishReadSegment();
        continue;
      }
      this.peekedEnd = this.readPos + RECORD_HEADER_BYTES + len;
      this.peekedPoints = chunk.length;
      return chunk.length;
    }
  }

  /** The record returned by the last peek() has been sent: move past it. */
  commit(): void {
    if (this.peekedEnd < 0 || !this.readSeg) return;
    this.readPos = this.peekedEnd;
    this.readSeg.points -= this.peekedPoints;
    this.points -= this.peekedPoints;
    this.peekedEnd = -1;
    this.cursorDirty = true;
    if (this.readPos < this.readSeg.bytes) return;
    if (this.readSeg === this.writeSeg) {
      if (this.pendingBytes > 0) return;
      // Everything written has been replayed: drop the file rather than keep its bytes in the budget.
      closeSync(this.writeFd);
      this.writeFd = -1;
      this.writeSeg = null;
    }
    this.finishReadSegment();
  }

  /** Flushes, fsyncs and closes every file; the cursor records where replay stopped. */
  close(): void {
    this.flush();
    this.closeWriteSegment();
    if (this.readFd >= 0) closeSync(this.readFd);
    this.readFd = -1;
    this.writeCursor();
  }

  /**
   * Moves the reader to the oldest segment. That may be the one still being written: the reader
   * then reads what has been written to it (no fsync or roll needed) and never deletes it.
   */
  private advanceReadSegment(): boolean {
    let next = this.segments[0];
    if (!next && this.pendingBytes > 0) {
      this.writePending();
      next = this.segments[0];
    }
    if (!next) return false;
    this.readSeg = next;
    this.readPos = SEGMENT_MAGIC.length;
    return true;
  }

  private ensureReadFd(): void {
    if (this.readFd < 0 && this.readSeg) this.readFd = openSync(this.segPath(this.readSeg.seq), 'r');
  }

  private finishReadSegment(): void {
    const seg = this.readSeg!;
    if (this.readFd >= 0) closeSync(this.readFd);
    this.readFd = -1;
    this.readSeg = null;
    this.readPos = 0;
    this.segments = this.segments.filter((s) => s !== seg);
    this.points -= Math.max(0, seg.points);
    rmSync(this.segPath(seg.seq), { force: true });
    this.budget.release(seg.bytes);
    this.cursorDirty = true;
  }

  private openWriteSegment(): void {
    const seq = this.nextSeq++;
    try {
      this.writeFd = openSync(this.segPath(seq), 'wx');
      writeSync(this.writeFd, SEGMENT_MAGIC, 0, SEGMENT_MAGIC.length, 0);
    } catch (e) {
      throw new SpillIoError(this.dir, `create segment ${seq}`, e);
    }
    this.budget.add(SEGMENT_MAGIC.length);
    this.writeSeg = { seq, bytes: SEGMENT_MAGIC.length, points: 0 };
    this.segments.push(this.writeSeg);
  }

  private closeWriteSegment(): void {
    if (this.writeFd < 0) return;
    try {
      fsyncSync(this.writeFd);
    } finally {
      closeSync(this.writeFd);
      this.writeFd = -1;
      this.writeSeg = null;
    }
  }

  /** Validates a segment from `start`, cutting it back to its last good record; null if unusable. */
  private checkSegment(seq: number, start: number, report: SpillOpenReport): Segment | null {
    const path = this.segPath(seq);
    const fd = openSync(path, 'r+');
    try {
      const size = fstatSync(fd).size;
      const magic = Buffer.alloc(SEGMENT_MAGIC.length);
      readSync(fd, magic, 0, magic.length, 0);
      if (size < SEGMENT_MAGIC.length || !magic.equals(SEGMENT_MAGIC)) {
        log.error({ dir: this.dir, segment: seq }, `spill segment ${path} has no valid header; moved aside as ${path}.corrupt`);
        report.corruptSegments++;
        closeSync(fd);
        renameSync(path, `${path}.corrupt`);
        return null;
      }
      let pos = Math.max(start, SEGMENT_MAGIC.length);
      let points = 0;
      const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
      let problem: string | null = null;
      while (pos < size) {
        if (pos + RECORD_HEADER_BYTES > size) {
          problem = 'truncated record header';
          break;
        }
        readSync(fd, header, 0, RECORD_HEADER_BYTES, pos);
        const len = header.readUInt32LE(0);
        if (pos + RECORD_HEADER_BYTES + len > size) {
          problem = 'truncated record';
          break;
        }
        const payload = Buffer.allocUnsafe(len);
        readSync(fd, payload, 0, len, pos + RECORD_HEADER_BYTES);
        problem = checkSpillRecord(payload, header.readUInt32LE(4));
        if (problem) break;
        points += spillPayloadCount(payload);
        pos += RECORD_HEADER_BYTES + len;
      }
      if (problem) {
        report.corruptSegments++;
        report.discardedBytes += size - pos;
        this.corruptRecords++;
        log.error({ dir: this.dir, segment: seq, offset: pos }, `spill segment ${path} is damaged at offset ${pos} (${problem}, likely a crash mid-write): kept ${points} points before it, discarded ${size - pos} bytes`);
        ftruncateSync(fd, pos);
        fsyncSync(fd);
      }
      return { seq, bytes: pos, points };
    } finally {
      try {
        closeSync(fd);
      } catch {
        /* closed above when moved aside */
      }
    }
  }

  private readCursor(): { seq: number; offset: number } | null {
    try {
      const [seq, offset] = readFileSync(join(this.dir, CURSOR_FILE), 'utf8').trim().split(/\s+/).map(Number);
      if (Number.isInteger(seq) && Number.isInteger(offset)) return { seq: seq!, offset: offset! };
      log.warn({ dir: this.dir }, `spill cursor in ${this.dir} is unreadable; replaying from the oldest segment`);
    } catch {
      /* no cursor: replay everything */
    }
    return null;
  }

  private writeCursor(): void {
    const path = join(this.dir, CURSOR_FILE);
    const text = this.readSeg ? `${this.readSeg.seq} ${this.readPos}\n` : `${this.segments[0]?.seq ?? this.nextSeq} ${SEGMENT_MAGIC.length}\n`;
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
    this.cursorDirty = false;
  }

  private segPath(seq: number): string {
    return join(this.dir, `${String(seq).padStart(16, '0')}${SEGMENT_SUFFIX}`);
  }
}
