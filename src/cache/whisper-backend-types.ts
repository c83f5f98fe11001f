import type { ArchiveSpec, WriterWorkerOptions } from './writer-protocol.js';

/**
 * The file operations the writer worker needs from the Whisper library. The worker owns the one
 * instance, so cached descriptors and headers are never shared between threads.
 */
export interface WhisperBackend {
  /** whisper.update_many of `count` points (sorted by timestamp, no duplicates). Throws a NodeJS ENOENT error if the file is missing. */
  updateMany(path: string, timestamps: Float64Array, values: Float64Array, count: number): void;
  /** whisper.create, making the parent directories first; throws if the file exists or the archive list is invalid. */
  create(path: string, archives: ArchiveSpec[], xFilesFactor: number | undefined, aggregationMethod: string | undefined): void;
  /**
   * create() then updateMany() of the first `count` points in one step (see
   * WhisperStore.createWithPoints); false, with nothing done, when the file exists already.
   */
  createWithPoints(
    path: string,
    archives: ArchiveSpec[],
    xFilesFactor: number | undefined,
    aggregationMethod: string | undefined,
    timestamps: Float64Array,
    values: Float64Array,
    count: number,
  ): boolean;
  exists(path: string): boolean;
  getAggregationMethod(path: string): string;
  /** Returns the previous method. */
  setAggregationMethod(path: string, method: string): string;
  /** Things worth an error log line that did not fail a write (a cut-short file extended), since the last call. */
  takeNotices?(): string[];
  /** Forgets anything cached about `path` (it was renamed or removed). */
  forget(path: string): void;
  close(): void;
}

export type WhisperBackendFactory = (options: WriterWorkerOptions) => WhisperBackend;
