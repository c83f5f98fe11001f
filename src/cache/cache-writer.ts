import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { type Counters, stats as globalStats } from '../instrumentation/counters.js';
import { getLogger, RateLimiter } from '../logging.js';
import { DrainBuffer, drainTransferList } from './drain-buffer.js';
import type { MetricCache } from './metric-cache.js';
import { TokenBucket } from './token-bucket.js';
import type { WhisperBackend } from './whisper-backend-types.js';
import { WriterCore } from './writer-core.js';
import type { ArchiveSpec, CreateItem, FromWorker, ToWorker, WriteResult, WriterWorkerOptions } from './writer-protocol.js';

const log = getLogger('writer');
const createsLog = getLogger('creates');
const updatesLog = getLogger('updates');
const limited = new RateLimiter();

/**
 * A storage-schemas.conf match: section name and archives as (secondsPerPoint, points).
 * src/config's `StorageSchemas.match` / `StorageAggregation.match` results fit these shapes as they are.
 */
export interface SchemaMatch {
  readonly name: string;
  readonly archives: readonly (readonly [secondsPerPoint: number, points: number])[];
}

/** A storage-aggregation.conf match; undefined fields mean whisper's defaults (carbon's None). */
export interface AggregationMatch {
  readonly name: string;
  readonly xFilesFactor?: number | null;
  readonly aggregationMethod?: string | null;
}

export type SchemaMatcher = (metric: string) => SchemaMatch | undefined;
export type AggregationMatcher = (metric: string) => AggregationMatch | undefined;

/** carbon's built-in last resort (storage.py defaultSchema): one minute for a week. */
export const DEFAULT_SCHEMA: SchemaMatch = { name: 'default', archives: [[60, 60 * 24 * 7]] };

export interface CacheWriterOptions {
  cache: MetricCache;
  /** Where and how files are written (LOCAL_DATA_DIR, TAG_HASH_FILENAMES, WHISPER_*). */
  whisper: Omit<WriterWorkerOptions, 'collectUpdateLog'>;
  /** First matching storage-schemas.conf section; undefined → DEFAULT_SCHEMA. */
  matchSchema: SchemaMatcher;
  /** First matching storage-aggregation.conf section; undefined → whisper defaults. */
  matchAggregation?: AggregationMatcher;
  /** MAX_UPDATES_PER_SECOND (one token per metric update). Default Infinity. */
  maxUpdatesPerSecond?: number;
  /** MAX_UPDATES_PER_SECOND_ON_SHUTDOWN: becomes both buckets' capacity and rate in flush(). */
  maxUpdatesPerSecondOnShutdown?: number;
  /** MAX_CREATES_PER_MINUTE. Default Infinity. */
  maxCreatesPerMinute?: number;
  /**
   * CREATE_QUEUE_ENABLED (carbon-ts; default true): a new series without a create token waits in a
   * FIFO with its points instead of losing them as carbon does. False = carbon's drop + droppedCreates.
   */
  createQueueEnabled?: boolean;
  /** CREATE_QUEUE_MAX_SIZE (series; default Infinity). Beyond it, points are dropped and counted in droppedCreates. */
  createQueueMaxSize?: number;
  /** LOG_CREATES (default true). */
  logCreates?: boolean;
  /** LOG_UPDATES (default true): one line per update, at debug level (it is one line per write). */
  logUpdates?: boolean;
  /** Pause after the cache was found empty, ms (carbon sleeps 1 s). */
  idleMs?: number;
  /** How often new series that found no disk space are tried again, ms. Default NO_SPACE_RETRY_MS. */
  noSpaceRetryMs?: number;
  /**
   * WRITER_THREADS (carbon-ts): worker threads doing the file I/O, each owning the series of the
   * directories that hash to it (see ownerOf; a file is only ever touched by one thread). Default 1.
   */
  writerThreads?: number;
  /**
   * ENABLE_TAGS (with whisper.tagUpdateInterval): receives the series just created and the written
   * series picked for an update, for the TagDB (carbon's tagQueue.add / tagQueue.update).
   */
  onTags?: (created: readonly string[], updated: readonly string[]) => void;
  /** Run the file I/O in this thread with this backend instead of a worker (tests; one thread). */
  inlineBackend?: WhisperBackend;
  counters?: Counters;
}

