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
  /** WHISPER_MAX_OPEN_FILES (carbon-ts): 0 or absent = what the descriptor limit allows. */
  maxOpenFiles?: number;
  /** Writer threads sharing that budget (WRITER_THREADS): each keeps its 1/openFileShare part open. Default 1. */
  openFileShare?: number;
  /** Send back one "wrote N datapoints for M in S seconds" line per update (LOG_UPDATES at debug level). */
  collectUpdateLog: boolean;
  /** Send back carbon's three "new metric ... / creating database metric ..." lines per create (LOG_CREATES). */
  collectCreateLog?: boolean;
  /**
   * ENABLE_TAGS: report each series this worker creates and every TAG_UPDATE_INTERVAL-th series it
   * writes (carbon's TagQueue.add / TagQueue.update), for registration with graphite-web's TagDB.
   * 0 or absent: off; else at least 1 (the daemon turns carbon's 0, a ZeroDivisionError there, into 1).
   */
  tagUpdateInterval?: number;
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
  /** storage-schemas.conf / storage-aggregation.conf section names, for the creates log. */
  schemaName?: string;
  aggregationName?: string;
}

export type ToWorker =
  | {
      type: 'write';
      id: number;
      batch: DrainMessage;
      /**
       * Metrics the main thread has not seen written yet: createIndex[m] >= 0 points into `creates`
       * (one entry per distinct schema), and the worker creates the file first if it is missing,
       * instead of failing the write and sending the metric back (no create limit is configured).
       */
      creates?: CreateItem[];
      createIndex?: Int32Array;
    }
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
  /**
   * New metrics whose file could not be created for lack of space (ENOSPC, EDQUOT), with their
   * points: nothing was left on disk, and the writer keeps them to try again.
   */
  noSpace: DrainMessage | null;
  /** Error messages to log (already one per failed metric). */
  errorMessages: string[];
  /** "wrote N datapoints ..." lines, when collectUpdateLog. */
  updateLog: string[];
  /** The creates log lines, when collectCreateLog. */
  createLog: string[];
  /** With tagUpdateInterval: series created, and series written picked for a TagDB update. */
  tagCreates?: string[];
  tagUpdates?: string[];
}

export type MetadataResult = { type: 'metadata'; id: number; result: Record<string, unknown> };

export type FromWorker = WriteResult | MetadataResult | { type: 'closed'; id: number } | { type: 'fatal'; id?: number; message: string };
