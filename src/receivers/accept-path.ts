/**
 * Carbon's common accept path (MetricReceiver.metricReceived), in carbon's order:
 * 1. blacklist match → dropped, `blacklistMatches`;
 * 2. whitelist miss → dropped, `whitelistRejects`;
 * 3. NaN value → dropped silently;
 * 4. `int(ts) == -1` (ts in (-2, -1]) → ts = now; a NaN or infinite ts raises here in carbon;
 * 5. MIN_TIMESTAMP_RESOLUTION > 0 → ts = floor(int(ts) / res) * res;
 * 6. accepted: `metricsReceived`, and the point goes into the batch.
 */
import { stats } from '../instrumentation/counters.js';
import type { MetricBatch } from '../pipeline/batch.js';
import { ACCEPT_OK, ACCEPT_TIMESTAMP_INFINITE, ACCEPT_TIMESTAMP_NAN, type AcceptStatus, type PointAcceptor } from '../protocol/point-acceptor.js';

export interface AcceptFilterOptions {
  /** True if the raw name matches blacklist.conf; omit when USE_WHITELIST is off or the list is empty. */
  isBlacklisted?: (name: string) => boolean;
  /** True if the raw name matches whitelist.conf; omit when USE_WHITELIST is off or the list is empty. */
  isWhitelisted?: (name: string) => boolean;
  /** MIN_TIMESTAMP_RESOLUTION; 0 = off. */
  minTimestampResolution?: number;
  /** Seconds since the epoch (float), for `-1` timestamps; injectable for tests. */
  now?: () => number;
}

/**
 * "Now" for `-1` timestamps. carbon reads time.time() for each such point, so two of them never
 * share a timestamp and, when whisper folds them into one slot, the first one received is kept.
 * Date.now() has millisecond steps and a million points arrive in one of them: each call returns at
 * least a microsecond more than the one before.
 */
export function pointClock(wallMs: () => number = Date.now): () => number {
  let last = 0;
  return () => {
    const t = wallMs() / 1000;
    last = t > last ? t : last + 1e-6;
    return last;
  };
}

/**
 * The accept path shared by every receiver. Filters can be swapped at run time (SIGHUP reloads the
 * lists) through setFilters. Counters are accumulated per batch and flushed by flushCounters, so
 * the hot path does one Map update per read, not per point.
 */
export class AcceptPath implements PointAcceptor {
  private isBlacklisted?: (name: string) => boolean;
  private isWhitelisted?: (name: string) => boolean;
  private readonly resolution: number;
  private readonly now: () => number;
  private received = 0;
  private blacklisted = 0;
  private rejected = 0;

  constructor(options: AcceptFilterOptions = {}) {
    this.isBlacklisted = options.isBlacklisted;
    this.isWhitelisted = options.isWhitelisted;
    this.resolution = options.minTimestampResolution ?? 0;
    this.now = options.now ?? pointClock();
  }

  /** Replaces the list predicates (after a reload). */
  setFilters(filters: Pick<AcceptFilterOptions, 'isBlacklisted' | 'isWhitelisted'>): void {
    this.isBlacklisted = filters.isBlacklisted;
    this.isWhitelisted = filters.isWhitelisted;
  }

  accept(out: MetricBatch, name: string, value: number, timestamp: number, nameId = -1): AcceptStatus {
    if (this.isBlacklisted !== undefined && this.isBlacklisted(name)) {
      this.blacklisted++;
      return ACCEPT_OK;
    }
    if (this.isWhitelisted !== undefined && !this.isWhitelisted(name)) {
      this.rejected++;
      return ACCEPT_OK;
    }
    if (value !== value) return ACCEPT_OK;
    let ts = timestamp;
    if (!Number.isFinite(ts)) return ts !== ts ? ACCEPT_TIMESTAMP_NAN : ACCEPT_TIMESTAMP_INFINITE;
    if (ts > -2 && ts <= -1) ts = this.now();
    if (this.resolution > 0) ts = Math.floor(Math.trunc(ts) / this.resolution) * this.resolution;
    this.received++;
    out.pushNamed(name, nameId, value, ts);
    return ACCEPT_OK;
  }

  /** Adds the counts since the last flush to carbon's counters. */
  flushCounters(): void {
    if (this.received) stats.increment('metricsReceived', this.received);
    if (this.blacklisted) stats.increment('blacklistMatches', this.blacklisted);
    if (this.rejected) stats.increment('whitelistRejects', this.rejected);
    this.received = this.blacklisted = this.rejected = 0;
  }
}
