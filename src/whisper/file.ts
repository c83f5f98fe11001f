import * as fs from 'node:fs';
import { CorruptWhisperFile } from './errors.js';
import { AGGREGATION_METHOD_TO_TYPE, METADATA_SIZE, POINT_SIZE, type WhisperInfo } from './format.js';
import { checkLayout, headerLengthFor, layoutEnd, parseHeader } from './header.js';

/** Header bytes read by the first pread: enough for 8 archives, so one syscall almost always does. */
const HEADER_PROBE_SIZE = METADATA_SIZE + 12 * 8;

/**
 * An open Whisper file: descriptor, parsed header, and the slot-0 timestamp
 * ("base") of each archive. All I/O is positional (pread/pwrite): no seek
 * state, one syscall per contiguous range.
 *
 * Bases are cached because every write path needs them and they only change
 * when slot 0 of an archive is written; `writeAt` refreshes the cache from the
 * bytes it writes, so the cache always equals what Python would re-read.
 */
export class WhisperFile {
  readonly path: string;
  readonly fd: number;
  readonly writable: boolean;
  info: WhisperInfo;
  aggregationType: number;
  /** Current file length; grows if a write ends past it (Python lets future points do that). */
  fileSize: number;
  /**
   * Inode and device at open, to notice a file replaced by rename (whisper-resize); -1 for a file
   * this process has just created (fromImage), until the first check records them (adoptIdentity).
   */
  ino: number;
  dev: number;
  /** Per-archive slot-0 timestamp; NaN when not read yet. */
  private readonly bases: Float64Array;
  /**
   * Per-archive read-through/write-through copy of a block of slots
   * (`blockFirst[i]`..+`blockSlots[i]`), so consecutive propagations that read
   * neighbouring windows of a finer archive cost one pread per block instead of
   * one per call. Every write goes through writeAt, which patches the blocks,
   * so a block always equals the file as long as only this process writes it.
   */
  private readonly blocks: (Buffer | null)[];
  private readonly blockViews: (DataView | null)[];
  private readonly blockFirst: Float64Array;
  private readonly blockSlots: Float64Array;
  /**
   * A new file's whole content while its first points are written (see fromImage): reads and
   * writes go to this buffer, and commitImage() writes it with one syscall.
   */
  private image: Buffer | null = null;
  /** Size the file had when open(extendShort) found it shorter than its header says and extended it; -1 if not. */
  extendedFrom = -1;

  private constructor(path: string, fd: number, writable: boolean, stat: { size: number; ino: number; dev: number }, info: WhisperInfo) {
    this.path = path;
    this.fd = fd;
    this.writable = writable;
    this.info = info;
    this.aggregationType = AGGREGATION_METHOD_TO_TYPE.get(info.aggregationMethod)!;
    this.fileSize = stat.size;
    this.ino = stat.ino;
    this.dev = stat.dev;
    this.bases = new Float64Array(info.archives.length).fill(Number.NaN);
    this.blocks = new Array<Buffer | null>(info.archives.length).fill(null);
    this.blockViews = new Array<DataView | null>(info.archives.length).fill(null);
    this.blockFirst = new Float64Array(info.archives.length);
    this.blockSlots = new Float64Array(info.archives.length);
  }

