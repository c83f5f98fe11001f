/**
 * Process-wide counters and gauges behind carbon's self-metrics (carbon.agents.*, carbon.relays.*,
 * carbon.aggregator.*). Any module increments by name; the instrumentation loop reads and resets
 * them once per CARBON_METRIC_INTERVAL, as carbon's `instrumentation.stats` dict does.
 *
 * Names are the metric suffixes carbon uses, e.g. `metricsReceived`, `blacklistMatches`,
 * `destinations.127_0_0_1:2104:a.sent`.
 */
export class Counters {
  private counts = new Map<string, number>();
  private gauges = new Map<string, number>();

  increment(name: string, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }

  /** A value that is sampled, not summed (cache.size, queue depth). */
  setGauge(name: string, value: number): void {
    this.gauges.set(name, value);
  }

  get(name: string): number {
    return this.counts.get(name) ?? this.gauges.get(name) ?? 0;
  }

  /** Counters since the last call (then zeroed, as carbon resets its stats each interval) plus current gauges. */
  takeSnapshot(): Map<string, number> {
    const out = new Map(this.counts);
    for (const [k, v] of this.gauges) out.set(k, v);
    this.counts.clear();
    return out;
  }

  reset(): void {
    this.counts.clear();
    this.gauges.clear();
  }
}

/** The daemon's counters. One daemon runs per process, as in carbon. */
export const stats = new Counters();
