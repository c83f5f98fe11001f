import type { MetricBatch } from '../pipeline/batch.js';
import { stats } from '../instrumentation/counters.js';
import { getLogger, RateLimiter } from '../logging.js';
import { normalizeSeries } from '../pipeline/tags.js';
import type { NameInterner } from '../protocol/name-interner.js';
import { DrainBuffer } from './drain-buffer.js';
import { NO_BLOCK, POINTS_PER_BLOCK, PointArena } from './point-arena.js';
import { type CacheView, createDrainStrategy, type DrainStrategy, type StrategyOptions } from './write-strategies.js';

const log = getLogger('cache');

const NIL_ID = -1;
/** Row flags: the series is in the cache (else its row is idle); its points need a sort when popped. */
const IN_CACHE = 1;
const UNSORTED = 2;
/** Idle rows are swept only beyond this many (and when they outnumber the cached series twice). */
const IDLE_SWEEP_MIN = 100_000;
const badInputLog = new RateLimiter();

export interface MetricCacheOptions {
  /** MAX_CACHE_SIZE: most points held (sum over metrics); Infinity = unbounded. */
  maxSize?: number;
  /** CACHE_WRITE_STRATEGY: sorted (default), max, naive, timesorted, random; anything else drains FIFO as carbon does. */
  strategy?: string;
  /** MIN_TIMESTAMP_LAG (timesorted only), seconds. */
  minTimestampLag?: number;
  /** LOG_CACHE_QUEUE_SORTS: log "Sorted N cache queues" lines (at debug level). */
  logQueueSorts?: boolean;
  /**
   * Called when a point is dropped because the cache is full and the cache was not already marked
   * full (carbon's cacheFull event): the daemon pauses its TCP readers if USE_FLOW_CONTROL.
   */
  onFull?: () => void;
  /** Called when the size falls below the low watermark (0.95 × maxSize) after having been full. */
  onSpaceAvailable?: () => void;
  /** Clock for timesorted's lag, seconds. */
  now?: () => number;
  /**
   * The receivers' name interner (the batches' nameIds are its slots). The cache keeps each name's
   * row in the slot's tag, so a name seen before finds its row without a Map lookup or tag
   * normalisation. The cache must be the tags' only user (NameInterner.claimTags): not in a
   * process that also relays.
   */
  nameSlots?: NameInterner;
  /** Idle rows are swept only beyond this many (tests make it small). Default IDLE_SWEEP_MIN. */
  idleSweepMin?: number;
}

/**
 * carbon's MetricCache: metric name → (timestamp → value), insertion-ordered, with carbon's
 * duplicate, full-cache and drain-order rules (spec carbon.md §6.1-6.3).
 *
 * Points live in a shared block arena (see PointArena); per-metric state is a row in typed arrays
 * indexed by a small integer id, so a cached series costs one Map entry, its name and ~60 bytes
 * of rows (its first point included).
 *
 * A series keeps its id (and Map entry) after it is drained: the writer empties most series many
 * times a minute and the same names come straight back, and deleting and re-adding Map entries
 * costs several times a lookup. Which series are cached, in carbon's dict insertion order, is a
 * doubly linked list through the rows; idle ids are swept when they outnumber the cached ones.
 */
export class MetricCache implements CacheView {
  /** Total points held: carbon's `MetricCache.size`. */
  size = 0;
  readonly maxSize: number;
  readonly lowWatermark: number;
  /** carbon's state.cacheTooFull: set when a point was dropped, cleared below the low watermark. */
  tooFull = false;

  /** name → row id, for cached series and for idle ones not swept yet. */
  private ids = new Map<string, number>();
  private nameOf: string[] = [];
  /** Cached series (carbon's dict entries), in insertion order: a list through prev/next rows. */
  private cached = 0;
  private first = NIL_ID;
  private last = NIL_ID;
  private prev: Int32Array;
  private next: Int32Array;
  /** IN_CACHE and UNSORTED bits per row. */
  private flags: Uint8Array;
  private arena = new PointArena();
  // Per-metric rows, indexed by id. A metric's first point lives in its row (no block is wasted on
  // the many series that hold only a few points); points 2.. live in its chain of arena blocks.
  private head: Int32Array;
  private tail: Int32Array;
  private count: Int32Array;
  private firstTs: Float64Array;
  private firstValue: Float64Array;
  private maxTs: Float64Array;
  private freeIds: number[] = [];
  private nextId = 0;

  private strategy: DrainStrategy;
  private readonly nameSlots: NameInterner | null;
  private readonly idleSweepMin: number;
  private readonly onFull?: () => void;
  private readonly onSpaceAvailable?: () => void;

