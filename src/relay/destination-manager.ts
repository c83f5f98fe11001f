import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getLogger } from '../logging.js';
import { stats } from '../instrumentation/counters.js';
import { receivedNames } from '../protocol/received-names.js';
import type { MetricBatch } from '../pipeline/batch.js';
import type { Destination, Router } from '../pipeline/route/destination.js';
import { DestinationClient } from './destination-client.js';
import { resolveDestinationOptions, type DestinationOptions } from './options.js';
import { SpillBudget } from './spill/spill-budget.js';

const log = getLogger('relay.destinations');
/** How often spills are flushed to disk, stats published and pacing re-evaluated. */
const TICK_MS = 100;

/** Bound of the destination list → clients map. */
const CLIENT_LISTS_MAX = 4096;
/** A route tag (see send): generation in the high bits, list index + 1 in the low TAG_INDEX_BITS. */
const TAG_INDEX_BITS = 20;
const TAG_INDEX_MASK = (1 << TAG_INDEX_BITS) - 1;
const TAG_GENERATIONS = 1 << (31 - TAG_INDEX_BITS);

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
  /** Distinct client lists of the current route generation, by index (a route tag's low bits - 1). */
  private routeLists: (readonly DestinationClient[])[] = [];
  private readonly routeListIndex = new Map<readonly DestinationClient[], number>();
  /** The router the route tags were made for, and their generation. */
  private taggedRouter: Router | null = null;
  private generation = 0;
  /** Clients with points noted during send() (grows to the number of clients). */
  private touched: (DestinationClient | undefined)[] = [];
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
    const n = batch.length;
    // Receivers tag each point with its name's slot in receivedNames. For a router whose answer
    // depends on the name alone, the name's clients are kept as a tag in that slot (which the
    // receiver has just read, so it is in the CPU cache): a route costs one read, checked
    // against the name, since a stage may have renamed the point and slots are reused.
    const generation = router.pureRoutes === true ? this.routeGeneration(router) : -1;
    const interner = receivedNames;
    // Each point's index is noted on each of its clients; every client then takes its points in
    // one call (the per-destination bookkeeping is paid per batch, not per point).
    const touched = this.touched;
    let touchedCount = 0;
    let unrouted = 0;
    for (let i = 0; i < n; i++) {
      const name = names[i]!;
      const id = ids[i]!;
      let clients: readonly DestinationClient[];
      if (generation < 0 || id < 0 || interner.nameAt(id) !== name) {
        clients = this.clientsFor(router.getDestinations(name));
      } else {
        const tag = interner.tagOf(id);
        if (tag >>> TAG_INDEX_BITS === generation) {
          clients = this.routeLists[(tag & TAG_INDEX_MASK) - 1]!;
        } else {
          clients = this.clientsFor(router.getDestinations(name));
          interner.setTag(id, (generation << TAG_INDEX_BITS) | (this.routeListIndexOf(clients) + 1));
        }
      }
      const k = clients.length;
      if (k === 0) {
        unrouted++;
        continue;
      }
      for (let j = 0; j < k; j++) {
        const c = clients[j]!;
        if (c.pendingCount === 0) {
          if (c.pending.length < n) c.pending = new Int32Array(Math.max(n, 2 * c.pending.length));
          touched[touchedCount++] = c;
        }
        c.pending[c.pendingCount++] = i;
      }
    }
    for (let t = 0; t < touchedCount; t++) {
      const c = touched[t]!;
      const count = c.pendingCount;
      c.pendingCount = 0;
      touched[t] = undefined;
      c.enqueueIndexed(names, batch.timestamps, batch.values, c.pending, count);
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

  /** The generation of route tags for `router`: a new router (or too many lists) starts a new one. */
  private routeGeneration(router: Router): number {
    if (this.taggedRouter !== router || this.routeLists.length >= TAG_INDEX_MASK) this.newRouteGeneration(router);
    return this.generation;
  }

  private newRouteGeneration(router: Router): void {
    receivedNames.claimTags(this);
    this.taggedRouter = router;
    this.routeLists = [];
    this.routeListIndex.clear();
    this.generation = (this.generation + 1) % TAG_GENERATIONS;
    // Generation 0 is never used, so a tag of 0 (none) never matches; after a wrap, old tags could.
    if (this.generation === 0) {
      this.generation = 1;
      receivedNames.clearTags();
    }
  }

  private routeListIndexOf(clients: readonly DestinationClient[]): number {
    let index = this.routeListIndex.get(clients);
    if (index === undefined) {
      index = this.routeLists.length;
      this.routeLists.push(clients);
      this.routeListIndex.set(clients, index);
    }
    return index;
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
