import { hostname } from 'node:os';
import { MetricBatch } from '../pipeline/batch.js';
import { type Counters, stats as globalStats } from './counters.js';

/** carbon's name for the kind of daemon in self-metric names (spec carbon.md §7). */
export type MetricKind = 'agents' | 'relays' | 'aggregator';

export function metricKindFor(program: string): MetricKind {
  if (program.includes('cache')) return 'agents';
  return program === 'relay' ? 'relays' : 'aggregator';
}

export interface SelfMetricsOptions {
  prefix: string; // CARBON_METRIC_PREFIX
  kind: MetricKind;
  instance: string;
  intervalSeconds: number; // CARBON_METRIC_INTERVAL; 0 disables
  /** Where the points go: the cache for cache kinds, the generated-points pipeline otherwise. */
  sink: (batch: MetricBatch) => void;
  /** Called just before the counters are read, so components can sample gauges (cache.size, queues…). */
  sample?: () => void;
  counters?: Counters;
  now?: () => number;
  host?: string;
}

/**
 * Every interval, turns the counters accumulated since the last run into
 * `<prefix>.<kind>.<host>-<instance>.<stat>` points, as carbon's instrumentation does, and adds the
 * common stats (cpuUsage as % of one core over the interval, memUsage as RSS bytes).
 */
export class SelfMetrics {
  private timer: NodeJS.Timeout | null = null;
  private lastCpu = process.cpuUsage();
  private lastWall = Date.now();
  readonly base: string;

  constructor(private opts: SelfMetricsOptions) {
    const host = (opts.host ?? hostname()).replace(/\./g, '_');
    this.base = `${opts.prefix}.${opts.kind}.${host}-${opts.instance}.`;
  }

  start(): void {
    if (this.opts.intervalSeconds <= 0 || this.timer) return;
    this.lastCpu = process.cpuUsage();
    this.lastWall = Date.now();
    this.timer = setInterval(() => this.report(), this.opts.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Builds and emits one interval's points; public so tests and shutdown can force a report. */
  report(): MetricBatch {
    this.opts.sample?.();
    const counters = this.opts.counters ?? globalStats;
    const snapshot = counters.takeSnapshot();
    const ts = (this.opts.now ?? (() => Date.now() / 1000))();
    const batch = new MetricBatch(snapshot.size + 4);
    const common = new Set(['activeConnections', 'metricsReceived', 'blacklistMatches', 'whitelistRejects']);
    // carbon's order: kind-specific stats, then destinations.*, then the common ones.
    const names = [...snapshot.keys()].filter((n) => !common.has(n));
    names.sort((a, b) => Number(a.startsWith('destinations.')) - Number(b.startsWith('destinations.')));
    for (const n of names) batch.push(this.base + n, snapshot.get(n)!, ts);
    for (const n of common) batch.push(this.base + n, snapshot.get(n) ?? 0, ts);

    const cpu = process.cpuUsage();
    const wall = Date.now();
    const cpuMicros = cpu.user - this.lastCpu.user + (cpu.system - this.lastCpu.system);
    const wallMicros = Math.max(1, (wall - this.lastWall) * 1000);
    this.lastCpu = cpu;
    this.lastWall = wall;
    batch.push(this.base + 'cpuUsage', (cpuMicros / wallMicros) * 100, ts);
    batch.push(this.base + 'memUsage', process.memoryUsage.rss(), ts);
    this.opts.sink(batch);
    return batch;
  }
}