/** Most metrics / points sent to the worker in one message, and messages outstanding at once. */
const BATCH_METRICS = 2000;
const BATCH_POINTS = 200_000;
const MAX_IN_FLIGHT = 2;
/**
 * With several writer threads a drained batch goes to all of them, so a thread that is ahead would
 * wait for the slowest one to get below MAX_IN_FLIGHT: batches are sent while some thread has room,
 * and a thread that is behind may queue up to this many.
 */
const MAX_QUEUED_PER_THREAD = 4;
const CREATE_BATCH = 200;
/**
 * After a pass that emptied the cache the writer waits idleMs (carbon's writer sleeps 1 s, so new
 * points wait for it between 0 and 1 s). Points stored into the empty cache start a burst instead:
 * the writer starts once no batch has arrived for BURST_QUIET_MS, and at the latest REFILL_WAKE_MS
 * after the burst's first batch. A burst is then written in one pass, with many points per update,
 * rather than series by series as it arrives. Measured on bench:cache (10,000 series × 100 points in
 * one burst): waking 50 ms after the first batch wrote ~30% sooner than waiting 500 ms but used
 * ~40% more CPU (twice the update operations); the quiet period gets both.
 */
export const REFILL_WAKE_MS = 500;
export const BURST_QUIET_MS = 50;
/** New series whose file could not be created for lack of disk space are tried again this often. */
export const NO_SPACE_RETRY_MS = 10_000;
/** Names remembered as having a file (see knownFiles); beyond this the set starts over. */
const KNOWN_FILES_LIMIT = 2_000_000;

interface WaitingSeries {
  timestamps: number[];
  values: number[];
}

interface Channel {
  send(msg: ToWorker, transfer: ArrayBuffer[]): void;
  close(): Promise<void>;
}

/** One writer thread: its channel and its messages not yet answered. */
interface WriterThread {
  channel: Channel;
  inFlight: number;
}

/** A thread record whose channel the caller connects (it refers to the record in its handlers). */
function newThread(): WriterThread {
  return { channel: { send: () => {}, close: async () => {} }, inFlight: 0 };
}

/**
 * The writer: drains the MetricCache in CACHE_WRITE_STRATEGY order into Whisper files, through
 * worker threads that own all file I/O (carbon's writer thread, spec carbon.md §6.4), each the
 * files of its share of the directories (WRITER_THREADS).
 *
 * The main thread chooses metrics and applies the rate limits: one update token per metric (as
 * carbon), create tokens for new files. New series without a create token wait in the create queue
 * with their points (carbon-ts) unless createQueueEnabled is false.
 *
 * Lifecycle: start() → running; flush() on SIGTERM writes everything (at the shutdown rate) and
 * resolves; stop() closes the worker. reloadSchemas() swaps the matchers (SIGHUP / file change).
 */
export class CacheWriter {
  private readonly cache: MetricCache;
  private readonly counters: Counters;
  /** The I/O threads; series `name` belongs to threads[ownerOf(name, threads.length)]. Empty when stopped. */
  private threads: WriterThread[] = [];
  private updateBucket: TokenBucket | null;
  private createBucket: TokenBucket | null;
  private matchSchema: SchemaMatcher;
  private matchAggregation: AggregationMatcher | undefined;
  /** Series waiting for a create token (FIFO). */
  private createQueue = new Map<string, WaitingSeries>();
  /** Series that have their create token and go out with the next create message. */
  private readyCreates = new Map<string, WaitingSeries>();
  /**
   * New series whose create failed for lack of space, with their points (and any that arrive
   * meanwhile): sent again as creates once noSpaceRetryAt has passed. Part of the create queue
   * (CREATE_QUEUE_ENABLED, CREATE_QUEUE_MAX_SIZE, gauge createQueue.size).
   */
  private waitingForSpace = new Map<string, WaitingSeries>();
  private noSpaceRetryAt = 0;
  /**
   * Series this writer has sent to the worker since it started. Without a create limit, any other
   * series goes out with its schema so the worker creates its file at once if it is missing,
   * instead of failing a write and sending the points back for a create message.
   */
  private knownFiles = new Set<string>();
  private nextId = 1;
  private metadataWaiters = new Map<number, { thread: WriterThread; resolve: (r: Record<string, unknown>) => void }>();
  private closeWaiter: (() => void) | null = null;
  private closesPending = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private idleUntil = 0;
  /** When points arrived in the empty cache (0: no burst pending), and when the last batch came. */
  private burstStart = 0;
  private lastArrival = 0;
  private flushing = false;
  private shutdownRatesApplied = false;
  private flushWaiters: (() => void)[] = [];
  /** Holds the process open while a flush is pending (the worker itself is unref'd). */
  private keepAlive: NodeJS.Timeout | null = null;
  private running = false;
  private updateSeconds = 0;
  private updateCount = 0;

