// Fast path for the cache's writer thread: keeps Whisper files open with their
// parsed headers in an LRU, and writes each update_many batch with positional
// I/O (see write.ts), producing exactly the bytes whisper.update_many would.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createFile, fileSizeFor, newFileImage, openNewFile, writeAll } from './create.js';
import { InvalidConfiguration } from './errors.js';
import { fetchFromFile, type FetchResult } from './fetch.js';
import { ScratchBuffer, WhisperFile } from './file.js';
import type { ArchiveSpec, WhisperInfo } from './format.js';
import { updateManyPoints } from './write.js';

export interface WhisperStoreOptions {
  /** Most files kept open at once (least recently used closed first). Default 1024. */
  maxOpenFiles?: number;
  /** fsync after every write call (carbon WHISPER_AUTOFLUSH). Default false. */
  autoflush?: boolean;
  /**
   * carbon WHISPER_LOCK_WRITES. Node.js has no flock(2), and a lock file would
   * not exclude Python tools (they use flock), so this is accepted and does
   * nothing: within the store, writes are serialised because one store runs
   * on one thread. `lockingSupported` is false so callers can say so in logs.
   */
  lockWrites?: boolean;
  /**
   * stat(2) the path before a write and reopen when the file was replaced
   * (another inode, e.g. whisper-resize renames a new file into place), changed
   * size, or vanished. Default true. Turn off only when nothing else touches
   * the files.
   */
  checkReplaced?: boolean;
  /**
   * With checkReplaced, stat a file at most once per this many ms (default
   * 1000; 0 = before every write). A stat costs about as much as a write, and
   * a file written many times a second need not be checked each time; a
   * replacement is then noticed within this window. (Python carbon has the
   * same kind of window: whisper-resize copies data, then renames, and points
   * written in between are lost either way.)
   */
  recheckAfterMs?: number;
  /**
   * Re-read a cached header (and archive bases) once it is older than this,
   * to pick up in-place edits by other tools (whisper-set-aggregation-method,
   * whisper-fill into an empty archive): the header, archive bases and cached
   * slot blocks are dropped and re-read. Default 10000 ms; 0 re-reads on every call.
   */
  headerMaxAgeMs?: number;
  /** Defaults for create(): carbon WHISPER_SPARSE_CREATE / WHISPER_FALLOCATE_CREATE. */
  sparse?: boolean;
  useFallocate?: boolean;
  /**
   * A file whose header is intact but which is shorter than its archives (cut short by a full disk
   * or a crash) is extended to its whole length before it is written, as Python's whisper ends up
   * growing it, and this is called; without it such a file is refused (CorruptWhisperFile).
   */
  onShortFile?: (path: string, size: number, expected: number) => void;
}

interface OpenEntry {
  file: WhisperFile;
  /** Date.now() when the header was (re)read. */
  loadedAt: number;
  /** Date.now() of the last stat check. */
  checkedAt: number;
  /** Store-wide use counter at the last access: the smallest is the least recently used. */
  lastUsed: number;
}

/**
 * Largest new file createWithPoints builds in memory (bytes); a bigger one is created (header and
 * zeros written in chunks) and then written like any other.
 */
export const NEW_FILE_IMAGE_LIMIT = 16 << 20;

/** Node.js cannot take flock(2) locks; see WhisperStoreOptions.lockWrites. */
export const lockingSupported = false;

export class WhisperStore {
  private readonly open = new Map<string, OpenEntry>();
  /** createWithPoints builds each new file here (it is written before the call returns). */
  private readonly imageScratch = new ScratchBuffer();
  private useCounter = 0;
  private readonly maxOpenFiles: number;
  private readonly autoflush: boolean;
  private readonly checkReplaced: boolean;
  private readonly recheckAfterMs: number;
  private readonly headerMaxAgeMs: number;
  private readonly sparse: boolean;
  private readonly useFallocate: boolean;
  private readonly onShortFile?: (path: string, size: number, expected: number) => void;

  constructor(options: WhisperStoreOptions = {}) {
    this.onShortFile = options.onShortFile;
    this.maxOpenFiles = Math.max(1, options.maxOpenFiles ?? 1024);
    this.autoflush = options.autoflush ?? false;
    this.checkReplaced = options.checkReplaced ?? true;
    this.recheckAfterMs = options.recheckAfterMs ?? 1000;
    this.headerMaxAgeMs = options.headerMaxAgeMs ?? 10_000;
    this.sparse = options.sparse ?? false;
    this.useFallocate = options.useFallocate ?? false;
  }