  /**
   * Opens and parses `path`. `strict` also checks that the archives lie inside
   * the file without overlapping (required before any data read or write);
   * without it only Python's own header checks apply (info()).
   */
  static open(path: string, writable: boolean, strict = true, extendShort = false): WhisperFile {
    const fd = fs.openSync(path, writable ? 'r+' : 'r');
    try {
      let stat: { size: number; ino: number; dev: number } = fs.fstatSync(fd);
      let buf = Buffer.allocUnsafe(HEADER_PROBE_SIZE);
      let got = fs.readSync(fd, buf, 0, HEADER_PROBE_SIZE, 0);
      const wanted = headerLengthFor(buf.subarray(0, got), path);
      if (wanted > got && got === HEADER_PROBE_SIZE) {
        buf = Buffer.allocUnsafe(wanted);
        got = fs.readSync(fd, buf, 0, wanted, 0);
      }
      const info = parseHeader(buf.subarray(0, Math.min(got, wanted)), path);
      let extendedFrom = -1;
      const end = layoutEnd(info);
      if (strict && extendShort && writable && stat.size < end) {
        // Cut short after an intact header (a full disk, a crash): Python's whisper writes past the
        // end and the file grows; here it is given its whole length first (a hole reads as empty
        // slots), so the update and everything after it see a well-formed file.
        checkLayout(info, end, path);
        fs.ftruncateSync(fd, end);
        extendedFrom = stat.size;
        stat = { size: end, ino: stat.ino, dev: stat.dev };
      } else if (strict) checkLayout(info, stat.size, path);
      const file = new WhisperFile(path, fd, writable, stat, info);
      file.extendedFrom = extendedFrom;
      return file;
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /**
   * A file just created (empty, open read-write as `fd`) whose content is to be `image` — header and
   * zeroed archives, as newFileImage makes it. Nothing is written until commitImage(): the first
   * points are written into the image, so a new series costs one write instead of a header write,
   * zero fill, reopen, header read and point writes.
   */
  static fromImage(path: string, fd: number, image: Buffer): WhisperFile {
    const info = parseHeader(image, path);
    checkLayout(info, image.length, path);
    // No fstat: the identity is taken at the first replaced-check (1.8 µs saved per new series).
    const file = new WhisperFile(path, fd, true, { size: image.length, ino: -1, dev: -1 }, info);
    file.image = image;
    file.bases.fill(0);
    return file;
  }

  /** Records the identity of a file created by this process, from a stat of its path. */
  adoptIdentity(stat: { ino: number; dev: number }): void {
    this.ino = stat.ino;
    this.dev = stat.dev;
  }

  /** Writes the in-memory content of a fromImage file (one write call for all of it). */
  commitImage(): void {
    const image = this.image;
    if (image === null) return;
    this.image = null;
    let done = 0;
    while (done < image.length) done += fs.writeSync(this.fd, image, done, image.length - done, done);
  }

  /** Re-reads the header in place (after an external header edit); drops cached bases. */
  reloadHeader(): void {
    this.commitImage();
    const stat = fs.fstatSync(this.fd);
    const probe = Buffer.allocUnsafe(HEADER_PROBE_SIZE);
    const got = fs.readSync(this.fd, probe, 0, HEADER_PROBE_SIZE, 0);
    const wanted = headerLengthFor(probe.subarray(0, got), this.path);
    let buf = probe.subarray(0, Math.min(got, wanted));
    if (wanted > got && got === HEADER_PROBE_SIZE) {
      buf = Buffer.allocUnsafe(wanted);
      buf = buf.subarray(0, fs.readSync(this.fd, buf, 0, wanted, 0));
    }
    const info = parseHeader(buf, this.path);
    checkLayout(info, stat.size, this.path);
    if (info.archives.length !== this.bases.length) {
      throw new CorruptWhisperFile('Archive count changed while the file was open', this.path);
    }
    this.info = info;
    this.aggregationType = AGGREGATION_METHOD_TO_TYPE.get(info.aggregationMethod)!;
    this.fileSize = stat.size;
    this.bases.fill(Number.NaN);
    this.blockSlots.fill(0);
  }

  /**
   * Makes slots `firstSlot`..`firstSlot+slots-1` (indexes modulo the archive's
   * points) readable and returns where: `buf` at byte `at`. Served from the
   * archive's cached block when it covers them; otherwise a block of at least
   * BLOCK_SLOTS slots starting at `firstSlot` is read. A range that wraps past
   * the archive end is read into `scratch` with two preads and not cached.
   */
  slotView(archiveIndex: number, firstSlot: number, slots: number, scratch: ScratchBuffer): SlotView {
    const archive = this.info.archives[archiveIndex];
    const cached = this.blocks[archiveIndex];
    const cachedFirst = this.blockFirst[archiveIndex];
    if (cached !== null && firstSlot >= cachedFirst && firstSlot + slots <= cachedFirst + this.blockSlots[archiveIndex]) {
      VIEW.view = this.blockViews[archiveIndex]!;
      VIEW.at = (firstSlot - cachedFirst) * POINT_SIZE;
      return VIEW;
    }
    if (firstSlot + slots > archive.points) {
      const buf = scratch.get(slots * POINT_SIZE);
      const headSlots = archive.points - firstSlot;
      this.readExactly(buf, 0, headSlots * POINT_SIZE, archive.offset + firstSlot * POINT_SIZE);
      this.readExactly(buf, headSlots * POINT_SIZE, (slots - headSlots) * POINT_SIZE, archive.offset);
      VIEW.view = scratch.view;
      VIEW.at = 0;
      return VIEW;
    }
    const blockSlots = Math.min(archive.points - firstSlot, Math.max(slots, BLOCK_SLOTS));
    let block = cached;
    if (block === null || block.length < blockSlots * POINT_SIZE) {
      // Room for any later block of this archive (never more slots than the archive has).
      block = Buffer.alloc(Math.min(archive.points, Math.max(blockSlots, BLOCK_SLOTS)) * POINT_SIZE);
      this.blocks[archiveIndex] = block;
      this.blockViews[archiveIndex] = viewOf(block);
    }
    this.blockSlots[archiveIndex] = 0; // invalid while being filled
    this.readExactly(block, 0, blockSlots * POINT_SIZE, archive.offset + firstSlot * POINT_SIZE);
    this.blockFirst[archiveIndex] = firstSlot;
    this.blockSlots[archiveIndex] = blockSlots;
    VIEW.view = this.blockViews[archiveIndex]!;
    VIEW.at = 0;
    return VIEW;
  }

  /** Timestamp stored in slot 0 of archive `index` (0 = archive never written). */
  base(index: number): number {
    let b = this.bases[index];
    if (Number.isNaN(b)) {
      const buf = BASE_BUFFER;
      this.readExactly(buf, 0, 4, this.info.archives[index].offset, 'Unable to read base datapoint');
      b = buf.readUInt32BE(0);
      this.bases[index] = b;
    }
    return b;
  }

  /** Reads exactly `length` bytes at `position` into `buf[bufOffset..]`; a short read means the file shrank. */
  readExactly(buf: Buffer, bufOffset: number, length: number, position: number, what = 'Unable to read datapoints'): void {
    const image = this.image;
    if (image !== null) {
      if (position + length > image.length) throw new CorruptWhisperFile(what, this.path);
      image.copy(buf, bufOffset, position, position + length);
      return;
    }
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, buf, bufOffset + done, length - done, position + done);
      if (n === 0) throw new CorruptWhisperFile(what, this.path);
      done += n;
    }
  }