  constructor(private opts: CacheWriterOptions) {
    this.cache = opts.cache;
    this.cache.onStored = (refilled) => this.onStored(refilled);
    this.counters = opts.counters ?? globalStats;
    this.matchSchema = opts.matchSchema;
    this.matchAggregation = opts.matchAggregation;
    const ups = opts.maxUpdatesPerSecond ?? Infinity;
    this.updateBucket = Number.isFinite(ups) ? new TokenBucket(ups, ups) : null;
    const cpm = opts.maxCreatesPerMinute ?? Infinity;
    this.createBucket = Number.isFinite(cpm) ? new TokenBucket(cpm, cpm / 60) : null;
  }

  /** Series waiting for a create token. */
  get createQueueSize(): number {
    return this.createQueue.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const workerOptions: WriterWorkerOptions = {
      ...this.opts.whisper,
      collectUpdateLog: (this.opts.logUpdates ?? true) && updatesLog.isDebug(),
      collectCreateLog: this.opts.logCreates ?? true,
    };
    if (this.opts.inlineBackend) {
      const core = new WriterCore(workerOptions, this.opts.inlineBackend);
      const thread = newThread();
      thread.channel.send = (msg) => setImmediate(() => this.onMessage(thread, core.handle(msg)));
      this.threads = [thread];
    } else {
      const n = Math.max(1, Math.floor(this.opts.writerThreads ?? 1));
      // The descriptor budget is shared: each thread keeps its part of it open.
      const perThread = { ...workerOptions, openFileShare: n };
      this.threads = [];
      for (let k = 0; k < n; k++) {
        const thread = newThread();
        thread.channel = this.spawnWorker(thread, perThread);
        this.threads.push(thread);
      }
    }
    this.pump();
  }

  /**
   * Starts the I/O worker of `thread`. If it ever dies (a bug, or out of memory), the points it was
   * writing are counted as errors and lost, as carbon loses a failed write, and a new worker takes
   * over its series.
   */
  private spawnWorker(thread: WriterThread, workerOptions: WriterWorkerOptions): Channel {
    const worker = new Worker(workerScriptUrl(), { workerData: workerOptions });
    let closing = false;
    worker.on('message', (m: FromWorker) => this.onMessage(thread, m));
    worker.on('error', (err) => {
      log.error(`writer worker failed: ${err.stack ?? err.message}`);
    });
    worker.on('exit', (code) => {
      if (closing || !this.running) return;
      log.error(`writer worker exited (code ${code}); ${thread.inFlight} batches in flight are lost, starting a new worker`);
      this.counters.increment('errors', Math.max(1, thread.inFlight));
      thread.inFlight = 0;
      for (const [id, w] of this.metadataWaiters) {
        if (w.thread !== thread) continue;
        w.resolve({ error: 'Traceback (most recent call last):\nException: writer worker exited\n' });
        this.metadataWaiters.delete(id);
      }
      thread.channel = this.spawnWorker(thread, workerOptions);
      this.schedule(100);
    });
    worker.unref();
    return {
      send: (msg, transfer) => worker.postMessage(msg, transfer),
      close: async () => {
        closing = true;
        await worker.terminate();
      },
    };
  }

  private onStored(refilled: boolean): void {
    if (!this.running || this.flushing) return;
    if (refilled) {
      const now = Date.now();
      this.burstStart = now;
      this.lastArrival = now;
      this.schedule(BURST_QUIET_MS);
    } else if (this.burstStart !== 0) {
      this.lastArrival = Date.now();
    }
  }

  /** While a burst into the empty cache is arriving: the time to start writing it, else 0. */
  private burstWakeAt(): number {
    if (this.burstStart === 0) return 0;
    return Math.min(this.lastArrival + BURST_QUIET_MS, this.burstStart + REFILL_WAKE_MS);
  }

  /** Swaps the storage-schemas / storage-aggregation matchers (SIGHUP or file change); nothing cached is lost. */
  reloadSchemas(matchSchema: SchemaMatcher, matchAggregation?: AggregationMatcher): void {
    this.matchSchema = matchSchema;
    this.matchAggregation = matchAggregation;
  }