  /** Number of files currently held open. */
  get openFiles(): number {
    return this.open.size;
  }

  /**
   * whisper.update_many(path, points, now): `count` points from the parallel
   * arrays (timestamps in seconds, truncated toward zero like Python's int()).
   * Of identical timestamps the first wins; too-old points are dropped.
   * Throws CorruptWhisperFile for a damaged file (nothing is written), the
   * fs error for a missing one, TimestampOutOfRange for timestamps outside u32.
   */
  updateMany(
    filePath: string,
    timestamps: Float64Array,
    values: Float64Array,
    count: number,
    now: number = Math.floor(Date.now() / 1000),
  ): void {
    if (count === 0) return;
    timestamps = wholeSeconds(filePath, timestamps, count);
    const file = this.acquire(filePath);
    try {
      updateManyPoints(file, timestamps, values, count, now);
      if (this.autoflush) file.fsync();
    } catch (err) {
      this.close(filePath);
      throw err;
    }
  }

  /**
   * whisper.create with carbon's writer conventions: parent directories are
   * made, method/xFilesFactor are checked before anything touches the disk,
   * `archiveList` is not modified.
   */
  create(
    filePath: string,
    archiveList: readonly ArchiveSpec[],
    xFilesFactor?: number | null,
    aggregationMethod?: string | null,
    options: { sparse?: boolean; useFallocate?: boolean } = {},
  ): void {
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    this.close(filePath);
    createFile(filePath, archiveList.map(([s, p]) => [s, p]), xFilesFactor ?? null, aggregationMethod ?? null, {
      sparse: options.sparse ?? this.sparse,
      useFallocate: options.useFallocate ?? this.useFallocate,
      autoflush: this.autoflush,
      validateFirst: true,
    });
  }

  /**
   * create() followed by updateMany() of the first points, in one write: the new file's content
   * (header, zeros, the points and what they propagate to lower archives) is built in memory and
   * written at once, and the file stays open for the next updates. Returns false, having touched
   * nothing, when the file exists already. The bytes on disk are those of the two steps; so are the
   * errors: a bad schema throws before the disk is touched, a bad point leaves the new, empty file
   * behind. Parent directories are made only with `makeDirs` (default true). Sparse creates and
   * files over NEW_FILE_IMAGE_LIMIT bytes take the two steps.
   */
  createWithPoints(
    filePath: string,
    archiveList: readonly ArchiveSpec[],
    xFilesFactor: number | null | undefined,
    aggregationMethod: string | null | undefined,
    timestamps: Float64Array,
    values: Float64Array,
    count: number,
    now: number = Math.floor(Date.now() / 1000),
    options: { makeDirs?: boolean } = {},
  ): boolean {
    const archives = archiveList.map(([s, p]): ArchiveSpec => [s, p]);
    if (options.makeDirs ?? true) fs.mkdirSync(path.dirname(filePath), { recursive: true });
    if (count === 0 || (this.sparse && !this.useFallocate) || fileSizeFor(archives) > NEW_FILE_IMAGE_LIMIT) {
      try {
        this.create(filePath, archives, xFilesFactor, aggregationMethod);
      } catch (err) {
        if (err instanceof InvalidConfiguration && fs.existsSync(filePath)) return false;
        throw err;
      }
      if (count > 0) this.updateMany(filePath, timestamps, values, count, now);
      return true;
    }
    const image = newFileImage(archives, xFilesFactor ?? null, aggregationMethod ?? null, this.imageScratch);
    let fd: number;
    try {
      fd = openNewFile(filePath, 'wx+');
    } catch (err) {
      if (err instanceof InvalidConfiguration) return false;
      throw err;
    }
    this.close(filePath); // an entry for a file that was removed meanwhile
    let file: WhisperFile | null = null;
    try {
      file = WhisperFile.fromImage(filePath, fd, image);
      try {
        updateManyPoints(file, wholeSeconds(filePath, timestamps, count), values, count, now);
      } catch (err) {
        // As after a create and a failed update: the file exists, empty.
        writeAll(fd, newFileImage(archives, xFilesFactor ?? null, aggregationMethod ?? null), 0);
        fs.closeSync(fd);
        fd = -1;
        throw err;
      }
      file.commitImage();
      if (this.autoflush) file.fsync();
    } catch (err) {
      if (fd >= 0) {
        // The content could not be written (a full disk): no half-made file is left behind.
        try {
          fs.closeSync(fd);
        } catch {
          // already closed
        }
        fs.rmSync(filePath, { force: true });
      }
      throw err;
    }
    this.remember(filePath, file);
    return true;
  }

