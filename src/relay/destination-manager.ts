import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getLogger } from '../logging.js';
import { stats } from '../instrumentation/counters.js';
import type { MetricBatch } from '../pipeline/batch.js';
import type { Destination, Router } from '../pipeline/route/destination.js';
import { DestinationClient } from './destination-client.js';
import { resolveDestinationOptions, type DestinationOptions } from './options.js';
import { SpillBudget } from './spill/spill-budget.js';

const log = getLogger('relay.destinations');
/** How often spills are flushed to disk, stats published and pacing re-evaluated. */
const TICK_MS = 100;

/** Slots of the per-name route cache (indexed by a batch's nameIds). */
const ROUTE_CACHE_SLOTS = 1 << 17;
const ROUTE_CACHE_MASK = ROUTE_CACHE_SLOTS - 1;
/** Bound of the destination list → clients map. */
const CLIENT_LISTS_MAX = 4096;

/** Clients per name, for one router, indexed by interner slot; `names[slot]` says whose entry it is. */
interface RouteCache {
  readonly router: Router;
  readonly names: (string | null)[];
  readonly clients: (readonly DestinationClient[] | null)[];
}

export interface DestinationManagerEvents {
  /** A destination can take no more points (memory queue and spill full): pause receivers (USE_FLOW_CONTROL). */
  onSaturated?: () => void;
  /** Every destination has room again: resume receivers. */
  onHasRoom?: () => void;
}

/**
 * Every destination of a relay or aggregator: routes batches to per-destination clients and owns
 * their lifecycle. Clients exist for the configured DESTINATIONS from the start (carbon's static
 * router connects to all of them) and are created on first use for any other destination a router
 * names. Points whose router returns no destination are dropped and counted (`relayNoDestinationDrops`).
 */
export class DestinationManager {
  readonly options: DestinationOptions;
  private readonly budget: SpillBudget | null;
  private readonly byObject = new Map<Destination, DestinationClient>();
  private readonly byKey = new Map<string, DestinationClient>();
  private readonly clientLists = new Map<readonly Destination[], readonly DestinationClient[]>();
  private routeCache: RouteCache | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private saturatedNow = false;

  constructor(
    destinations: readonly Destination[],
    options: Partial<DestinationOptions> = {},
    private readonly events: DestinationManagerEvents = {},
  ) {
    this.options = resolveDestinationOptions(options);
    this.budget = this.options.spillEnabled ? new SpillBudget(this.options.spillMaxBytes) : null;
    for (const d of destinations) this.clientFor(d);
  }

  get clients(): readonly DestinationClient[] {
    return [...this.byKey.values()];
  }

  /** True while receivers should be paused (a destination has neither queue nor spill room). */
  get saturated(): boolean {
    return this.saturatedNow;
  }