  /**
   * Writes everything cached and queued, then resolves (SIGTERM). Applies
   * MAX_UPDATES_PER_SECOND_ON_SHUTDOWN to both buckets as carbon does and drains regardless of
   * MIN_TIMESTAMP_LAG. Points stored while flushing are written too.
   */
  flush(): Promise<void> {
    if (!this.running) this.start();
    const shut = this.opts.maxUpdatesPerSecondOnShutdown;
    if (!this.shutdownRatesApplied) {
      this.shutdownRatesApplied = true;
      if (shut !== undefined && Number.isFinite(shut)) {
        this.updateBucket?.setCapacityAndFillRate(shut, shut);
        this.createBucket?.setCapacityAndFillRate(shut, shut);
        log.info(`Carbon shutting down.  Changed the update rate to: ${shut}`);
      } else {
        log.info('Carbon shutting down.  Update rate not changed');
      }
      this.cache.setMinTimestampLag(0);
    }
    this.flushing = true;
    const done = new Promise<void>((resolve) => this.flushWaiters.push(resolve));
    // Once the listeners are closed nothing else may keep Node's event loop alive, and it would exit
    // with the flush unfinished: hold it open until everything is written.
    this.keepAlive ??= setInterval(() => {}, 60_000);
    this.idleUntil = 0;
    this.pump();
    return done;
  }

  /** Closes the worker (after flush(), or dropping whatever is still cached). */
  async stop(): Promise<void> {
    if (this.threads.length === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = false;
    const threads = this.threads;
    const closed = new Promise<void>((resolve) => (this.closeWaiter = resolve));
    this.closesPending = threads.length;
    for (const t of threads) t.channel.send({ type: 'close', id: this.nextId++ }, []);
    // A ref'd timer: the workers are unref'd, and the close replies must be awaited even when nothing else runs.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    this.threads = [];
    await Promise.all(threads.map((t) => t.channel.close()));
  }

  /** CarbonLink get-metadata: `{value}` or `{error}`; runs in the worker, which owns the files. */
  getMetadata(metric: string, key: string): Promise<Record<string, unknown>> {
    return this.metadataRequest({ type: 'get-metadata', id: this.nextId++, metric, key });
  }

  /** CarbonLink set-metadata: `{old_value, new_value}` or `{error}`. */
  setMetadata(metric: string, key: string, value: unknown): Promise<Record<string, unknown>> {
    return this.metadataRequest({ type: 'set-metadata', id: this.nextId++, metric, key, value });
  }

  /**
   * Call just before the self-metrics are read (SelfMetrics `sample`): sets the cache gauges and
   * carbon's per-interval derived stats (avgUpdateTime, pointsPerUpdate only when there were updates;
   * the plain counters always present, 0 included).
   */
  sampleStats(): void {
    const c = this.counters;
    c.setGauge('cache.size', this.cache.size);
    c.setGauge('cache.queues', this.cache.queues);
    c.setGauge('createQueue.size', this.createQueue.size + this.waitingForSpace.size);
    const committed = c.get('committedPoints');
    if (this.updateCount > 0) c.increment('avgUpdateTime', this.updateSeconds / this.updateCount);
    if (committed > 0 && this.updateCount > 0) c.increment('pointsPerUpdate', committed / this.updateCount);
    c.increment('updateOperations', this.updateCount);
    for (const name of ['committedPoints', 'creates', 'droppedCreates', 'errors', 'cache.overflow']) c.increment(name, 0);
    this.updateSeconds = 0;
    this.updateCount = 0;
  }

  private metadataRequest(msg: ToWorker & { id: number; metric: string }): Promise<Record<string, unknown>> {
    if (this.threads.length === 0) return Promise.resolve({ error: 'Traceback (most recent call last):\nException: writer is not running\n' });
    // The thread that owns the metric's file answers for it.
    const thread = this.threads[ownerOf(msg.metric, this.threads.length)];
    return new Promise((resolve) => {
      this.metadataWaiters.set(msg.id, { thread, resolve });
      thread.channel.send(msg, []);
    });
  }

  private schedule(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, Math.max(0, delayMs));
    // The daemon's listeners (or a flush's keep-alive) hold the process open, not the writer's polling.
    this.timer.unref();
  }

  /** Sends work to the workers while there is room in flight (hasRoom), tokens, and something to write. */
  private pump(): void {
    if (!this.running || this.threads.length === 0) return;
    while (this.hasRoom()) {
      if (this.sendCreates()) continue;
      const budget = this.drainBudget();
      if (budget === 0) break;
      if (this.drainRound(budget)) {
        // The strategy's pass ended (or the cache is empty): carbon's writer sleeps before the next.
        this.idleUntil = Date.now() + (this.opts.idleMs ?? 1000);
        if (!this.flushing) this.schedule(this.opts.idleMs ?? 1000);
        break;
      }
    }
    this.checkFlushed();
  }