  /**
   * True if the file exists. A file held open and checked within
   * recheckAfterMs (or with checkReplaced off) answers without a syscall:
   * the writer asks before every write, and updateMany re-checks on schedule.
   */
  exists(filePath: string): boolean {
    const entry = this.open.get(filePath);
    if (entry !== undefined && (!this.checkReplaced || Date.now() - entry.checkedAt < this.recheckAfterMs)) return true;
    return fs.existsSync(filePath);
  }

  /** whisper.fetch through the open-file cache. */
  fetch(
    filePath: string,
    fromTime: number,
    untilTime?: number | null,
    now: number = Math.floor(Date.now() / 1000),
    archiveToSelect?: number | string | null,
  ): FetchResult | null {
    const file = this.acquire(filePath);
    try {
      return fetchFromFile(file, fromTime, untilTime, now, archiveToSelect);
    } catch (err) {
      this.close(filePath);
      throw err;
    }
  }

  /** The parsed header of an (opened) file (a copy: the cached one stays intact). */
  info(filePath: string): WhisperInfo {
    const header = this.acquire(filePath).info;
    return { ...header, archives: header.archives.map((a) => ({ ...a })) };
  }

  /** Forget what is cached about `filePath` (call after changing the file by other means). */
  invalidate(filePath: string): void {
    this.close(filePath);
  }

  /** Close one file if open. */
  close(filePath: string): void {
    const entry = this.open.get(filePath);
    if (entry === undefined) return;
    this.open.delete(filePath);
    entry.file.close();
  }

  /** Close every open file. */
  closeAll(): void {
    for (const entry of this.open.values()) entry.file.close();
    this.open.clear();
  }

  private acquire(filePath: string): WhisperFile {
    const entry = this.open.get(filePath);
    if (entry !== undefined) {
      if (this.stillValid(filePath, entry)) {
        // A counter instead of re-inserting into the Map on every hit: hits are
        // the hot path, evictions (a scan) happen only on a miss at capacity.
        entry.lastUsed = ++this.useCounter;
        return entry.file;
      }
      this.close(filePath);
    }
    const file = WhisperFile.open(filePath, true, true, this.onShortFile !== undefined);
    if (file.extendedFrom >= 0) this.onShortFile!(filePath, file.extendedFrom, file.fileSize);
    this.remember(filePath, file);
    return file;
  }

  private remember(filePath: string, file: WhisperFile): void {
    while (this.open.size >= this.maxOpenFiles) this.close(this.leastRecentlyUsed());
    const now = Date.now();
    this.open.set(filePath, { file, loadedAt: now, checkedAt: now, lastUsed: ++this.useCounter });
  }

  private leastRecentlyUsed(): string {
    let oldestPath = '';
    let oldestUse = Infinity;
    for (const [p, entry] of this.open) {
      if (entry.lastUsed < oldestUse) {
        oldestUse = entry.lastUsed;
        oldestPath = p;
      }
    }
    return oldestPath;
  }

  private stillValid(filePath: string, entry: OpenEntry): boolean {
    const { file } = entry;
    const now = Date.now();
    if (this.checkReplaced && now - entry.checkedAt >= this.recheckAfterMs) {
      const stat = fs.statSync(filePath, { throwIfNoEntry: false });
      if (stat === undefined || stat.size !== file.fileSize) return false;
      // A file this store created: what is at its path now, with its size, is taken to be it.
      if (file.ino === -1) file.adoptIdentity(stat);
      else if (stat.ino !== file.ino || stat.dev !== file.dev) return false;
      entry.checkedAt = now;
    }
    if (now - entry.loadedAt >= this.headerMaxAgeMs) {
      try {
        file.reloadHeader();
      } catch {
        return false; // reopening reports what is wrong with the file
      }
      entry.loadedAt = now;
    }
    return true;
  }
}

/** The timestamps truncated toward zero like Python's int() (the same array when they are whole already). */
function wholeSeconds(filePath: string, timestamps: Float64Array, count: number): Float64Array {
  for (let i = 0; i < count; i++) {
    const t = timestamps[i];
    if (!Number.isInteger(t)) {
      if (!Number.isFinite(t)) throw new RangeError(`Timestamp ${t} is not a number of seconds (${filePath})`);
      return truncated(timestamps, count);
    }
  }
  return timestamps;
}

function truncated(timestamps: Float64Array, count: number): Float64Array {
  const copy = new Float64Array(count);
  for (let i = 0; i < count; i++) copy[i] = Math.trunc(timestamps[i]);
  return copy;
}
