/** A ring member as carbon keys it: `(host, instance)`; the port is not part of ring placement. */
export interface RingNode {
  readonly host: string;
  readonly instance: string | null;
}

/**
 * A hash ring that yields its node indexes for a key in carbon's `get_nodes` order. `visit` returns
 * false to stop the walk early (replica selection rarely needs more than a few nodes).
 */
export interface HashRing {
  readonly nodes: readonly RingNode[];
  walk(key: string, visit: (node: number) => boolean): void;
}