  /**
   * How many metrics the next round may drain: 0 when there is nothing to do now (the cache is
   * empty, a burst is still arriving, the idle pause is on, or no update token is left), with a
   * wake-up scheduled for when there may be.
   */
  private drainBudget(): number {
    if (this.cache.queues === 0) {
      // Nothing cached: look again after the idle pause, as carbon's writer loop sleeps and retries.
      if (!this.flushing) this.schedule(this.opts.idleMs ?? 1000);
      return 0;
    }
    if (this.burstStart !== 0 && !this.flushing) {
      const wakeAt = this.burstWakeAt();
      if (Date.now() < wakeAt) {
        this.schedule(wakeAt - Date.now());
        return 0;
      }
      this.burstStart = 0;
      this.idleUntil = 0;
    }
    if (!this.flushing && Date.now() < this.idleUntil) {
      this.schedule(this.idleUntil - Date.now());
      return 0;
    }
    if (!this.updateBucket) return BATCH_METRICS;
    const available = Math.floor(this.updateBucket.tokens);
    if (available < 1) this.schedule(Math.ceil(this.updateBucket.secondsUntil(1) * 1000));
    return Math.max(0, Math.min(BATCH_METRICS, available));
  }

  /**
   * Drains up to `budget` metrics in CACHE_WRITE_STRATEGY order, each straight into the batch of the
   * thread that owns it, and posts the batches. New series still waiting for their file take the
   * points instead. Returns true when the strategy's pass ended.
   */
  private drainRound(budget: number): boolean {
    const n = this.threads.length;
    const parts = this.threads.map(() => ({
      buf: new DrainBuffer(Math.min(budget, 1024), 4096),
      creates: this.createBucket === null ? new CreateTable(budget) : null,
    }));
    let part = parts[0];
    const bufferOf = (metric: string): DrainBuffer => (part = parts[ownerOf(metric, n)]).buf;
    let metrics = 0;
    let points = 0;
    let passEnded = false;
    while (metrics < budget && points < BATCH_POINTS) {
      let name = this.cache.drainNextWith(bufferOf);
      if (name === null && this.flushing && this.cache.queues > 0) {
        // timesorted never offers carbon's empty entries; at shutdown take them in FIFO order.
        name = this.cache.firstName()!;
        this.cache.popInto(name, bufferOf(name));
      }
      if (name === null) {
        passEnded = true;
        break;
      }
      const { buf, creates } = part;
      const waiting = this.waitingFor(name);
      if (waiting) {
        appendLastTo(buf, waiting);
        buf.dropLast();
        continue;
      }
      metrics++;
      points += buf.counts[buf.metrics - 1];
      if (creates && !this.knownFiles.has(name)) {
        creates.add(buf.metrics - 1, name, this.matchSchema, this.matchAggregation);
        this.rememberFile(name);
      }
    }
    if (metrics > 0) {
      this.updateBucket?.drain(metrics);
      for (let k = 0; k < n; k++) {
        const { buf, creates } = parts[k];
        if (buf.metrics > 0) this.postWrite(this.threads[k], buf, creates);
      }
    }
    return passEnded;
  }

  /** Whether another batch may go out: some thread is below MAX_IN_FLIGHT and none is at MAX_QUEUED_PER_THREAD. */
  private hasRoom(): boolean {
    let some = false;
    for (const t of this.threads) {
      if (t.inFlight >= MAX_QUEUED_PER_THREAD) return false;
      if (t.inFlight < MAX_IN_FLIGHT) some = true;
    }
    return some;
  }

  /** The queued points of a new series still waiting for its file, if any (a map lookup only when some wait). */
  private waitingFor(name: string): WaitingSeries | undefined {
    if (this.createQueue.size + this.readyCreates.size + this.waitingForSpace.size === 0) return undefined;
    return this.createQueue.get(name) ?? this.readyCreates.get(name) ?? this.waitingForSpace.get(name);
  }

  /** A write message; with `creates` (some of its metrics new), their create items and index go along. */
  private postWrite(thread: WriterThread, buf: DrainBuffer, creates: CreateTable | null): void {
    if (creates && creates.items.length > 0) {
      this.post(thread, { type: 'write', id: this.nextId++, batch: buf.toMessage(), creates: creates.items, createIndex: creates.index });
    } else this.post(thread, { type: 'write', id: this.nextId++, batch: buf.toMessage() });
  }

