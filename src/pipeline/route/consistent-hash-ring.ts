import { carbonHash } from './hash-functions.js';
import type { HashRing, RingNode } from './hash-ring.js';
import { pythonNodeTupleText } from './python-tuple-text.js';

/** carbon's replica_count: every node gets this many ring positions. */
export const RING_REPLICAS = 100;

/**
 * carbon/hashing.py `ConsistentHashRing`, exactly:
 * - node replica keys are `str((host, instance)) + ':' + i` for carbon_ch/mmh3_ch, and `i + '-' + instance`
 *   for fnv1a_ch (the host is not used; an instance of None hashes as the text `None`);
 * - a position already taken is bumped by +1 until free, in node insertion order (it may pass 65535);
 * - lookup starts at the first position >= hash(key) (bisect_left), wrapping to 0.
 * Positions live in a Float64Array (mmh3 positions are negative; bumping may leave int32 range).
 */
export class ConsistentHashRing implements HashRing {
  readonly nodes: readonly RingNode[];
  private readonly positions: Float64Array;
  private readonly owners: Int32Array;

  constructor(
    nodes: readonly RingNode[],
    readonly hashType: string = 'carbon_ch',
    readonly replicaCount = RING_REPLICAS,
  ) {
    this.nodes = nodes;
    const taken = new Set<number>();
    const entries: Array<[number, number]> = [];
    nodes.forEach((node, index) => {
      const tupleText = hashType === 'fnv1a_ch' ? '' : pythonNodeTupleText(node.host, node.instance);
      for (let i = 0; i < replicaCount; i++) {
        const replicaKey = hashType === 'fnv1a_ch' ? `${i}-${node.instance ?? 'None'}` : `${tupleText}:${i}`;
        let position = carbonHash(replicaKey, hashType);
        while (taken.has(position)) position += 1;
        taken.add(position);
        entries.push([position, index]);
      }
    });
    entries.sort((a, b) => a[0] - b[0]);
    this.positions = Float64Array.from(entries, (e) => e[0]);
    this.owners = Int32Array.from(entries, (e) => e[1]);
  }

  get size(): number {
    return this.positions.length;
  }

  /** The ring as (position, node index) pairs in order — for tests and `route` explanations. */
  entries(): Array<[number, number]> {
    return Array.from(this.positions, (p, i) => [p, this.owners[i]]);
  }

  /** Index of the first entry with position >= p, modulo the ring length (bisect_left on (p, ())). */
  private startIndex(p: number): number {
    const pos = this.positions;
    let lo = 0;
    let hi = pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pos[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    return lo === pos.length ? 0 : lo;
  }

  /**
   * `get_nodes`, quirks included: with exactly one node, that node is yielded once up front and then
   * again by the walk; the walk stops when every node was seen or at the entry just before the start
   * (which is never examined).
   */
  walk(key: string, visit: (node: number) => boolean): void {
    const ringLen = this.positions.length;
    if (ringLen === 0) return;
    const nodeCount = this.nodes.length;
    if (nodeCount === 1 && !visit(0)) return;
    let index = this.startIndex(carbonHash(key, this.hashType));
    const lastIndex = (index - 1 + ringLen) % ringLen;
    const seen = new Uint8Array(nodeCount);
    let seenCount = 0;
    while (seenCount < nodeCount && index !== lastIndex) {
      const node = this.owners[index];
      if (seen[node] === 0) {
        seen[node] = 1;
        seenCount++;
        if (!visit(node)) return;
      }
      index = (index + 1) % ringLen;
    }
  }
}