  constructor(opts: MetricCacheOptions = {}) {
    this.maxSize = opts.maxSize ?? Infinity;
    this.lowWatermark = this.maxSize * 0.95;
    this.onFull = opts.onFull;
    this.onSpaceAvailable = opts.onSpaceAvailable;
    this.nameSlots = opts.nameSlots ?? null;
    this.idleSweepMin = opts.idleSweepMin ?? IDLE_SWEEP_MIN;
    this.nameSlots?.claimTags(this);
    const cap = 1024;
    this.head = new Int32Array(cap);
    this.tail = new Int32Array(cap);
    this.count = new Int32Array(cap);
    this.firstTs = new Float64Array(cap);
    this.firstValue = new Float64Array(cap);
    this.maxTs = new Float64Array(cap);
    this.prev = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.flags = new Uint8Array(cap);
    const strategyOpts: StrategyOptions = { minTimestampLag: opts.minTimestampLag, now: opts.now };
    if (opts.logQueueSorts) strategyOpts.logSorts = (m) => log.debug(m);
    this.strategy = createDrainStrategy(opts.strategy ?? 'sorted', this, strategyOpts);
  }

  /** Number of metric entries (carbon's `len(MetricCache())`, reported as cache.queues). */
  get queues(): number {
    return this.cached;
  }

  get isFull(): boolean {
    return this.maxSize !== Infinity && this.size >= this.maxSize;
  }

  /** timesorted's MIN_TIMESTAMP_LAG; carbon zeroes it at shutdown so everything drains. */
  setMinTimestampLag(seconds: number): void {
    const s = this.strategy as { minTimestampLag?: number };
    if (typeof s.minTimestampLag === 'number') s.minTimestampLag = seconds;
  }

  /**
   * The cache stage (carbon's CacheFeedingProcessor): names are tag-normalised, then stored. The
   * batch is only read during the call.
   */
  storeBatch(batch: MetricBatch): void {
    const { names, timestamps, values, nameIds } = batch;
    const slots = this.nameSlots;
    const wasEmpty = this.cached === 0;
    for (let i = 0; i < batch.length; i++) {
      const name = names[i];
      const slot = slots === null ? -1 : nameIds[i];
      if (slot >= 0) {
        // The row kept in the name's slot, if it is still this name's row (rows are reused).
        const row = slots!.tagOf(slot) - 1;
        if (row >= 0 && this.nameOf[row] === name) {
          this.storeInRow(row, timestamps[i], values[i]);
          continue;
        }
      }
      const normalized = normalizeSeries(name, reportBadTaggedName);
      const row = this.rowFor(normalized);
      this.storeInRow(row, timestamps[i], values[i]);
      // Names that normalise to themselves (all but tagged ones) get their row remembered, while
      // the slot still holds this name (a later lookup in the same read may have replaced it).
      if (slot >= 0 && normalized === name && name !== '' && slots!.nameAt(slot) === name) slots!.setTag(slot, row + 1);
    }
    this.onStored?.(wasEmpty && this.cached > 0);
  }

  /** Called after each stored batch; `refilled`: the cache was empty before it (the writer may be idle). */
  onStored?: (refilled: boolean) => void;

  /** Stores one point under exactly `name` (no normalisation: carbon's self-metrics path). */
  store(name: string, ts: number, value: number): void {
    this.storeInRow(this.rowFor(name), ts, value);
  }

  /** The row of `name`, made if it has none. */
  private rowFor(name: string): number {
    const id = this.ids.get(name);
    return id === undefined ? this.addSeries(name) : id;
  }

  private storeInRow(id: number, ts: number, value: number): void {
    // carbon's `timestamp not in self[metric]` registers the name even when the point is then dropped.
    if ((this.flags[id] & IN_CACHE) === 0) this.enlist(id);
    const c = this.count[id];
    if (c > 0 && ts <= this.maxTs[id] && this.overwrite(id, ts, value)) return;
    if (this.maxSize !== Infinity && this.size >= this.maxSize) {
      this.dropForFull();
      return;
    }
    if (c === 0) {
      this.firstTs[id] = ts;
      this.firstValue[id] = value;
      this.maxTs[id] = ts;
    } else {
      const slot = (c - 1) % POINTS_PER_BLOCK;
      let block: number;
      if (slot === 0) {
        block = this.arena.allocBlock();
        if (c === 1) this.head[id] = block;
        else this.arena.link(this.tail[id], block);
        this.tail[id] = block;
      } else {
        block = this.tail[id];
      }
      this.arena.set(block, slot, ts, value);
      if (ts < this.maxTs[id] || ts !== ts) this.flags[id] |= UNSORTED;
      else this.maxTs[id] = ts;
    }
    this.count[id] = c + 1;
    this.size++;
  }

