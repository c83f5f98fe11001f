import { renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { metricPathForSeries } from '../pipeline/tags.js';
import { WhisperError } from '../whisper/errors.js';
import { DrainBuffer, type DrainMessage } from './drain-buffer.js';
import type { WhisperBackend } from './whisper-backend-types.js';
import type { CreateItem, FromWorker, ToWorker, WriteResult, WriterWorkerOptions } from './writer-protocol.js';

const PATH_MEMO_LIMIT = 200_000;

/**
 * The Whisper side of the writer: what carbon's writeCachedDataPoints does per metric once the
 * metric is chosen, minus the rate limits (the main thread applies those before sending). It runs
 * inside the worker thread (writer-worker.ts), or inline in tests.
 *
 * Errors never escape: a failing metric is counted and reported, its points dropped as carbon
 * drops them, and the next metric is written.
 */
export class WriterCore {
  private paths = new Map<string, string>();
  /** carbon's TagQueue.update_counter: every TAG_UPDATE_INTERVAL-th write is reported for the TagDB. */
  private tagUpdateCounter = 0;

  constructor(
    private opts: WriterWorkerOptions,
    private backend: WhisperBackend,
  ) {}

  handle(msg: ToWorker): FromWorker {
    switch (msg.type) {
      case 'write':
        return this.write(msg.id, msg.batch, msg.creates, msg.createIndex);
      case 'create':
        return this.write(msg.id, msg.batch, msg.items, undefined);
      case 'get-metadata':
        return { type: 'metadata', id: msg.id, result: this.getMetadata(msg.metric, msg.key) };
      case 'set-metadata':
        return { type: 'metadata', id: msg.id, result: this.setMetadata(msg.metric, msg.key, msg.value) };
      case 'close':
        this.backend.close();
        return { type: 'closed', id: msg.id };
    }
  }

  /** LOCAL_DATA_DIR/<carbon's encoding>.wsp, memoised: series repeat every interval. */
  pathFor(name: string, hashFilenames = this.opts.tagHashFilenames): string {
    if (hashFilenames !== this.opts.tagHashFilenames) return join(this.opts.dataDir, metricPathForSeries(name, hashFilenames));
    let p = this.paths.get(name);
    if (p === undefined) {
      p = join(this.opts.dataDir, metricPathForSeries(name, hashFilenames));
      if (this.paths.size >= PATH_MEMO_LIMIT) this.paths.clear();
      this.paths.set(name, p);
    }
    return p;
  }

  /**
   * Writes each metric of the batch. With `createIndex`, metric m is created first when missing
   * (with creates[createIndex[m]]); without it, `creates` is parallel to the metrics and each is
   * created (the create queue's messages).
   */
  private write(id: number, msg: DrainMessage, creates: CreateItem[] | undefined, createIndex: Int32Array | undefined): WriteResult {
    const batch = DrainBuffer.fromMessage(msg);
    const result: WriteResult = {
      type: 'written',
      id,
      committed: 0,
      updates: 0,
      updateSeconds: 0,
      creates: 0,
      errors: 0,
      missing: null,
      noSpace: null,
      errorMessages: [],
      updateLog: [],
      createLog: [],
    };
    let missing: DrainBuffer | null = null;
    let noSpace: DrainBuffer | null = null;
    let offset = 0;
    for (let m = 0; m < batch.metrics; m++) {
      const name = batch.names[m];
      const n = batch.counts[m];
      const path = this.pathFor(name);
      const ts = batch.timestamps.subarray(offset, offset + n);
      const vs = batch.values.subarray(offset, offset + n);
      offset += n;
      if (SURROGATE.test(name)) {
        const bad = loneSurrogate(path);
        if (bad !== undefined) {
          // Python cannot encode the path (UnicodeEncodeError): carbon logs a failed create and drops
          // the points. Node would write U+FFFD in its place and create another file.
          result.errors++;
          result.errorMessages.push(`Error creating ${name}: ${bad}`);
          continue;
        }
      }
      const t0 = performance.now();
      let outcome: CreateOutcome | 'written' = 'ok';
      const k = createIndex ? createIndex[m] : -1;
      if (k >= 0 && n > 0 && !(this.opts.tagHashFilenames && name.includes(';'))) {
        // A new series: created with its first points in one write (most series that come with a
        // schema are new; for one that exists already this is a failed open, then the update).
        outcome = this.createWithPoints(name, path, creates![k], ts, vs, n, result);
      } else if (k >= 0) {
        outcome = this.createIfMissing(name, path, creates![k], result);
      } else if (creates && !createIndex) {
        outcome = this.create(name, path, creates[m], result);
      }
      if (outcome === 'written') {
        this.countUpdate(name, n, t0, result);
        continue;
      }
      if (outcome === 'no-space') (noSpace ??= new DrainBuffer(16, Math.max(16, n))).append(name, ts, vs, n);
      if (outcome !== 'ok') continue;
      try {
        if (n > 0) this.backend.updateMany(path, ts, vs, n);
        else if (!this.exists(name, path)) throw Object.assign(new Error(`${path} does not exist`), { code: 'ENOENT' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && (!creates || createIndex)) {
          if (this.renameUnhashed(name, path)) {
            m--; // retry this metric at its new name
            offset -= n;
            continue;
          }
          missing ??= new DrainBuffer(16, Math.max(16, n));
          missing.append(name, ts, vs, n);
          continue;
        }
        result.errors++;
        result.errorMessages.push(`Error writing to ${name}: ${errorText(err)}`);
        continue;
      }
      this.countUpdate(name, n, t0, result);
    }
    if (missing) result.missing = missing.toMessage();
    if (noSpace) result.noSpace = noSpace.toMessage();
    const notices = this.backend.takeNotices?.();
    if (notices?.length) result.errorMessages.push(...notices);
    return result;
  }

  private countUpdate(name: string, n: number, t0: number, result: WriteResult): void {
    const seconds = (performance.now() - t0) / 1000;
    result.committed += n;
    result.updates++;
    result.updateSeconds += seconds;
    const interval = this.opts.tagUpdateInterval;
    if (interval) {
      this.tagUpdateCounter = (this.tagUpdateCounter % interval) + 1;
      if (this.tagUpdateCounter === 1) (result.tagUpdates ??= []).push(name);
    }
    if (this.opts.collectUpdateLog) result.updateLog.push(`wrote ${n} datapoints for ${name} in ${seconds.toFixed(5)} seconds`);
  }

  /**
   * createIfMissing and the update together. 'ok': the file existed and nothing was done (the
   * caller updates it). An error is reported as carbon would report its two steps: a create error when no file
   * was made, else a create followed by a write error.
   */
  private createWithPoints(
    name: string,
    path: string,
    item: CreateItem,
    ts: Float64Array,
    vs: Float64Array,
    n: number,
    result: WriteResult,
  ): CreateOutcome | 'written' {
    try {
      // 'ok': it exists already, the caller updates it.
      if (!this.backend.createWithPoints(path, item.archives, item.xFilesFactor, item.aggregationMethod, ts, vs, n)) return 'ok';
    } catch (err) {
      const exists = this.backend.exists(path);
      if (!exists && isNoSpace(err)) return 'no-space';
      result.errors++;
      if (exists) {
        this.countCreate(name, item, result);
        result.errorMessages.push(`Error writing to ${name}: ${errorText(err)}`);
      } else {
        result.errorMessages.push(`Error creating ${name}: ${errorText(err)}`);
      }
      return 'failed';
    }
    this.countCreate(name, item, result);
    return 'written';
  }

  /**
   * Creates the file unless it exists; false if it could not be created. The create is tried
   * first (it checks for the file itself): most series sent with a schema are new, and a stat
   * beforehand would cost as much as the check. Tagged names may have an old non-hashed file to
   * rename instead, so they are checked first.
   */
  private createIfMissing(name: string, path: string, item: CreateItem, result: WriteResult): CreateOutcome {
    if (this.opts.tagHashFilenames && name.includes(';') && this.exists(name, path)) return 'ok';
    try {
      this.backend.create(path, item.archives, item.xFilesFactor, item.aggregationMethod);
    } catch (err) {
      if (this.backend.exists(path)) return 'ok'; // it was there already (this writer had not seen it yet)
      return this.createFailed(name, err, result);
    }
    this.countCreate(name, item, result);
    return 'ok';
  }

  /** A failed create: kept for another try when the disk is full, else an error (the points are dropped as carbon drops them). */
  private createFailed(name: string, err: unknown, result: WriteResult): CreateOutcome {
    if (isNoSpace(err)) return 'no-space';
    result.errors++;
    result.errorMessages.push(`Error creating ${name}: ${errorText(err)}`);
    return 'failed';
  }

  private exists(name: string, path: string): boolean {
    return this.backend.exists(path) || this.renameUnhashed(name, path);
  }

  /** carbon's WhisperDatabase.exists: with TAG_HASH_FILENAMES an old non-hashed file is renamed to the hashed name. */
  private renameUnhashed(name: string, path: string): boolean {
    if (!this.opts.tagHashFilenames || !name.includes(';')) return false;
    const old = this.pathFor(name, false);
    if (!existsSync(old)) return false;
    try {
      renameSync(old, path);
      this.backend.forget(old);
      this.backend.forget(path);
      return true;
    } catch {
      return false;
    }
  }

  private create(name: string, path: string, item: CreateItem, result: WriteResult): CreateOutcome {
    try {
      this.backend.create(path, item.archives, item.xFilesFactor, item.aggregationMethod);
      this.countCreate(name, item, result);
      return 'ok';
    } catch (err) {
      return this.createFailed(name, err, result);
    }
  }

  private countCreate(name: string, item: CreateItem, result: WriteResult): void {
    result.creates++;
    if (this.opts.collectCreateLog) result.createLog.push(...createLogLines(name, item));
    if (this.opts.tagUpdateInterval) (result.tagCreates ??= []).push(name);
  }

  private getMetadata(metric: string, key: string): Record<string, unknown> {
    try {
      if (key !== 'aggregationMethod') throw new PythonValueError(`Unsupported metadata key "${key}"`);
      return { value: this.backend.getAggregationMethod(this.pathFor(metric)) };
    } catch (err) {
      return { error: tracebackText(err) };
    }
  }

  private setMetadata(metric: string, key: string, value: unknown): Record<string, unknown> {
    try {
      if (key !== 'aggregationMethod') throw new PythonValueError(`Unsupported metadata key "${key}"`);
      const old = this.backend.setAggregationMethod(this.pathFor(metric), String(value));
      return { old_value: old, new_value: value };
    } catch (err) {
      return { error: tracebackText(err) };
    }
  }
}

type CreateOutcome = 'ok' | 'failed' | 'no-space';

/** The filesystem (or the user's quota) is full: the create can succeed later. */
function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** carbon's writer log lines for a create (LOG_CREATES), with Python's reprs of the settings. */
function createLogLines(name: string, item: CreateItem): string[] {
  const archives = `[${item.archives.map(([s, p]) => `(${s}, ${p})`).join(', ')}]`;
  const xff = item.xFilesFactor === undefined ? 'None' : pyFloatText(item.xFilesFactor);
  return [
    `new metric ${name} matched schema ${item.schemaName ?? 'default'}`,
    `new metric ${name} matched aggregation schema ${item.aggregationName ?? 'default'}`,
    `creating database metric ${name} (archive=${archives} xff=${xff} agg=${item.aggregationMethod ?? 'None'})`,
  ];
}

/** Python's str() of a float for the creates log (0.5 → 0.5, 1 → 1.0). */
function pyFloatText(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

class PythonValueError extends Error {
  override name = 'ValueError';
}

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Python's UnicodeEncodeError text for the first lone surrogate in `path`, if it has one. */
function loneSurrogate(path: string): string | undefined {
  const m = LONE_SURROGATE.exec(path);
  if (!m) return undefined;
  const position = Array.from(path.slice(0, m.index)).length;
  const code = m[0].charCodeAt(0).toString(16);
  return `'utf-8' codec can't encode character '\\u${code}' in position ${position}: surrogates not allowed`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** carbon answers metadata failures with traceback.format_exc(); this keeps its last line's shape. */
function tracebackText(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as NodeJS.ErrnoException).code;
  // Exceptions of the whisper module print with their module's name, as Python's traceback does.
  const cls =
    code === 'ENOENT' ? 'FileNotFoundError' : e instanceof WhisperError ? `whisper.${e.name === 'WhisperError' ? 'WhisperException' : e.name}` : e.name === 'Error' ? 'Exception' : e.name;
  return `Traceback (most recent call last):\n${cls}: ${e.message}\n`;
}
