import { stats } from '../../instrumentation/counters.js';
import { getLogger } from '../../logging.js';
import { MetricBatch, type BatchSink } from '../batch.js';
import type { Clock } from './clock.js';
import { LoopingCall } from './looping-call.js';
import { AGGREGATION_METHODS, fromRunningState, needsAllValues, type AggregationMethodName, type RunningState } from './methods.js';
import { pyFloatMod } from './python-float.js';

const log = getLogger('aggregator');

/** Self-metric names (carbon's, plus the late-data ones, which are only counted when a window is set). */
export const AGGREGATOR_COUNTERS = {
  sent: 'aggregateDatapointsSent',
  allocatedBuffers: 'allocatedBuffers',
  bufferedDatapoints: 'bufferedDatapoints',
  /** Points for an interval that had ended and been emitted (they trigger a complete re-emission). */
  latePointsArrived: 'aggregator.latePointsArrived',
  intervalsReEmitted: 'aggregator.intervalsReEmitted',
  pointsTooLate: 'aggregator.pointsTooLate',
} as const;

export interface BufferSettings {
  /** MAX_AGGREGATION_INTERVALS (carbon default 5). */
  maxAggregationIntervals: number;
  /** WRITE_BACK_FREQUENCY seconds, or null (carbon default None). */
  writeBackFrequency: number | null;
  /**
   * AGGREGATION_LATENESS_WINDOW seconds (carbon-ts only). 0 = carbon's behaviour. Otherwise an
   * interval is kept until `window` seconds after it ends (as well as carbon's own retention) so a
   * late point re-emits the complete aggregate, and a point for an interval already let go is dropped
   * and counted instead of being emitted as a partial aggregate.
   */
  latenessWindow: number;
}

/**
 * One interval's values (carbon's IntervalBuffer). Percentile methods keep every value in a growable
 * typed array; the others keep only running sum/min/max/count, which give the same results.
 */
class IntervalBuffer implements RunningState {
  values: Float64Array | null;
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  active = true;
  emitted = false;
  /** A late point arrived since the last emission (lateness window only). */
  lateSinceEmission = false;

  constructor(
    readonly interval: number,
    keepValues: boolean,
  ) {
    this.values = keepValues ? new Float64Array(4) : null;
  }

  input(value: number): void {
    const values = this.values;
    if (values !== null) {
      if (this.count === values.length) {
        const grown = new Float64Array(this.count * 2);
        grown.set(values);
        this.values = grown;
      }
      this.values![this.count] = value;
    } else if (this.count === 0) {
      this.min = value;
      this.max = value;
    } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    this.sum += value;
    this.count++;
    this.active = true;
  }
}

/**
 * Values of one aggregate name, by interval (carbon's MetricBuffer). Configured by the first rule
 * that feeds it; its compute loop starts one period after creation and stops when it is empty.
 */
export class MetricBuffer {
  readonly intervals = new Map<number, IntervalBuffer>();
  alive = true;
  private lastInterval: IntervalBuffer | null = null;
  private task: LoopingCall | null = null;
  private frequency = 0;
  private method: AggregationMethodName = 'sum';
  private keepValues = false;

  constructor(
    readonly name: string,
    private readonly manager: BufferManager,
  ) {}

  get configured(): boolean {
    return this.task !== null;
  }

  configure(frequency: number, method: AggregationMethodName): void {
    this.frequency = frequency;
    this.method = method;
    this.keepValues = needsAllValues(method);
    const wbf = this.manager.settings.writeBackFrequency;
    this.task = new LoopingCall(this.manager.clock, () => this.compute());
    this.task.start(wbf !== null ? Math.min(wbf, frequency) : frequency);
  }

