import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setAggregationMethod } from '../whisper/api.js';
import { createFile } from '../whisper/create.js';
import { WhisperStore } from '../whisper/store.js';
import { OpenFileClock } from './open-file-clock.js';
import type { WhisperBackend } from './whisper-backend-types.js';
import type { ArchiveSpec, WriterWorkerOptions } from './writer-protocol.js';

/**
 * The writer worker's WhisperBackend: the Whisper library's WhisperStore (descriptor and header
 * LRU), configured from carbon's WHISPER_* options. WHISPER_LOCK_WRITES and WHISPER_FADVISE_RANDOM
 * are accepted but Node.js has neither flock(2) nor posix_fadvise (see WhisperStoreOptions).
 */
export function createWhisperBackend(opts: WriterWorkerOptions): WhisperBackend {
  const limit = openFileBudget();
  const total = opts.maxOpenFiles !== undefined && opts.maxOpenFiles > 0 ? Math.min(Math.floor(opts.maxOpenFiles), limit) : limit;
  const budget = Math.max(1, Math.floor(total / Math.max(1, opts.openFileShare ?? 1)));
  // Which files stay open (O(1) per write; see OpenFileClock), so files are closed here before the
  // store reaches its limit and has to search for a victim itself.
  const recent = new OpenFileClock(budget, (path) => store.close(path));
  // Directories this worker has made or found: a create in one of them skips mkdir (a syscall per
  // create otherwise, as costly as the create's own open). A directory removed meanwhile is made again.
  const madeDirs = new Set<string>();
  const createIn = (path: string, archives: ArchiveSpec[], xFilesFactor: number | undefined, aggregationMethod: string | undefined): void => {
    createFile(path, archives.map(([s, p]) => [s, p]), xFilesFactor ?? null, aggregationMethod ?? null, {
      sparse: opts.sparseCreate,
      useFallocate: opts.fallocateCreate,
      autoflush: opts.autoflush,
      validateFirst: true,
    });
  };
  /** Runs a create in the directory of `path`, making the directory first unless it is known to exist. */
  const inDirectoryOf = <T>(path: string, create: () => T): T => {
    const dir = dirname(path);
    if (madeDirs.has(dir)) {
      try {
        return create();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        madeDirs.delete(dir);
      }
    }
    mkdirSync(dir, { recursive: true });
    if (madeDirs.size >= 100_000) madeDirs.clear();
    madeDirs.add(dir);
    return create();
  };
  /** After a write: the file stays open if the clock holds it, else it is closed now (as carbon closes every file). */
  const written = (path: string): void => {
    if (!recent.touch(path)) store.close(path);
  };
  const notices: string[] = [];
  const store = new WhisperStore({
    onShortFile: (path, size, expected) =>
      notices.push(`${path} was ${size} bytes, shorter than its header says (${expected}): extended with empty slots before writing`),
    maxOpenFiles: budget + 1,
    autoflush: opts.autoflush,
    lockWrites: opts.lockWrites,
    sparse: opts.sparseCreate,
    useFallocate: opts.fallocateCreate,
  });
  return {
    takeNotices(): string[] {
      return notices.splice(0);
    },
    updateMany(path: string, timestamps: Float64Array, values: Float64Array, count: number): void {
      store.updateMany(path, timestamps, values, count);
      written(path);
    },
    create(path: string, archives: ArchiveSpec[], xFilesFactor: number | undefined, aggregationMethod: string | undefined): void {
      store.invalidate(path);
      inDirectoryOf(path, () => createIn(path, archives, xFilesFactor, aggregationMethod));
    },
    createWithPoints(path, archives, xFilesFactor, aggregationMethod, timestamps, values, count): boolean {
      const created = inDirectoryOf(path, () =>
        store.createWithPoints(path, archives, xFilesFactor, aggregationMethod, timestamps, values, count, undefined, { makeDirs: false }),
      );
      written(path);
      return created;
    },
    exists: (path) => store.exists(path),
    getAggregationMethod(path: string): string {
      // carbon: whisper.info(path)['aggregationMethod']; info() returns None for a file it cannot open.
      store.invalidate(path);
      let info;
      try {
        info = store.info(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === undefined) throw err;
        throw Object.assign(new TypeError("'NoneType' object is not subscriptable"), { name: 'TypeError' });
      }
      return info.aggregationMethod;
    },
    setAggregationMethod(path: string, method: string): string {
      store.invalidate(path);
      const old = setAggregationMethod(path, method, null, { autoflush: opts.autoflush });
      return old;
    },
    forget: (path) => {
      recent.forget(path);
      store.invalidate(path);
    },
    close: () => {
      recent.clear();
      store.closeAll();
    },
  };
}

/**
 * How many Whisper files the worker keeps open: most of RLIMIT_NOFILE, leaving 4096 descriptors for
 * client connections and logs. Keeping a file open saves an open+close per update (carbon reopens
 * every time); when there are more series than this, see OpenFileClock for which stay open.
 */
function openFileBudget(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const limit = !m || m[1] === 'unlimited' ? 65536 + 4096 : Number(m[1]);
    return Math.max(256, Math.min(65536, limit - 4096));
  } catch {
    return 1024;
  }
}
