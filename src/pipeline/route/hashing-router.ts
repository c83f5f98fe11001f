import type { Destination } from './destination.js';
import { RoutingConfigError } from './errors.js';
import type { ExplainingRouter, ExplanationSection } from './explanation.js';
import type { HashRing } from './hash-ring.js';
import { selectReplicas } from './replica-selection.js';
import { DEFAULT_ROUTE_MEMO_SIZE, DestinationListInterner, RouteMemo } from './route-memo.js';

export interface ReplicaOptions {
  /** REPLICATION_FACTOR (carbon default 1). */
  readonly replicationFactor: number;
  /** DIVERSE_REPLICAS (carbon default true): replicas on distinct host strings. */
  readonly diverseReplicas: boolean;
  /** Bound of the name → destinations memo. */
  readonly memoSize?: number;
}

/**
 * Refuses two destinations the ring could not tell apart. carbon keys ring nodes by (host, instance)
 * (its addDestination raises "already configured"); carbon-c-relay keys servers by host and port,
 * which is how its fnv1a_ch balances one host's ports without instances (`byPort`).
 */
export function assertDistinctRingNodes(destinations: readonly Destination[], byPort = false): void {
  const seen = new Set<string>();
  for (const d of destinations) {
    const id = byPort ? `${d.host}\u0000${d.port}` : `${d.host}\u0000${d.instance === null ? '\u0001' : 's' + d.instance}`;
    if (seen.has(id)) {
      throw new RoutingConfigError(
        byPort
          ? `DESTINATIONS: ${d.host}:${d.port} is listed twice`
          : `DESTINATIONS: destination instance (${d.host}, ${d.instance ?? 'None'}) already configured ` +
              `(two destinations share host and instance; give them different instances)`,
      );
    }
    seen.add(id);
  }
}

/**
 * A hash-ring router (carbon's ConsistentHashingRouter / FastHashingRouter, or a carbon-c-relay ring):
 * ring node i is destination i. Answers are memoised per name and deduplicated, because the relay
 * sends a point once per distinct destination (carbon collects the clients in a set).
 */
export class HashingRouter implements ExplainingRouter {
  /** A ring never changes once built: the destinations are a function of the name. */
  readonly pureRoutes = true;
  private readonly memo: RouteMemo;
  private readonly interner = new DestinationListInterner();

  constructor(
    /** RELAY_METHOD name or carbon-ts method name, for explanations. */
    readonly method: string,
    readonly destinations: readonly Destination[],
    readonly ring: HashRing,
    readonly options: ReplicaOptions,
  ) {
    if (ring.nodes.length !== destinations.length) throw new Error('ring nodes must be the destinations, in order');
    this.memo = new RouteMemo(options.memoSize ?? DEFAULT_ROUTE_MEMO_SIZE);
  }

  getDestinations(metric: string): readonly Destination[] {
    const hit = this.memo.get(metric);
    if (hit !== undefined) return hit;
    const list = this.route(metric);
    this.memo.set(metric, list);
    return list;
  }

  /** Node indexes in carbon's yielded order, before deduplication (a single node can appear twice). */
  selectNodes(metric: string): number[] {
    return selectReplicas(this.ring, metric, this.options.replicationFactor, this.options.diverseReplicas);
  }

  private route(metric: string): readonly Destination[] {
    const nodes = this.selectNodes(metric);
    const out: Destination[] = [];
    let identity = '';
    for (const n of nodes) {
      const d = this.destinations[n];
      if (out.includes(d)) continue;
      out.push(d);
      identity += n + ',';
    }
    return this.interner.intern(out, identity);
  }

  explain(metric: string): ExplanationSection[] {
    const { replicationFactor, diverseReplicas } = this.options;
    return [
      {
        stage: 'ring',
        summary: `${this.method} over ${this.destinations.length} destination(s), replication ${replicationFactor}, diverse replicas ${diverseReplicas ? 'on' : 'off'}`,
        detail: { method: this.method, key: metric, replicationFactor, diverseReplicas },
      },
    ];
  }
}