  has(name: string): boolean {
    return this.idOf(name) !== undefined;
  }

  countOf(name: string): number {
    const id = this.idOf(name);
    return id === undefined ? 0 : this.count[id];
  }

  oldestTimestampOf(name: string): number | undefined {
    const id = this.idOf(name);
    if (id === undefined || this.count[id] === 0) return undefined;
    if ((this.flags[id] & UNSORTED) === 0) return this.firstTs[id];
    const d = this.getDatapoints(name)!;
    let min = d.timestamps[0];
    for (let i = 1; i < d.timestamps.length; i++) if (d.timestamps[i] < min) min = d.timestamps[i];
    return min;
  }

  /** Cached names in insertion order. Do not pop while iterating (the strategies take a snapshot first). */
  *names(): IterableIterator<string> {
    for (let id = this.first; id !== NIL_ID; id = this.next[id]) yield this.nameOf[id];
  }

  firstName(): string | undefined {
    return this.first === NIL_ID ? undefined : this.nameOf[this.first];
  }

  /** O(n), like carbon's `choice(list(self.cache.keys()))`. */
  randomName(): string | undefined {
    let k = Math.floor(Math.random() * this.cached);
    for (let id = this.first; id !== NIL_ID; id = this.next[id]) if (k-- === 0) return this.nameOf[id];
    return undefined;
  }

  /**
   * The cached points of exactly `name`, in insertion order (CarbonLink's cache-query), or
   * undefined when the name has no entry. Copies; the cache is not changed.
   */
  getDatapoints(name: string): { timestamps: Float64Array; values: Float64Array } | undefined {
    const id = this.idOf(name);
    if (id === undefined) return undefined;
    const n = this.count[id];
    const timestamps = new Float64Array(n);
    const values = new Float64Array(n);
    this.copyPoints(id, timestamps, values, 0);
    return { timestamps, values };
  }

  /** Removes `name` and returns its points sorted by timestamp (carbon's pop), or undefined if absent. */
  pop(name: string): { timestamps: Float64Array; values: Float64Array } | undefined {
    if (this.idOf(name) === undefined) return undefined;
    const buf = new DrainBuffer(1, Math.max(1, this.countOf(name)));
    this.popInto(name, buf);
    return { timestamps: buf.timestamps.slice(0, buf.points), values: buf.values.slice(0, buf.points) };
  }

  /**
   * Removes `name` and appends it with its points, sorted by timestamp, to `out`. Returns the number
   * of points (0 for carbon's empty entries left by a full cache), or -1 if the name is not cached.
   */
  popInto(name: string, out: DrainBuffer): number {
    const id = this.idOf(name);
    if (id === undefined) return -1;
    const n = this.count[id];
    const offset = out.reserve(name, n);
    if (n > 0) {
      this.copyPoints(id, out.timestamps, out.values, offset);
      if (this.flags[id] & UNSORTED) sortPointsByTimestamp(out.timestamps, out.values, offset, n);
      if (n > 1) this.arena.freeChain(this.head[id], this.tail[id]);
    }
    this.delist(id);
    this.size -= n;
    this.checkAvailableSpace();
    return n;
  }

  /**
   * Pops the next metric in CACHE_WRITE_STRATEGY order into `out`; returns its name, or null when
   * the cache is empty or the strategy ends the pass (timesorted with nothing old enough).
   */
  drainNextInto(out: DrainBuffer): string | null {
    return this.drainNextWith(() => out);
  }

  /** drainNextInto, into the buffer `bufferOf` chooses for the metric (the writer thread owning it). */
  drainNextWith(bufferOf: (metric: string) => DrainBuffer): string | null {
    while (this.cached > 0) {
      const name = this.strategy.chooseNext();
      if (name === null) return null;
      if (this.popInto(name, bufferOf(name)) >= 0) return name;
    }
    return null;
  }

  /** Convenience form of drainNextInto for one metric. */
  drainNext(): { metric: string; timestamps: Float64Array; values: Float64Array } | null {
    const buf = new DrainBuffer(1, 16);
    const metric = this.drainNextInto(buf);
    if (metric === null) return null;
    return { metric, timestamps: buf.timestamps.slice(0, buf.points), values: buf.values.slice(0, buf.points) };
  }

  /** Insertion-ordered points of a metric into the arrays from `offset`. */
  private copyPoints(id: number, ts: Float64Array, values: Float64Array, offset: number): void {
    const n = this.count[id];
    if (n === 0) return;
    ts[offset] = this.firstTs[id];
    values[offset] = this.firstValue[id];
    if (n > 1) this.arena.copyChain(this.head[id], n - 1, ts, values, offset + 1);
  }

