import { carbonHash } from './hash-functions.js';
import type { HashRing, RingNode } from './hash-ring.js';
import { pythonNodeTupleText } from './python-tuple-text.js';

/**
 * carbon/routers.py `FastHashRing`: nodes sorted by hash(str((host, instance))) (no replicas), and a
 * key starts at `hash(key) mod n` (Python modulo: never negative) and takes the following nodes in
 * sorted order, wrapping. Hash type defaults to mmh3_ch, as carbon's. Nodes with equal hashes keep
 * insertion order here; carbon's order for them depends on Python's set iteration (unspecified).
 */
export class FastHashRing implements HashRing {
  readonly nodes: readonly RingNode[];
  private readonly sorted: Int32Array;

  constructor(
    nodes: readonly RingNode[],
    readonly hashType: string = 'mmh3_ch',
  ) {
    this.nodes = nodes;
    const hashes = nodes.map((n) => carbonHash(pythonNodeTupleText(n.host, n.instance), hashType));
    const order = nodes.map((_, i) => i).sort((a, b) => hashes[a] - hashes[b]);
    this.sorted = Int32Array.from(order);
  }

  walk(key: string, visit: (node: number) => boolean): void {
    const n = this.sorted.length;
    if (n === 0) return;
    const h = carbonHash(key, this.hashType);
    const seed = ((h % n) + n) % n;
    for (let j = 0; j < n; j++) {
      if (!visit(this.sorted[(seed + j) % n])) return;
    }
  }
}