  /** Adds a value; false when the late-data window says the point is too late to use. */
  input(timestamp: number, value: number): boolean {
    const interval = timestamp - pyFloatMod(timestamp, this.frequency);
    // Most points land in the interval the previous one did: skip the map lookup for them.
    const last = this.lastInterval;
    if (last !== null && last.interval === interval && this.manager.settings.latenessWindow <= 0) {
      last.input(value);
      this.manager.bufferedDatapoints++;
      return true;
    }
    let buf = this.intervals.get(interval);
    const window = this.manager.settings.latenessWindow;
    if (buf === undefined) {
      if (window > 0 && interval + this.frequency + window <= this.manager.clock.now()) {
        stats.increment(AGGREGATOR_COUNTERS.pointsTooLate);
        return false;
      }
      buf = new IntervalBuffer(interval, this.keepValues);
      this.intervals.set(interval, buf);
    } else if (window > 0 && buf.emitted && this.manager.clock.now() >= interval + this.frequency) {
      // Late = for an interval that has ended and was already emitted (emissions while an interval
      // is still current are carbon's normal partial updates, not lateness).
      stats.increment(AGGREGATOR_COUNTERS.latePointsArrived);
      buf.lateSinceEmission = true;
    }
    buf.input(value);
    this.lastInterval = buf;
    this.manager.bufferedDatapoints++;
    return true;
  }

  /** carbon's compute_value: emit intervals that got values since their last emission, expire old ones. */
  compute(): void {
    const { settings, clock } = this.manager;
    const now = Math.trunc(clock.now());
    const currentInterval = now - pyFloatMod(now, this.frequency);
    const threshold = currentInterval - settings.maxAggregationIntervals * this.frequency;
    const window = settings.latenessWindow;
    const out = this.manager.output;
    if (this.intervals.size === 0) {
      // Only reachable with a lateness window (a new buffer whose first point was too late): carbon
      // never holds an empty buffer, so let it go rather than keep its timer running.
      this.close();
      this.manager.forget(this);
      return;
    }
    for (const buf of [...this.intervals.values()]) {
      if (buf.active) {
        const value = buf.values !== null ? AGGREGATION_METHODS[this.method](buf.values, buf.count) : fromRunningState(this.method, buf);
        out.push(this.name, value, buf.interval);
        stats.increment(AGGREGATOR_COUNTERS.sent);
        if (buf.lateSinceEmission) stats.increment(AGGREGATOR_COUNTERS.intervalsReEmitted);
        buf.lateSinceEmission = false;
        buf.active = false;
        buf.emitted = true;
      }
      if (buf.interval < threshold && (window <= 0 || buf.interval + this.frequency + window <= now)) {
        this.intervals.delete(buf.interval);
        if (this.lastInterval === buf) this.lastInterval = null;
        this.manager.bufferedDatapoints -= buf.count;
        if (this.intervals.size === 0) {
          this.close();
          this.manager.forget(this);
        }
      }
    }
    this.manager.flush();
  }

  close(): void {
    this.alive = false;
    this.task?.stop();
  }

  get size(): number {
    let n = 0;
    for (const b of this.intervals.values()) n += b.count;
    return n;
  }
}

/**
 * All aggregation buffers, keyed by aggregate name only (two rules producing the same name share a
 * buffer, configured by whichever created it), emitting to the generated-points sink.
 */
export class BufferManager {
  readonly buffers = new Map<string, MetricBuffer>();
  /** Emissions of one compute run, handed to the sink as one batch. */
  readonly output = new MetricBatch(64);
  bufferedDatapoints = 0;

  constructor(
    readonly clock: Clock,
    readonly settings: BufferSettings,
    private readonly sink: BatchSink,
  ) {}

  getBuffer(name: string): MetricBuffer {
    let buf = this.buffers.get(name);
    if (buf === undefined) {
      buf = new MetricBuffer(name, this);
      this.buffers.set(name, buf);
    }
    return buf;
  }

  forget(buf: MetricBuffer): void {
    if (this.buffers.get(buf.name) === buf) this.buffers.delete(buf.name);
  }

  /** Drops every buffer (carbon does this on each rules reload; pending aggregates are lost). */
  clear(): void {
    for (const buf of this.buffers.values()) buf.close();
    this.buffers.clear();
    this.bufferedDatapoints = 0;
  }

  get size(): number {
    return this.buffers.size;
  }

  publishGauges(): void {
    stats.setGauge(AGGREGATOR_COUNTERS.allocatedBuffers, this.buffers.size);
    stats.setGauge(AGGREGATOR_COUNTERS.bufferedDatapoints, this.bufferedDatapoints);
  }

  flush(): void {
    if (this.output.length === 0) return;
    try {
      this.sink(this.output);
    } catch (err) {
      log.error({ err }, 'generated-points sink failed; aggregates of this run are lost');
    } finally {
      this.output.clear();
    }
    this.publishGauges();
  }
}
