import type { Destination } from './destination.js';

/** Default bound of a router's name memo: enough for a large relay's working set of series. */
export const DEFAULT_ROUTE_MEMO_SIZE = 500_000;

/**
 * Bounded name → destinations memo. Series repeat every interval, so after warm-up routing is one
 * Map lookup; when full, the oldest entry is dropped (Map keeps insertion order), so a churn of new
 * names costs one extra delete each rather than a full reset.
 */
export class RouteMemo {
  private readonly map = new Map<string, readonly Destination[]>();

  constructor(readonly capacity = DEFAULT_ROUTE_MEMO_SIZE) {}

  get(name: string): readonly Destination[] | undefined {
    return this.map.get(name);
  }

  set(name: string, destinations: readonly Destination[]): void {
    if (this.capacity <= 0) return;
    if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(name, destinations);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * Shares one frozen array per distinct destination list, so a memo of a million names holds a
 * million references to a handful of arrays rather than a million arrays.
 */
export class DestinationListInterner {
  private readonly lists = new Map<string, readonly Destination[]>();

  intern(destinations: Destination[], identity: string): readonly Destination[] {
    let list = this.lists.get(identity);
    if (list === undefined) {
      list = Object.freeze(destinations);
      this.lists.set(identity, list);
    }
    return list;
  }
}
