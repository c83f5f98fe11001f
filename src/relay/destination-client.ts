import { connect, type Socket } from 'node:net';
import { getLogger, RateLimiter } from '../logging.js';
import type { Destination } from '../pipeline/route/destination.js';
import { carbonDestinationName, DestinationStats } from './destination-stats.js';
import { frameEncoderFor, type FrameEncoder } from './encode/frame-encoder.js';
import { FrameSlab } from './encode/frame-slab.js';
import type { DestinationOptions } from './options.js';
import { ChunkQueue } from './queue/chunk-queue.js';
import { ChunkPool, type PointChunk } from './queue/point-chunk.js';
import { DestinationSpill } from './spill/destination-spill.js';
import type { SpillBudget } from './spill/spill-budget.js';
import { join } from 'node:path';

const log = getLogger('relay.client');
const limiter = new RateLimiter(10_000);

/** Twisted's ReconnectingClientFactory: delay × e after each failure, with ≈12 % normal jitter. */
const BACKOFF_FACTOR = Math.E;
const BACKOFF_JITTER = 0.11962656472;
/** Frames written per event-loop turn before yielding, so one busy destination cannot hog the loop. */
const FRAMES_PER_TURN = 32;

interface SentFrame {
  chunk: PointChunk;
  at: number;
}

/**
 * One downstream carbon node: a TCP connection with reconnect and back-off, a bounded in-memory
 * queue sent as MAX_DATAPOINTS_PER_MESSAGE-point frames while the socket accepts them (a `write()`
 * returning false stops sending until `drain`), and — beyond carbon — a disk spill that takes the
 * overflow when the queue is full and is replayed, paced, once the node accepts data again.
 *
 * Replay interleaving: live data first, replay frames alternate with live frames under a token
 * bucket of replayMaxPointsPerSecond. A recovering node therefore sees at most its live rate plus
 * the replay rate, and live points are never delayed by more than one replay frame.
 */
export class DestinationClient {
  readonly name: string;
  readonly stats: DestinationStats;
  private readonly encode: FrameEncoder;
  private readonly pool: ChunkPool;
  private readonly queue: ChunkQueue;
  private readonly spill: DestinationSpill | null;
  private spillChunk: PointChunk | null = null;
  private socket: Socket | null = null;
  private connected = false;
  private blocked = false;
  private started = false;
  private stopping = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private replayTimer: NodeJS.Timeout | null = null;
  private delayMs: number;
  private flushScheduled = false;
  private recent: SentFrame[] = [];
  /** High-priority points (self-metrics), sent before the queue. */
  private priority: PointChunk[] = [];
  private recentPoints = 0;
  private readonly slab = new FrameSlab();
  private replayTokens: number;
  private lastRefill = Date.now();
  private lastWasReplay = false;
  private fullLogged = false;
  private readonly skipped = { count: 0 };
  private closeWaiters: (() => void)[] = [];
  /** The manager's scratch while it routes a batch: indexes of this client's points so far. */
  pending = new Int32Array(1024);
  pendingCount = 0;
  /** Called when the queue's saturation may have changed (the manager re-evaluates flow control). */
  onRoomChange: (() => void) | null = null;