  /** Sends queued creates that have tokens, each to the thread owning the series; true if it sent something. */
  private sendCreates(): boolean {
    if (this.waitingForSpace.size > 0 && Date.now() >= this.noSpaceRetryAt) {
      // Time to try again: they go out as creates (their create tokens were spent already).
      for (const [name, waiting] of this.waitingForSpace) this.readyCreates.set(name, waiting);
      this.waitingForSpace.clear();
    }
    if (this.createQueue.size === 0 && this.readyCreates.size === 0) return false;
    const n = this.threads.length;
    const parts = this.threads.map(() => ({ items: [] as CreateItem[], buf: new DrainBuffer(16, 256) }));
    let taken = 0;
    const take = (name: string, waiting: WaitingSeries): void => {
      const part = parts[ownerOf(name, n)];
      part.items.push(createItemFor(name, this.matchSchema, this.matchAggregation));
      appendMerged(part.buf, name, waiting);
      taken++;
    };
    for (const [name, waiting] of this.readyCreates) {
      if (taken >= CREATE_BATCH) break;
      this.readyCreates.delete(name);
      this.rememberFile(name);
      take(name, waiting);
    }
    for (const [name, waiting] of this.createQueue) {
      if (taken >= CREATE_BATCH) break;
      if (this.createBucket && !this.createBucket.drain(1)) {
        this.schedule(Math.ceil(this.createBucket.secondsUntil(1) * 1000));
        break;
      }
      this.createQueue.delete(name);
      take(name, waiting);
    }
    for (let k = 0; k < n; k++) {
      const { items, buf } = parts[k];
      if (items.length > 0) this.post(this.threads[k], { type: 'create', id: this.nextId++, items, batch: buf.toMessage() });
    }
    return taken > 0;
  }

  private rememberFile(name: string): void {
    if (this.knownFiles.size >= KNOWN_FILES_LIMIT) this.knownFiles.clear();
    this.knownFiles.add(name);
  }

  private post(thread: WriterThread, msg: ToWorker & { batch: ReturnType<DrainBuffer['toMessage']> }): void {
    thread.inFlight++;
    const transfer = drainTransferList(msg.batch);
    if (msg.type === 'write' && msg.createIndex) transfer.push(msg.createIndex.buffer as ArrayBuffer);
    thread.channel.send(msg, transfer);
  }

  private onMessage(thread: WriterThread, m: FromWorker): void {
    switch (m.type) {
      case 'written':
        thread.inFlight--;
        this.onWritten(m);
        break;
      case 'metadata': {
        const w = this.metadataWaiters.get(m.id);
        this.metadataWaiters.delete(m.id);
        w?.resolve(m.result);
        return;
      }
      case 'closed':
        if (--this.closesPending <= 0) this.closeWaiter?.();
        return;
      case 'fatal':
        log.error(`writer worker error: ${m.message}`);
        this.counters.increment('errors');
        if (m.id !== undefined && this.metadataWaiters.has(m.id)) {
          this.metadataWaiters.get(m.id)!.resolve({ error: `Traceback (most recent call last):\nException: ${m.message}\n` });
          this.metadataWaiters.delete(m.id);
          return;
        }
        if (m.id !== undefined) thread.inFlight--;
        break;
    }
    this.pump();
  }

  private onWritten(r: WriteResult): void {
    const c = this.counters;
    if (r.committed) c.increment('committedPoints', r.committed);
    if (r.creates) c.increment('creates', r.creates);
    if (r.errors) c.increment('errors', r.errors);
    this.updateCount += r.updates;
    this.updateSeconds += r.updateSeconds;
    for (const msg of r.errorMessages) {
      const suppressed = limited.allow('write-error');
      if (suppressed >= 0) log.error(suppressed > 0 ? `${msg} (${suppressed} similar errors suppressed)` : msg);
    }
    for (const line of r.updateLog) updatesLog.debug(line);
    for (const line of r.createLog) createsLog.info(line);
    if (r.tagCreates || r.tagUpdates) this.opts.onTags?.(r.tagCreates ?? [], r.tagUpdates ?? []);
    if (r.missing) this.onMissing(DrainBuffer.fromMessage(r.missing));
    if (r.noSpace) this.onNoSpace(DrainBuffer.fromMessage(r.noSpace));
  }

