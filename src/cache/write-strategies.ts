/**
 * CACHE_WRITE_STRATEGY: the order in which the writer drains metrics, exactly as carbon/cache.py's
 * DrainStrategy classes (graphite-carbon 1.1.7) choose them. Each strategy keeps carbon's generator
 * state (its snapshot) between calls, so a snapshot taken in one writer pass is finished in the next.
 */

/** What a strategy may look at in the cache. Iteration order is carbon's dict insertion order. */
export interface CacheView {
  readonly queues: number;
  names(): IterableIterator<string>;
  has(name: string): boolean;
  countOf(name: string): number;
  /** Oldest cached timestamp of a metric; undefined when it holds no point. */
  oldestTimestampOf(name: string): number | undefined;
  randomName(): string | undefined;
  firstName(): string | undefined;
}

export interface DrainStrategy {
  /**
   * The next metric to drain, or null when the strategy has nothing to offer now (timesorted with
   * nothing old enough: carbon ends the writer pass). Only called while the cache is non-empty.
   */
  chooseNext(): string | null;
}

export type WriteStrategyName = 'sorted' | 'max' | 'naive' | 'timesorted' | 'random';

/** A snapshot of names consumed from its end, as carbon's `list.pop()` does. Names no longer cached are skipped. */
abstract class SnapshotStrategy implements DrainStrategy {
  private snapshot: string[] = [];
  constructor(protected cache: CacheView) {}

  protected abstract takeSnapshot(): string[] | null;

  chooseNext(): string | null {
    for (;;) {
      while (this.snapshot.length > 0) {
        const name = this.snapshot.pop()!;
        // carbon would raise KeyError for a name popped meanwhile (only possible through an explicit pop).
        if (this.cache.has(name)) return name;
      }
      const next = this.takeSnapshot();
      if (next === null) return null;
      if (next.length === 0) return null;
      this.snapshot = next;
    }
  }
}

/** sorted: snapshot (name, count) in insertion order, stable sort by count ascending, consume from the end. */
export class SortedStrategy extends SnapshotStrategy {
  constructor(cache: CacheView, private logSorts?: (msg: string) => void) {
    super(cache);
  }

  protected takeSnapshot(): string[] {
    const t = performance.now();
    const names: string[] = [];
    const counts: number[] = [];
    let maxCount = 0;
    for (const name of this.cache.names()) {
      const c = this.cache.countOf(name);
      names.push(name);
      counts.push(c);
      if (c > maxCount) maxCount = c;
    }
    const n = names.length;
    let out: string[];
    if (maxCount <= 4 * n + 1024) {
      // Counting sort: stable and linear, the common case (counts are small integers).
      const starts = new Int32Array(maxCount + 2);
      for (let i = 0; i < n; i++) starts[counts[i] + 1]++;
      for (let c = 1; c <= maxCount + 1; c++) starts[c] += starts[c - 1];
      out = new Array<string>(n);
      for (let i = 0; i < n; i++) out[starts[counts[i]]++] = names[i];
    } else {
      const idx = Array.from({ length: n }, (_, i) => i);
      idx.sort((a, b) => counts[a] - counts[b]); // Array.prototype.sort is stable
      out = idx.map((i) => names[i]);
    }
    if (this.logSorts && n) this.logSorts(`Sorted ${n} cache queues in ${((performance.now() - t) / 1000).toFixed(6)} seconds`);
    return out;
  }
}

/** naive: snapshot of names in insertion order, consumed from the end. */
export class NaiveStrategy extends SnapshotStrategy {
  protected takeSnapshot(): string[] {
    return [...this.cache.names()];
  }
}

/**
 * timesorted: snapshot of non-empty metrics by oldest timestamp, sorted descending (stable) and
 * consumed from the end, i.e. oldest first, ties later-inserted first. With MIN_TIMESTAMP_LAG only
 * metrics whose oldest point is more than that many seconds old; an empty snapshot ends the pass.
 */
export class TimeSortedStrategy extends SnapshotStrategy {
  /** Seconds; carbon's shutdown sets it to 0 so everything drains. */
  minTimestampLag: number;

  constructor(
    cache: CacheView,
    minTimestampLag = 0,
    private now: () => number = () => Date.now() / 1000,
  ) {
    super(cache);
    this.minTimestampLag = minTimestampLag;
  }

  protected takeSnapshot(): string[] | null {
    const t = this.now();
    const entries: { name: string; oldest: number }[] = [];
    for (const name of this.cache.names()) {
      const oldest = this.cache.oldestTimestampOf(name);
      if (oldest === undefined) continue;
      entries.push({ name, oldest });
    }
    entries.sort((a, b) => (a.oldest < b.oldest ? 1 : a.oldest > b.oldest ? -1 : 0));
    const lag = this.minTimestampLag;
    const kept = lag ? entries.filter((e) => t - e.oldest > lag) : entries;
    if (kept.length === 0) return null;
    return kept.map((e) => e.name);
  }
}

/** max: every call the metric with the most points now; ties → earliest inserted (Python's max). */
export class MaxStrategy implements DrainStrategy {
  constructor(private cache: CacheView) {}

  chooseNext(): string | null {
    let best: string | null = null;
    let bestCount = -1;
    for (const name of this.cache.names()) {
      const c = this.cache.countOf(name);
      if (c > bestCount) {
        best = name;
        bestCount = c;
      }
    }
    return best;
  }
}

/** random: a uniformly chosen cached name each call. */
export class RandomStrategy implements DrainStrategy {
  constructor(private cache: CacheView) {}
  chooseNext(): string | null {
    return this.cache.randomName() ?? null;
  }
}

/** Any other CACHE_WRITE_STRATEGY value: carbon logs "defaulting to sorted" but really drains FIFO. */
export class FifoStrategy implements DrainStrategy {
  constructor(private cache: CacheView) {}
  chooseNext(): string | null {
    return this.cache.firstName() ?? null;
  }
}

export interface StrategyOptions {
  minTimestampLag?: number;
  now?: () => number;
  logSorts?: (msg: string) => void;
}

export function isKnownWriteStrategy(name: string): name is WriteStrategyName {
  return name === 'sorted' || name === 'max' || name === 'naive' || name === 'timesorted' || name === 'random';
}

export function createDrainStrategy(name: string, cache: CacheView, opts: StrategyOptions = {}): DrainStrategy {
  switch (name) {
    case 'sorted':
      return new SortedStrategy(cache, opts.logSorts);
    case 'max':
      return new MaxStrategy(cache);
    case 'naive':
      return new NaiveStrategy(cache);
    case 'timesorted':
      return new TimeSortedStrategy(cache, opts.minTimestampLag ?? 0, opts.now);
    case 'random':
      return new RandomStrategy(cache);
    default:
      return new FifoStrategy(cache);
  }
}
