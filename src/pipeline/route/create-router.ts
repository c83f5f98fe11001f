import { loadRelayRules } from '../../config/relay-rules.js';
import { AggregatedHashingRouter, type AggregateNamesOf } from './aggregated-router.js';
import { CRelayConsistentRing, CRelayJumpRing } from './c-relay-rings.js';
import { ConsistentHashRing } from './consistent-hash-ring.js';
import type { Destination } from './destination.js';
import { RoutingConfigError } from './errors.js';
import type { ExplainingRouter } from './explanation.js';
import { FastHashRing } from './fast-hash-ring.js';
import type { HashRing } from './hash-ring.js';
import { HashingRouter, assertDistinctRingNodes } from './hashing-router.js';
import { DEFAULT_ROUTE_MEMO_SIZE } from './route-memo.js';
import { RulesRouter } from './rules-router.js';
import { TagNormalizingRouter } from './tag-normalizing-router.js';

/** carbon's RELAY_METHOD values. */
export const RELAY_METHODS = [
  'rules',
  'consistent-hashing',
  'aggregated-consistent-hashing',
  'fast-hashing',
  'fast-aggregated-hashing',
] as const;

/**
 * ROUTER_HASH_TYPE values beyond carbon's (carbon_ch, fnv1a_ch, mmh3_ch): carbon-c-relay's cluster
 * types, for clusters migrating from carbon-c-relay. They replace the ring of the consistent and
 * aggregated-consistent methods; REPLICATION_FACTOR is c-relay's `replication`, DIVERSE_REPLICAS does
 * not apply. See c-relay-rings.ts for exactly what they match.
 */
export const C_RELAY_CARBON_CH = 'carbon-c-relay:carbon_ch';
export const C_RELAY_FNV1A_CH = 'carbon-c-relay:fnv1a_ch';
export const C_RELAY_JUMP_FNV1A_CH = 'carbon-c-relay:jump_fnv1a_ch';

/** What building a router needs from carbon.conf (names as carbon's settings). */
export interface RoutingSettings {
  readonly RELAY_METHOD: string;
  /** Parsed DESTINATIONS, in order. */
  readonly DESTINATIONS: readonly Destination[];
  readonly REPLICATION_FACTOR: number;
  readonly DIVERSE_REPLICAS: boolean;
  /** null/empty = the method's default (carbon_ch for consistent rings, mmh3_ch for fast rings). */
  readonly ROUTER_HASH_TYPE: string | null;
  readonly TAG_RELAY_NORMALIZED: boolean;
  /** Path of relay-rules.conf (CONF_DIR/RELAY_RULES), read for `rules`. */
  readonly relayRulesPath?: string;
  /** Aggregate names a metric feeds, for the aggregated methods (default: none). */
  readonly aggregateNamesOf?: AggregateNamesOf;
  readonly memoSize?: number;
}

function ringFor(method: string, hashType: string | null, destinations: readonly Destination[]): HashRing {
  if (hashType === C_RELAY_CARBON_CH) return new CRelayConsistentRing(destinations, 'carbon_ch');
  if (hashType === C_RELAY_FNV1A_CH) return new CRelayConsistentRing(destinations, 'fnv1a_ch');
  if (hashType === C_RELAY_JUMP_FNV1A_CH) return new CRelayJumpRing(destinations);
  const fast = method === 'fast-hashing' || method === 'fast-aggregated-hashing';
  // carbon: `settings.ROUTER_HASH_TYPE or 'carbon_ch'` / `or 'mmh3_ch'`
  return fast ? new FastHashRing(destinations, hashType || 'mmh3_ch') : new ConsistentHashRing(destinations, hashType || 'carbon_ch');
}

/** Builds the relay's router from its settings, as carbon's setupRelayProcessor does. Throws RoutingConfigError. */
export function createRouter(settings: RoutingSettings): ExplainingRouter {
  const method = settings.RELAY_METHOD;
  const memoSize = settings.memoSize ?? DEFAULT_ROUTE_MEMO_SIZE;
  if (!(RELAY_METHODS as readonly string[]).includes(method)) {
    throw new RoutingConfigError(`In carbon.conf, RELAY_METHOD must be one of ${RELAY_METHODS.join(', ')}. Invalid value: '${method}'`);
  }
  let router: ExplainingRouter;
  if (method === 'rules') {
    if (!settings.relayRulesPath) throw new RoutingConfigError('RELAY_METHOD = rules needs a relay-rules.conf path');
    router = new RulesRouter(loadRelayRules(settings.relayRulesPath), settings.DESTINATIONS, memoSize);
  } else {
    const hashType = settings.ROUTER_HASH_TYPE || null;
    const cRelay = hashType !== null && hashType.startsWith('carbon-c-relay:');
    assertDistinctRingNodes(settings.DESTINATIONS, cRelay);
    if (cRelay && ![C_RELAY_CARBON_CH, C_RELAY_FNV1A_CH, C_RELAY_JUMP_FNV1A_CH].includes(hashType)) {
      throw new RoutingConfigError(
        `ROUTER_HASH_TYPE '${hashType}' is not a carbon-c-relay cluster type carbon-ts knows (${C_RELAY_CARBON_CH}, ${C_RELAY_FNV1A_CH}, ${C_RELAY_JUMP_FNV1A_CH})`,
      );
    }
    const ring = ringFor(method, hashType, settings.DESTINATIONS);
    const label = `${method} (${hashType ?? (method.startsWith('fast') ? 'mmh3_ch' : 'carbon_ch')})`;
    const hashRouter = new HashingRouter(label, settings.DESTINATIONS, ring, {
      replicationFactor: settings.REPLICATION_FACTOR,
      diverseReplicas: cRelay ? false : settings.DIVERSE_REPLICAS,
      memoSize,
    });
    router =
      method === 'aggregated-consistent-hashing' || method === 'fast-aggregated-hashing'
        ? new AggregatedHashingRouter(method, hashRouter, settings.aggregateNamesOf ?? (() => []))
        : hashRouter;
  }
  return settings.TAG_RELAY_NORMALIZED ? new TagNormalizingRouter(router) : router;
}