  private overwrite(id: number, ts: number, value: number): boolean {
    if (this.firstTs[id] === ts) {
      this.firstValue[id] = value;
      return true;
    }
    let b = this.head[id];
    let remaining = this.count[id] - 1;
    while (b !== NO_BLOCK && remaining > 0) {
      const n = Math.min(POINTS_PER_BLOCK, remaining);
      for (let s = 0; s < n; s++) {
        if (this.arena.ts(b, s) === ts) {
          this.arena.setValue(b, s, value);
          return true;
        }
      }
      remaining -= n;
      b = this.arena.nextOf(b);
    }
    return false;
  }

  private dropForFull(): void {
    stats.increment('cache.overflow');
    if (badInputLog.allow('full') >= 0) log.warn(`MetricCache is full: self.size=${this.size}`);
    if (!this.tooFull) {
      this.tooFull = true;
      this.onFull?.();
    }
  }

  private checkAvailableSpace(): void {
    if (this.tooFull && this.size < this.lowWatermark) {
      this.tooFull = false;
      log.info(`MetricCache below watermark: self.size=${this.size}`);
      this.onSpaceAvailable?.();
    }
  }

  /** The row of a cached name (idle rows do not count). */
  private idOf(name: string): number | undefined {
    const id = this.ids.get(name);
    return id !== undefined && (this.flags[id] & IN_CACHE) !== 0 ? id : undefined;
  }

  private addSeries(name: string): number {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.nextId++;
    if (id >= this.head.length) this.growRows();
    this.ids.set(name, id);
    this.nameOf[id] = name;
    this.enlist(id);
    return id;
  }

  /** Makes row `id` an empty cached series at the end of the insertion order. */
  private enlist(id: number): void {
    this.head[id] = NO_BLOCK;
    this.tail[id] = NO_BLOCK;
    this.count[id] = 0;
    this.flags[id] = IN_CACHE;
    this.prev[id] = this.last;
    this.next[id] = NIL_ID;
    if (this.last === NIL_ID) this.first = id;
    else this.next[this.last] = id;
    this.last = id;
    this.cached++;
  }

  /** Takes row `id` out of the cache; it stays idle under its name until swept. */
  private delist(id: number): void {
    const p = this.prev[id];
    const n = this.next[id];
    if (p === NIL_ID) this.first = n;
    else this.next[p] = n;
    if (n === NIL_ID) this.last = p;
    else this.prev[n] = p;
    this.flags[id] = 0;
    this.cached--;
    const idle = this.ids.size - this.cached;
    if (idle > this.idleSweepMin && idle > 2 * this.cached) this.sweepIdle();
  }

  /** Forgets idle names (series no longer sent would otherwise be kept forever). */
  private sweepIdle(): void {
    for (const [name, id] of this.ids) {
      if ((this.flags[id] & IN_CACHE) !== 0) continue;
      this.ids.delete(name);
      this.nameOf[id] = '';
      this.freeIds.push(id);
    }
  }

  private growRows(): void {
    // 1.25×: the rows are per series (~53 bytes), and a cache of many series is where memory matters;
    // copying them is rare (amortised O(1) per series) and cheap next to the per-point work.
    const cap = Math.ceil(this.head.length * 1.25);
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.head = grow(this.head, (n) => new Int32Array(n));
    this.tail = grow(this.tail, (n) => new Int32Array(n));
    this.count = grow(this.count, (n) => new Int32Array(n));
    this.firstTs = grow(this.firstTs, (n) => new Float64Array(n));
    this.firstValue = grow(this.firstValue, (n) => new Float64Array(n));
    this.maxTs = grow(this.maxTs, (n) => new Float64Array(n));
    this.prev = grow(this.prev, (n) => new Int32Array(n));
    this.next = grow(this.next, (n) => new Int32Array(n));
    this.flags = grow(this.flags, (n) => new Uint8Array(n));
  }
}

function reportBadTaggedName(name: string, err: Error): void {
  stats.increment('invalidTaggedNames');
  if (badInputLog.allow('tags') >= 0) log.warn(`Error parsing metric ${name}: ${err.message}`);
}

/** Sorts points [offset, offset+n) by timestamp, stably (carbon: sorted(items, key=timestamp)). */
function sortPointsByTimestamp(ts: Float64Array, values: Float64Array, offset: number, n: number): void {
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => {
    const x = ts[offset + a];
    const y = ts[offset + b];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const t2 = ts.slice(offset, offset + n);
  const v2 = values.slice(offset, offset + n);
  for (let i = 0; i < n; i++) {
    ts[offset + i] = t2[idx[i]];
    values[offset + i] = v2[idx[i]];
  }
}