  /**
   * New series the disk had no room for. Carbon drops their points; carbon-ts keeps them in the
   * create queue and tries again every NO_SPACE_RETRY_MS (files that exist keep being written
   * meanwhile: they are allocated in full when created). At shutdown, or with the create queue off
   * or full, they are dropped and counted as carbon counts them.
   */
  private onNoSpace(failed: DrainBuffer): void {
    const enabled = this.opts.createQueueEnabled ?? true;
    const maxQueue = this.opts.createQueueMaxSize ?? Infinity;
    this.counters.increment('createsNoSpace', failed.metrics);
    failed.forEachMetric((name, ts, vs, n) => {
      this.knownFiles.delete(name);
      const waiting = this.waitingFor(name);
      if (waiting) {
        // Points that arrived meanwhile came later: these go first.
        waiting.timestamps = [...ts, ...waiting.timestamps];
        waiting.values = [...vs, ...waiting.values];
      } else if (this.flushing) {
        this.dropCreate(name, n, 'no space left on device at shutdown');
      } else if (!enabled) {
        this.dropCreate(name, n, 'no space left on device');
      } else if (this.createQueue.size + this.waitingForSpace.size >= maxQueue) {
        this.dropCreate(name, n, `no space left on device and the create queue is full (CREATE_QUEUE_MAX_SIZE=${maxQueue})`);
      } else {
        this.waitingForSpace.set(name, { timestamps: Array.from(ts), values: Array.from(vs) });
      }
    });
    if (this.waitingForSpace.size === 0) return;
    const retryMs = this.opts.noSpaceRetryMs ?? NO_SPACE_RETRY_MS;
    this.noSpaceRetryAt = Date.now() + retryMs;
    this.schedule(retryMs);
    const suppressed = limited.allow('no-space');
    if (suppressed >= 0) {
      log.error(
        `no space left on device for new series (e.g. ${failed.names[0]}): ${this.waitingForSpace.size} keep their points in the create queue and are tried again every ${retryMs / 1000} s; existing series are still written` +
          (suppressed > 0 ? ` (${suppressed} similar messages suppressed)` : ''),
      );
    }
  }

  /** Metrics whose file does not exist: create now, queue for a create token, or drop as carbon. */
  private onMissing(missing: DrainBuffer): void {
    const enabled = this.opts.createQueueEnabled ?? true;
    const maxQueue = this.opts.createQueueMaxSize ?? Infinity;
    missing.forEachMetric((name, ts, vs, n) => {
      const waiting = this.createQueue.get(name) ?? this.readyCreates.get(name);
      if (waiting) {
        for (let i = 0; i < n; i++) waiting.timestamps.push(ts[i]), waiting.values.push(vs[i]);
        return;
      }
      const series = { timestamps: Array.from(ts), values: Array.from(vs) };
      // Without a create limit, or with a token and nobody waiting ahead, the series is created right away
      // (sendCreates runs before the next drain); otherwise it joins the queue or is dropped as carbon drops it.
      if (this.createBucket === null || (this.createQueue.size === 0 && this.createBucket.drain(1))) {
        this.readyCreates.set(name, series);
        return;
      }
      if (!enabled) {
        this.dropCreate(name, n, 'no create token (MAX_CREATES_PER_MINUTE)');
        return;
      }
      if (this.createQueue.size >= maxQueue) {
        this.dropCreate(name, n, `create queue full (CREATE_QUEUE_MAX_SIZE=${maxQueue})`);
        return;
      }
      this.createQueue.set(name, series);
      if (limited.allow('create-wait') >= 0) {
        log.info(`${this.createQueue.size} new series waiting for a create token (MAX_CREATES_PER_MINUTE), e.g. ${name}`);
      }
    });
  }

  private dropCreate(name: string, points: number, reason: string): void {
    this.counters.increment('droppedCreates');
    const suppressed = limited.allow('dropped-create');
    if (suppressed >= 0) log.warn(`dropped ${points} datapoints of new metric ${name}: ${reason}${suppressed > 0 ? ` (${suppressed} more suppressed)` : ''}`);
  }

  private checkFlushed(): void {
    if (!this.flushing || this.flushWaiters.length === 0) return;
    if (this.waitingForSpace.size > 0) {
      // Shutting down: one more try for them now, then whatever still finds no room is dropped.
      this.noSpaceRetryAt = 0;
      this.pump();
      return;
    }
    if (this.threads.some((t) => t.inFlight > 0) || this.cache.queues > 0 || this.createQueue.size > 0 || this.readyCreates.size > 0) return;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
    // Back to the normal cadence (the shutdown rates stay, as in carbon): points stored after the
    // flush are written by the usual polling, or by the next flush().
    this.flushing = false;
    this.schedule(this.opts.idleMs ?? 1000);
    for (const w of waiters) w();
  }
}