  constructor(
    readonly destination: Destination,
    private readonly opts: DestinationOptions,
    private readonly budget: SpillBudget | null,
  ) {
    this.name = carbonDestinationName(destination);
    this.stats = new DestinationStats(this.name);
    this.encode = frameEncoderFor(opts.protocol);
    this.pool = new ChunkPool(opts.maxDatapointsPerMessage);
    this.queue = new ChunkQueue(this.pool);
    this.spill = opts.spillEnabled && budget ? new DestinationSpill(join(opts.spillDir, this.name), budget, opts.segmentBytes) : null;
    this.delayMs = opts.reconnectInitialDelayMs;
    this.replayTokens = opts.maxDatapointsPerMessage;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Points waiting in memory. */
  get queueSize(): number {
    return this.queue.size;
  }

  /** Points waiting on disk (including the partly filled record not yet written). */
  get spilledPoints(): number {
    return (this.spill?.points ?? 0) + (this.spillChunk?.length ?? 0);
  }

  /** True when a new point would be dropped: memory queue full and no spill (or spill full). */
  get saturated(): boolean {
    return this.queue.size >= this.opts.maxQueueSize && (!this.spill || this.spillBudgetFull());
  }

  /** True when a saturated client may take points again. */
  get hasRoom(): boolean {
    if (this.queue.size < this.opts.maxQueueSize * this.opts.queueLowWatermarkPct) return true;
    return !!this.spill && this.spillBudgetHasRoom();
  }

  private spillBudgetFull(): boolean {
    return (this.budget?.isFull ?? true) || this.spill?.acceptsMore === false;
  }
  private spillBudgetHasRoom(): boolean {
    return (this.budget?.hasRoom ?? false) && this.spill?.acceptsMore !== false;
  }

  /** Opens the spill (resuming a previous run's) and starts connecting. */
  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.spill) {
      const r = this.spill.open();
      if (r.points > 0) log.info({ destination: this.name, points: r.points, bytes: r.bytes }, `destination ${this.name}: ${r.points} spilled points from a previous run will be replayed`);
    }
    this.connect();
  }

  /** Queues one point (hot path: no allocation beyond the queue's chunks). */
  enqueue(name: string, timestamp: number, value: number): void {
    const s = this.stats;
    s.attemptedRelays++;
    let qs = this.queue.size;
    if (qs > s.relayMaxQueueLength) s.relayMaxQueueLength = qs;
    if (!this.connected) s.queuedUntilConnected++;
    else if (qs >= this.opts.maxQueueSize && !this.blocked) {
      // Carbon sends as soon as points are queued; this client sends once per event-loop turn, so a
      // burst can fill the queue while the socket still takes data. Send now rather than spill.
      this.flush();
      qs = this.queue.size;
    }
    if (qs < this.opts.maxQueueSize) this.queue.push(name, timestamp, value);
    else this.overflow(name, timestamp, value);
    if (this.connected && !this.blocked) this.scheduleFlush();
  }

  /** A point the full memory queue cannot take: to the spill, or dropped and counted. */
  private overflow(name: string, timestamp: number, value: number): void {
    if (this.spill) {
      const c = (this.spillChunk ??= this.pool.take());
      c.push(name, timestamp, value);
      if (c.full) this.writeSpillChunk();
      return;
    }
    this.stats.fullQueueDrops++;
    if (!this.fullLogged) {
      this.fullLogged = true;
      log.warn({ destination: this.name }, `CarbonClientFactory(${this.name}) send queue is full (${this.queue.size} datapoints)`);
    }
  }

  /**
   * enqueue() of points idx[0..count) of a batch's parallel arrays, in order, with the bookkeeping
   * done once per call instead of once per point. What does not fit in the memory queue goes to the
   * spill (or is dropped and counted) exactly as enqueue() would send it.
   */
  enqueueIndexed(names: readonly string[], timestamps: Float64Array, values: Float64Array, idx: Int32Array, count: number): void {
    if (count === 0) return;
    const s = this.stats;
    const max = this.opts.maxQueueSize;
    s.attemptedRelays += count;
    if (!this.connected) s.queuedUntilConnected += count;
    let qs = this.queue.size;
    // As enqueue(): a queue that would overflow is first sent as far as the socket takes it.
    if (this.connected && !this.blocked && qs + count > max) {
      this.flush();
      qs = this.queue.size;
    }
    const fits = qs >= max ? 0 : Math.min(count, max - qs);
    if (fits > 0) this.queue.pushIndexed(names, timestamps, values, idx, 0, fits);
    // The largest size enqueue() would have seen before a point: before the last queued one, or the
    // full queue when points did not fit.
    const seen = count > fits ? qs + fits : qs + fits - 1;
    if (seen > s.relayMaxQueueLength) s.relayMaxQueueLength = seen;
    for (let k = fits; k < count; k++) {
      const i = idx[k]!;
      this.overflow(names[i]!, timestamps[i]!, values[i]!);
    }
    if (this.connected && !this.blocked) this.scheduleFlush();
  }

  /**
   * Carbon's sendHighPriorityDatapoint, for the relay's own metrics: ahead of everything queued and
   * accepted even when the queue is full, so an overwhelmed relay still reports why.
   */
  enqueueHighPriority(name: string, timestamp: number, value: number): void {
    this.stats.attemptedRelays++;
    if (!this.connected) this.stats.queuedUntilConnected++;
    let last = this.priority[this.priority.length - 1];
    if (!last || last.full) this.priority.push((last = this.pool.take()));
    last.push(name, timestamp, value);
    if (this.connected && !this.blocked) this.scheduleFlush();
  }

  /** Periodic housekeeping (the manager calls it every ~100 ms): spill durability, stats, pacing. */
  tick(now: number): void {
    if (this.spillChunk && this.spillChunk.length > 0) this.writeSpillChunk();
    if (this.spill) {
      try {
        this.spill.flush();
      } catch (e) {
        this.logSpillError(e);
      }
    }
    this.pruneRecent(now);
    if (this.skipped.count) {
      this.stats.unformattableDrops += this.skipped.count;
      this.skipped.count = 0;
    }
    this.stats.publish();
    if (this.fullLogged && this.queue.size < this.opts.maxQueueSize * this.opts.queueLowWatermarkPct) {
      this.fullLogged = false;
      log.info({ destination: this.name }, `CarbonClientFactory(${this.name}) send queue has space available`);
    }
    if (this.connected && !this.blocked && (this.spill?.hasRecords || !this.queue.isEmpty)) this.scheduleFlush();
  }

  /**
   * Sends what it can of the memory queue within stopFlushDeadlineMs, then writes the rest (and the
   * partly filled spill record) to the spill, closes the spill files and the connection.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.replayTimer) clearTimeout(this.replayTimer);
    this.reconnectTimer = this.replayTimer = null;
    const deadline = Date.now() + this.opts.stopFlushDeadlineMs;
    while (this.connected && (!this.queue.isEmpty || this.priority.length > 0 || (this.socket?.writableLength ?? 0) > 0) && Date.now() < deadline) {
      if (!this.blocked) this.flush();
      await new Promise((r) => setTimeout(r, 10));
    }
    let unsent: PointChunk[] = [];
    const sock = this.socket;
    if (sock && this.connected) {
      // Bytes still in Node's buffer at the deadline may never arrive: keep the recent frames too (at-least-once).
      if (sock.writableLength > 0) unsent = this.recent.map((f) => f.chunk);
      this.recent = [];
      this.recentPoints = 0;
      const closed = new Promise<void>((r) => this.closeWaiters.push(r));
      sock.end();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
      if (!sock.destroyed) sock.destroy();
    } else if (sock) {
      sock.destroy();
    }
    this.connected = false;
    unsent = unsent.concat(this.priority.splice(0), this.queue.drain());
    if (this.spillChunk) unsent.push(this.spillChunk);
    this.spillChunk = null;
    for (const c of unsent) {
      if (c.length === 0) continue;
      if (this.spill) this.spillRun(c);
      else this.stats.shutdownDrops += c.length;
    }
    if (this.spill) {
      try {
        this.spill.close();
      } catch (e) {
        this.logSpillError(e);
      }
    }
    this.stats.publish();
  }

  private connect(): void {
    this.reconnectTimer = null;
    if (this.stopping) return;
    const sock = connect({ host: this.destination.host, port: this.destination.port });
    this.socket = sock;
    sock.on('connect', () => {
      this.connected = true;
      this.blocked = false;
      this.delayMs = this.opts.reconnectInitialDelayMs;
      if (this.opts.tcpKeepAlive) sock.setKeepAlive(true, this.opts.tcpKeepIdleSec * 1000);
      log.info({ destination: this.name }, `connected to destination ${this.name}`);
      this.scheduleFlush();
    });
    sock.on('drain', () => {
      this.blocked = false;
      this.scheduleFlush();
    });
    sock.on('data', () => {
      /* carbon daemons never answer; discard */
    });
    sock.on('error', (e) => {
      if (limiter.allow(`${this.name}:${(e as NodeJS.ErrnoException).code}`) >= 0) log.warn({ destination: this.name, err: e.message }, `destination ${this.name}: ${e.message}`);
    });
    sock.on('close', (hadError) => this.onClose(sock, hadError));
  }

  private onClose(sock: Socket, hadError: boolean): void {
    if (this.socket !== sock) return;
    const wasConnected = this.connected;
    this.socket = null;
    this.connected = false;
    this.blocked = false;
    // (stop() clears the recent frames before closing the connection itself, so this is the peer's doing.)
    if (wasConnected && this.opts.resendWindowMs > 0) {
      // The peer went away. Whether it reset the connection (unread bytes) or closed it cleanly, it
      // may not have kept the last frames: Python carbon-cache, stopped with SIGTERM, reads and
      // acknowledges points and then exits without writing those received in its last second.
      // Send them again (at-least-once; Whisper overwrites a duplicate with the same value).
      this.pruneRecent(Date.now());
      const again = this.recent.map((f) => f.chunk);
      this.recent = [];
      this.recentPoints = 0;
      let n = 0;
      for (const c of again) n += c.length;
      if (n > 0) {
        this.stats.resentPoints += n;
        this.queue.unshiftAll(again);
        log.warn({ destination: this.name, points: n, hadError }, `destination ${this.name} closed the connection; ${n} points sent in the last ${this.opts.resendWindowMs} ms will be sent again`);
      }
    } else {
      for (const f of this.recent) this.pool.give(f.chunk);
      this.recent = [];
      this.recentPoints = 0;
    }
    if (wasConnected) log.info({ destination: this.name }, `destination ${this.name} is down`);
    for (const w of this.closeWaiters.splice(0)) w();
    if (this.stopping) return;
    // Twisted's retry(): delay = min(delay × e, maxDelay), then jitter.
    this.delayMs = Math.min(this.delayMs * BACKOFF_FACTOR, this.opts.reconnectMaxDelayMs);
    const jittered = Math.max(0, this.delayMs + this.delayMs * BACKOFF_JITTER * gaussian());
    this.reconnectTimer = setTimeout(() => this.connect(), jittered);
    this.reconnectTimer.unref?.();
    this.onRoomChange?.();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const sock = this.socket;
    // writableEnded: the peer closed its side and Node ended ours; wait for 'close' (and the resend).
    if (!sock || !this.connected || this.blocked || sock.writableEnded) return;
    const now = Date.now();
    this.refillReplayTokens(now);
    const maxN = this.opts.maxDatapointsPerMessage;
    let frames = 0;
    sock.cork();
    while (frames < FRAMES_PER_TURN) {
      let chunk: PointChunk | undefined;
      let replay = false;
      const replayTurn = !this.stopping && this.spill?.hasRecords && this.replayTokens > 0 && (!this.lastWasReplay || this.queue.isEmpty);
      if (replayTurn) {
        const c = this.pool.take();
        if (this.peekSpill(c) > 0) {
          chunk = c;
          replay = true;
        } else {
          this.pool.give(c);
        }
      }
      if (!chunk) chunk = this.priority.shift() ?? this.queue.shift();
      if (!chunk) break;
      const n = chunk.length;
      const ok = sock.write(this.encode(chunk, 0, n, this.skipped, this.slab));
      if (replay) {
        this.spill!.commit();
        this.replayTokens -= n;
        this.stats.replayedPoints += n;
      }
      this.lastWasReplay = replay;
      this.stats.sent += n;
      this.stats.batchesSent++;
      if (this.opts.resendWindowMs > 0) {
        this.recent.push({ chunk, at: now });
        this.recentPoints += n;
        if (this.recentPoints > this.opts.resendMaxPoints) this.pruneRecent(now);
      } else {
        this.pool.give(chunk);
      }
      frames++;
      if (!ok) {
        this.blocked = true;
        if (this.queue.size > this.stats.queuedUntilReady) this.stats.queuedUntilReady = this.queue.size;
        break;
      }
      if (n < maxN && this.queue.isEmpty && !this.spill?.hasRecords) break;
    }
    sock.uncork();
    // The socket copied every frame into the kernel: the slab can be overwritten.
    if (sock.writableLength === 0) this.slab.recycle();
    else this.slab.abandon();
    if (this.blocked) return;
    if (!this.queue.isEmpty || this.priority.length > 0 || (frames >= FRAMES_PER_TURN && this.spill?.hasRecords)) {
      this.scheduleFlush();
    } else if (this.spill?.hasRecords && !this.stopping && !this.replayTimer) {
      // Out of replay tokens: come back when the bucket holds a frame's worth.
      const waitMs = Math.max(5, ((maxN - this.replayTokens) / this.opts.replayMaxPointsPerSecond) * 1000);
      this.replayTimer = setTimeout(() => {
        this.replayTimer = null;
        this.flush();
      }, waitMs);
    }
    if (this.onRoomChange && this.queue.size < this.opts.maxQueueSize) this.onRoomChange();
  }

  private peekSpill(c: PointChunk): number {
    try {
      return this.spill!.peek(c);
    } catch (e) {
      this.logSpillError(e);
      return 0;
    }
  }

  private refillReplayTokens(now: number): void {
    const rate = this.opts.replayMaxPointsPerSecond;
    const burst = Math.max(this.opts.maxDatapointsPerMessage, rate / 10);
    this.replayTokens = Math.min(burst, this.replayTokens + ((now - this.lastRefill) / 1000) * rate);
    this.lastRefill = now;
  }

  /** Forgets sent frames older than resendWindowMs, and the oldest beyond resendMaxPoints. */
  private pruneRecent(now: number): void {
    const limit = now - this.opts.resendWindowMs;
    let i = 0;
    while (i < this.recent.length && (this.recent[i]!.at < limit || this.recentPoints > this.opts.resendMaxPoints)) {
      const c = this.recent[i++]!.chunk;
      this.recentPoints -= c.length;
      this.pool.give(c);
    }
    if (i > 0) this.recent.splice(0, i);
  }

  private writeSpillChunk(): void {
    const c = this.spillChunk!;
    this.spillChunk = null;
    this.spillRun(c);
    this.pool.give(c);
  }

  private spillRun(c: PointChunk): void {
    let ok = false;
    try {
      ok = this.spill!.append(c, 0, c.length);
    } catch (e) {
      this.logSpillError(e);
    }
    if (ok) {
      this.stats.spilledPoints += c.length;
    } else {
      this.stats.spillFullDrops += c.length;
      if (limiter.allow(`${this.name}:spillfull`) >= 0) {
        const why = this.spill?.acceptsMore === false ? 'cannot write to disk (see the spill error)' : 'is full (RELAY_SPILL_MAX_BYTES)';
        log.warn({ destination: this.name }, `destination ${this.name}: spill ${why}; dropping points`);
      }
      this.onRoomChange?.();
    }
  }

  private logSpillError(e: unknown): void {
    if (limiter.allow(`${this.name}:spillio`) >= 0) log.error({ destination: this.name, err: (e as Error).message }, (e as Error).message);
  }
}

/** A standard normal sample (Box–Muller), as Python's random.normalvariate draws for Twisted's jitter. */
function gaussian(): number {
  const u = 1 - Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}