  /** Bytes held by all spills. */
  get spillBytes(): number {
    return this.budget?.used ?? 0;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const c of this.byKey.values()) c.start();
    this.warnAboutOrphanSpills();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref?.();
  }

  /** Routes every point of the batch (read during this call only) to its destinations' queues. */
  send(batch: MetricBatch, router: Router): void {
    const names = batch.names;
    const ids = batch.nameIds;
    const ts = batch.timestamps;
    const vals = batch.values;
    // Receivers tag each point with its name's interner slot: for a router whose answer depends on
    // the name alone, the clients are cached per slot and found with two array reads (checked
    // against the name, since slots are reused) instead of a Map lookup by string per point.
    const cache = router.pureRoutes === true ? this.routeCacheFor(router) : null;
    const byObject = this.byObject;
    let unrouted = 0;
    for (let i = 0; i < batch.length; i++) {
      const name = names[i]!;
      const id = ids[i]!;
      if (cache === null || id < 0) {
        const dests = router.getDestinations(name);
        const n = dests.length;
        if (n === 0) unrouted++;
        for (let k = 0; k < n; k++) {
          const d = dests[k]!;
          (byObject.get(d) ?? this.clientFor(d)).enqueue(name, ts[i]!, vals[i]!);
        }
        continue;
      }
      const slot = id & ROUTE_CACHE_MASK;
      let clients = cache.clients[slot]!;
      if (cache.names[slot] !== name) {
        clients = this.clientsFor(router.getDestinations(name));
        cache.names[slot] = name;
        cache.clients[slot] = clients;
      }
      const n = clients.length;
      if (n === 0) {
        unrouted++;
        continue;
      }
      const t = ts[i]!;
      const v = vals[i]!;
      for (let k = 0; k < n; k++) clients[k]!.enqueue(name, t, v);
    }
    if (unrouted) stats.increment('relayNoDestinationDrops', unrouted);
    // Counters are published per batch, not per point; there are few destinations.
    let saturated = false;
    for (const c of this.byKey.values()) {
      c.stats.publish();
      if (c.saturated) saturated = true;
    }
    if (saturated && !this.saturatedNow) this.setSaturated(true);
  }

  /** The clients of a pure router's destination list (such routers share one array per distinct list). */
  private clientsFor(dests: readonly Destination[]): readonly DestinationClient[] {
    let clients = this.clientLists.get(dests);
    if (clients === undefined) {
      clients = dests.map((d) => this.clientFor(d));
      // Routers intern their lists, so this map stays small; bound it anyway for one that does not.
      if (this.clientLists.size >= CLIENT_LISTS_MAX) this.clientLists.clear();
      this.clientLists.set(dests, clients);
    }
    return clients;
  }

  private routeCacheFor(router: Router): RouteCache {
    let c = this.routeCache;
    if (c === null || c.router !== router) {
      c = { router, names: new Array<string | null>(ROUTE_CACHE_SLOTS).fill(null), clients: new Array<readonly DestinationClient[] | null>(ROUTE_CACHE_SLOTS).fill(null) };
      this.routeCache = c;
    }
    return c;
  }

  /** Like send(), for the relay's own metrics: queued ahead of other points, never dropped for a full queue. */
  sendHighPriority(batch: MetricBatch, router: Router): void {
    for (let i = 0; i < batch.length; i++) {
      const name = batch.names[i]!;
      const dests = router.getDestinations(name);
      if (dests.length === 0) stats.increment('relayNoDestinationDrops');
      for (const d of dests) this.clientFor(d).enqueueHighPriority(name, batch.timestamps[i]!, batch.values[i]!);
    }
    for (const c of this.byKey.values()) c.stats.publish();
  }

  /** Queues one point for one destination (self-metrics and other generated points). */
  sendTo(destination: Destination, name: string, timestamp: number, value: number): void {
    this.clientFor(destination).enqueue(name, timestamp, value);
  }

  /**
   * Flushes what the destinations accept within stopFlushDeadlineMs, spills the rest (replayed by
   * the next start with the same spillDir) and closes every connection.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.running = false;
    await Promise.all([...this.byKey.values()].map((c) => c.stop()));
    const left = [...this.byKey.values()].reduce((n, c) => n + c.spilledPoints, 0);
    if (left > 0) log.info({ points: left }, `relay stopped with ${left} points in the spill; they are replayed at next start`);
  }

  private clientFor(d: Destination): DestinationClient {
    let c = this.byObject.get(d);
    if (c) return c;
    c = this.byKey.get(d.key);
    if (!c) {
      c = new DestinationClient(d, this.options, this.budget);
      c.onRoomChange = () => this.checkRoom();
      this.byKey.set(d.key, c);
      if (this.running) c.start();
    }
    this.byObject.set(d, c);
    return c;
  }

  /** Spill directories of destinations no longer configured are never replayed: say so at start. */
  private warnAboutOrphanSpills(): void {
    if (!this.options.spillEnabled) return;
    let dirs: string[];
    try {
      dirs = readdirSync(this.options.spillDir);
    } catch {
      return;
    }
    const known = new Set([...this.byKey.values()].map((c) => c.name));
    for (const d of dirs) {
      if (!known.has(d)) log.warn({ dir: join(this.options.spillDir, d) }, `spill directory ${join(this.options.spillDir, d)} belongs to no configured destination; its points will not be replayed`);
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const c of this.byKey.values()) c.tick(now);
    if (this.budget) stats.setGauge('relaySpillBytes', this.budget.used);
    this.checkRoom();
  }

  private checkRoom(): void {
    if (!this.saturatedNow) return;
    for (const c of this.byKey.values()) if (c.saturated || !c.hasRoom) return;
    this.setSaturated(false);
  }

  private setSaturated(on: boolean): void {
    this.saturatedNow = on;
    if (on) {
      log.warn('a destination has no queue or spill room left: points are being dropped until it recovers');
      this.events.onSaturated?.();
    } else {
      log.info('every destination has room again');
      this.events.onHasRoom?.();
    }
  }
}
