import type { DrainMessage } from './drain-buffer.js';

/** Messages between the writer (main thread) and the Whisper I/O worker. */

export type ArchiveSpec = [secondsPerPoint: number, points: number];

export interface WriterWorkerOptions {
  /** LOCAL_DATA_DIR. */
  dataDir: string;
  /** TAG_HASH_FILENAMES. */
  tagHashFilenames: boolean;
  /** WHISPER_SPARSE_CREATE. */
  sparseCreate: boolean;
  /** WHISPER_FALLOCATE_CREATE. */
  fallocateCreate: boolean;
  /** WHISPER_LOCK_WRITES. */
  lockWrites: boolean;
  /** WHISPER_AUTOFLUSH. */
  autoflush: boolean;
  /** WHISPER_FADVISE_RANDOM. */
  fadviseRandom: boolean;
  /** Send back one "wrote N datapoints for M in S seconds" line per update (LOG_UPDATES at debug level). */
  collectUpdateLog: boolean;
  /** Module exporting `createWhisperBackend(options)`; tests substitute a fake. Default: ./whisper-backend.js. */
  backendModule?: string;
}

export interface CreateItem {
  name: string;
  archives: ArchiveSpec[];
  /** undefined = whisper's default (0.5). */
  xFilesFactor?: number;
  /** undefined = whisper's default (average). */
  aggregationMethod?: string;
}

export type ToWorker =
  | { type: 'write'; id: number; batch: DrainMessage }
  | { type: 'create'; id: number; items: CreateItem[]; batch: DrainMessage }
  | { type: 'get-metadata'; id: number; metric: string; key: string }
  | { type: 'set-metadata'; id: number; metric: string; key: string; value: unknown }
  | { type: 'close'; id: number };

export interface WriteResult {
  type: 'written';
  id: number;
  /** Points written (carbon's committedPoints). */
  committed: number;
  /** Successful update_many calls (carbon's updateOperations). */
  updates: number;
  /** Sum of the update calls' durations, seconds (for avgUpdateTime). */
  updateSeconds: number;
  creates: number;
  errors: number;
  /** Metrics whose file does not exist yet, with their points: the writer decides about creating them. */
  missing: DrainMessage | null;
  /** Error messages to log (already one per failed metric). */
  errorMessages: string[];
  /** "wrote N datapoints ..." lines, when collectUpdateLog. */
  updateLog: string[];
}

export type MetadataResult = { type: 'metadata'; id: number; result: Record<string, unknown> };

export type FromWorker = WriteResult | MetadataResult | { type: 'closed'; id: number } | { type: 'fatal'; id?: number; message: string };
