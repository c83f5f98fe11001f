import type { HashRing } from './hash-ring.js';

/**
 * carbon's ConsistentHashingRouter.getDestinations replica choice over a ring walk, as node indexes
 * in yielded order (possibly repeating a node: see ConsistentHashRing.walk).
 * - diverse: skip nodes whose host string was already used; stop once `replicationFactor` hosts are
 *   used (checked after each pick, so a factor below 1 still yields one node, as in carbon);
 * - not diverse: the first `replicationFactor` nodes of the walk (none for a factor of 0).
 */
export function selectReplicas(ring: HashRing, key: string, replicationFactor: number, diverse: boolean): number[] {
  const picked: number[] = [];
  if (diverse) {
    const usedHosts = new Set<string>();
    ring.walk(key, (node) => {
      const host = ring.nodes[node].host;
      if (usedHosts.has(host)) return true;
      usedHosts.add(host);
      picked.push(node);
      return usedHosts.size < replicationFactor;
    });
  } else {
    ring.walk(key, (node) => {
      if (picked.length === replicationFactor) return false;
      picked.push(node);
      return true;
    });
  }
  return picked;
}
