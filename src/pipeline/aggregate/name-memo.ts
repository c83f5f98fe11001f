/**
 * carbon's per-rule name cache (CACHE_METRIC_NAMES_MAX / _TTL): a plain dict when MAX is 0, an LRU
 * of MAX entries when MAX > 0, and an LRU whose entries also expire after TTL seconds when both are
 * > 0 (cachetools TTLCache). Here one memo serves a whole rule set. carbon's dict grows without
 * limit; this one is emptied when it reaches UNBOUNDED_SAFETY_CAP (a memo only saves work, so that
 * changes no output), so a flood of one-off names cannot exhaust memory.
 */
export const UNBOUNDED_SAFETY_CAP = 2_000_000;

export class NameMemo<V> {
  private readonly entries = new Map<string, V>();
  private readonly expiries: Map<string, number> | null;

  constructor(
    private readonly maxEntries = 0,
    private readonly ttlSeconds = 0,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {
    this.expiries = maxEntries > 0 && ttlSeconds > 0 ? new Map() : null;
  }

  get(name: string): V | undefined {
    const v = this.entries.get(name);
    if (v === undefined || this.maxEntries <= 0) return v;
    if (this.expiries && this.expiries.get(name)! <= this.now()) {
      this.entries.delete(name);
      this.expiries.delete(name);
      return undefined;
    }
    // Most recently used moves to the end; the first key is the eviction candidate.
    this.entries.delete(name);
    this.entries.set(name, v);
    return v;
  }

  set(name: string, value: V): void {
    if (this.maxEntries <= 0) {
      if (this.entries.size >= UNBOUNDED_SAFETY_CAP) this.entries.clear();
    } else {
      this.entries.delete(name);
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next().value as string;
        this.entries.delete(oldest);
        this.expiries?.delete(oldest);
      }
      this.expiries?.set(name, this.now() + this.ttlSeconds);
    }
    this.entries.set(name, value);
  }

  clear(): void {
    this.entries.clear();
    this.expiries?.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