/** Where the compiled worker is: beside this module, or under dist/ when this module runs from src/ (tests). */
function workerScriptUrl(): URL {
  const here = new URL('./writer-worker.js', import.meta.url);
  if (import.meta.url.endsWith('.ts')) {
    const path = fileURLToPath(here).replace(/([\\/])src([\\/])cache([\\/])writer-worker\.js$/, '$1dist$2cache$3writer-worker.js');
    return new URL(`file://${path}`);
  }
  return here;
}

/**
 * The writer thread that owns series `name` among `threads`: FNV-1a of the name up to its last dot
 * (its file's directory), so a name always goes to the same thread, no file is ever written by two
 * threads, and two threads never create files in the same directory (a create takes the
 * directory's lock). Tagged names (with ';') hash whole: they are stored by hash.
 */
export function ownerOf(name: string, threads: number): number {
  if (threads <= 1) return 0;
  let end = name.length;
  if (name.indexOf(';') < 0) {
    const dot = name.lastIndexOf('.');
    if (dot > 0) end = dot;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < end; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h >>> 0) % threads;
}

function safeMatch<T>(fn: (m: string) => T | undefined, name: string): T | undefined {
  try {
    return fn(name);
  } catch (err) {
    log.error(`schema matching failed for ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** Moves the last metric of `buf` into a waiting series (arrival order kept). */
function appendLastTo(buf: DrainBuffer, waiting: WaitingSeries): void {
  const n = buf.counts[buf.metrics - 1];
  const start = buf.points - n;
  for (let i = start; i < buf.points; i++) {
    waiting.timestamps.push(buf.timestamps[i]);
    waiting.values.push(buf.values[i]);
  }
}

/** Appends a waiting series sorted by timestamp, later arrivals winning on equal timestamps. */
function appendMerged(buf: DrainBuffer, name: string, w: WaitingSeries): void {
  const idx = w.timestamps.map((_, i) => i);
  idx.sort((a, b) => w.timestamps[a] - w.timestamps[b] || a - b);
  const ts: number[] = [];
  const vs: number[] = [];
  for (const i of idx) {
    if (ts.length > 0 && ts[ts.length - 1] === w.timestamps[i]) vs[vs.length - 1] = w.values[i];
    else ts.push(w.timestamps[i]), vs.push(w.values[i]);
  }
  buf.append(name, ts, vs);
}

/** The create settings of a new series: its schema and aggregation matches (carbon's defaults if none). */
function createItemFor(name: string, matchSchema: SchemaMatcher, matchAggregation: AggregationMatcher | undefined): CreateItem {
  const schema = safeMatch(matchSchema, name) ?? DEFAULT_SCHEMA;
  const agg: AggregationMatch = (matchAggregation && safeMatch(matchAggregation, name)) ?? { name: 'default' };
  return {
    name,
    archives: schema.archives.map(([s, p]) => [s, p] as ArchiveSpec),
    xFilesFactor: agg.xFilesFactor ?? undefined,
    aggregationMethod: agg.aggregationMethod ?? undefined,
    schemaName: schema.name,
    aggregationName: agg.name,
  };
}

/**
 * The create settings of one write message: one item per distinct (schema, aggregation) pair, and
 * per metric the index of its item or -1, so thousands of new series cost a few small objects.
 */
class CreateTable {
  readonly items: CreateItem[] = [];
  readonly index: Int32Array;
  private byMatch = new Map<SchemaMatch | undefined, Map<AggregationMatch | undefined, number>>();

  constructor(metricCapacity: number) {
    this.index = new Int32Array(metricCapacity).fill(-1);
  }

  add(metric: number, name: string, matchSchema: SchemaMatcher, matchAggregation: AggregationMatcher | undefined): void {
    const schema = safeMatch(matchSchema, name);
    const agg = matchAggregation && safeMatch(matchAggregation, name);
    let byAgg = this.byMatch.get(schema);
    if (!byAgg) this.byMatch.set(schema, (byAgg = new Map()));
    let k = byAgg.get(agg);
    if (k === undefined) {
      k = this.items.length;
      this.items.push(createItemFor(name, () => schema, matchAggregation && (() => agg)));
      byAgg.set(agg, k);
    }
    this.index[metric] = k;
  }
}