  /** Writes `buf[bufOffset..bufOffset+length)` at `position` and keeps the base cache and size in step. */
  writeAt(buf: Buffer, bufOffset: number, length: number, position: number): void {
    if (this.image !== null && position + length > this.image.length) this.commitImage();
    if (this.image !== null) {
      buf.copy(this.image, position, bufOffset, bufOffset + length);
    } else {
      let done = 0;
      while (done < length) done += fs.writeSync(this.fd, buf, bufOffset + done, length - done, position + done);
    }
    const end = position + length;
    if (end > this.fileSize) this.fileSize = end;
    const archives = this.info.archives;
    for (let i = 0; i < archives.length; i++) {
      const at = archives[i].offset;
      if (at >= position && at < end) {
        this.bases[i] = at + 4 <= end ? buf.readUInt32BE(bufOffset + (at - position)) : Number.NaN;
      } else if (at < position && at + 4 > position) {
        this.bases[i] = Number.NaN;
      }
      const blockSlots = this.blockSlots[i];
      if (blockSlots > 0) {
        // Patch the cached block with the part of this write that overlaps it.
        const blockStart = at + this.blockFirst[i] * POINT_SIZE;
        const blockEnd = blockStart + blockSlots * POINT_SIZE;
        const from = Math.max(position, blockStart);
        const to = Math.min(end, blockEnd);
        if (from < to) buf.copy(this.blocks[i]!, from - blockStart, bufOffset + (from - position), bufOffset + (to - position));
      }
    }
  }

  fsync(): void {
    this.commitImage();
    fs.fsyncSync(this.fd);
  }

  close(): void {
    try {
      this.commitImage();
    } finally {
      fs.closeSync(this.fd);
    }
  }
}

const BASE_BUFFER = Buffer.alloc(4);

/** Slots read per block miss: a pread costs about the same for 12 bytes or 3 KiB. */
const BLOCK_SLOTS = 256;

/** Where slotView put the slots: `view` at byte `at`. */
export interface SlotView {
  view: DataView;
  at: number;
}

/** Reused result of slotView (callers use it before the next call). */
const VIEW: SlotView = { view: viewOf(BASE_BUFFER), at: 0 };

/** A DataView over exactly the bytes of `buf` (V8 inlines DataView access; Buffer's read/write methods are slower). */
export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/** A reusable byte buffer that grows to the largest size asked for, with a DataView over it. */
export class ScratchBuffer {
  private buf = Buffer.alloc(4096);
  /** DataView over the buffer returned by the last get(). */
  view = viewOf(this.buf);
  get(size: number): Buffer {
    if (this.buf.length < size) {
      this.buf = Buffer.alloc(Math.max(size, this.buf.length * 2));
      this.view = viewOf(this.buf);
    }
    return this.buf;
  }
}

/** Runs `fn` on a freshly opened file and always closes it (the per-call API's open/close like Python's `with open`). */
export function withWhisperFile<T>(path: string, writable: boolean, fn: (file: WhisperFile) => T): T {
  const file = WhisperFile.open(path, writable);
  try {
    return fn(file);
  } finally {
    file.close();
  }
}
