import { carbonChPosition, cRelayFnv1a64, cRelayFnv1aPosition, cRelayXorshift, jumpBucket } from './hash-functions.js';
import type { HashRing, RingNode } from './hash-ring.js';
import { RING_REPLICAS } from './consistent-hash-ring.js';

/**
 * carbon-c-relay's own cluster types, for clusters migrating from carbon-c-relay (matched against
 * carbon-c-relay 3.7.x, consistent-hash.c, and checked with `carbon-c-relay -t`):
 *
 * - `carbon_ch`: 100 positions per server, replica key `('host', 'instance'):i` (or `('host', None):i`)
 *   written with plain quotes (no Python repr escaping), position = first 16 bits of MD5, like
 *   carbon's — but without carbon's collision bumping: entries sort by (position, host, instance with
 *   no instance last) and an entry at the same position as its predecessor is taken over by the
 *   predecessor's server. So it differs from carbon's carbon_ch only for names that land on a
 *   collided position (a handful of positions per ring).
 * - `fnv1a_ch`: 100 positions per server; replica key `i-host:port` (`%d-%s:%u`), or `i-instance`
 *   when the server has an instance (`host:port=instance` there, `host:port:instance` in carbon-ts
 *   DESTINATIONS), which replaces host and port entirely. Position = 32-bit FNV-1a folded to 16 bits,
 *   where c-relay sign-extends bytes >= 0x80 (so non-ASCII names hash differently from carbon's
 *   fnv1a_ch). No collision bumping: entries sort by (position, host, port) and an entry at the same
 *   position as its predecessor is taken over by the predecessor's server. Lookup: first position >=
 *   hash(metric), wrapping; distinct servers in ring order.
 * - `jump_fnv1a_ch`: servers ordered by instance (numeric when both are integers, else by string;
 *   servers without instance after them in configuration order); 64-bit FNV-1a of the metric (bytes
 *   >= 0x80 sign-extended to 64 bits, as the installed c-relay does) into
 *   Lamping–Veach jump hash picks a server; each further replica re-seeds with c-relay's xorshift and
 *   picks among the servers not chosen yet (the chosen one is replaced by the last in the list).
 *
 * Differences from carbon's rings: host and port (not instance alone) identify a fnv1a_ch server;
 * replication picks the next distinct servers (carbon's DIVERSE_REPLICAS does not exist in c-relay).
 */
export interface CRelayNode extends RingNode {
  readonly port: number;
}

function strcmp(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return Buffer.compare(x, y);
}

/** The two c-relay ring types with 100 positions per server. */
export type CRelayRingType = 'carbon_ch' | 'fnv1a_ch';

function compareInstances(a: string | null, b: string | null): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return strcmp(a, b);
}

export class CRelayConsistentRing implements HashRing {
  readonly nodes: readonly CRelayNode[];
  private readonly positions: Uint16Array;
  private readonly owners: Int32Array;
  private readonly position: (key: string) => number;

  constructor(
    nodes: readonly CRelayNode[],
    readonly type: CRelayRingType,
  ) {
    this.nodes = nodes;
    this.position = type === 'carbon_ch' ? carbonChPosition : cRelayFnv1aPosition;
    const entries: Array<{ pos: number; node: number }> = [];
    nodes.forEach((n, index) => {
      for (let i = 0; i < RING_REPLICAS; i++) {
        let key: string;
        if (type === 'carbon_ch') key = `('${n.host}', ${n.instance === null ? 'None' : `'${n.instance}'`}):${i}`;
        else key = n.instance === null ? `${i}-${n.host}:${n.port}` : `${i}-${n.instance}`;
        entries.push({ pos: this.position(key), node: index });
      }
    });
    const tieBreak =
      type === 'carbon_ch'
        ? (a: CRelayNode, b: CRelayNode) => strcmp(a.host, b.host) || compareInstances(a.instance, b.instance)
        : (a: CRelayNode, b: CRelayNode) => strcmp(a.host, b.host) || a.port - b.port;
    entries.sort((a, b) => a.pos - b.pos || tieBreak(nodes[a.node], nodes[b.node]));
    // c-relay: "overwrite successive duplicates with the first entry"
    for (let i = 0; i + 1 < entries.length; i++) {
      if (entries[i].pos === entries[i + 1].pos) entries[i + 1].node = entries[i].node;
    }
    this.positions = Uint16Array.from(entries, (e) => e.pos);
    this.owners = Int32Array.from(entries, (e) => e.node);
  }

  walk(key: string, visit: (node: number) => boolean): void {
    const pos = this.positions;
    const len = pos.length;
    if (len === 0) return;
    const p = this.position(key);
    let lo = 0;
    let hi = len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pos[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    const seen = new Uint8Array(this.nodes.length);
    // One full round: a server whose every entry was taken over can never be reached (c-relay would spin).
    for (let k = 0, t = lo % len; k < len; k++, t = (t + 1) % len) {
      const node = this.owners[t];
      if (seen[node] === 0) {
        seen[node] = 1;
        if (!visit(node)) return;
      }
    }
  }
}

// strtol consumed the whole text: digits with optional leading space and sign, or nothing at all.
const WHOLE_DECIMAL = /^(\s*[+-]?\d+)?$/;

/** c-relay's entrycmp_jump_fnv1a on instances (strtol when both parse completely, else strcmp). */
function compareJumpInstances(a: string, b: string): number {
  if (WHOLE_DECIMAL.test(a) && WHOLE_DECIMAL.test(b)) {
    const x = Number.parseInt(a, 10) || 0;
    const y = Number.parseInt(b, 10) || 0;
    return x - y;
  }
  return strcmp(a, b);
}

export class CRelayJumpRing implements HashRing {
  readonly nodes: readonly CRelayNode[];
  /** Node indexes in c-relay's bucket order. */
  private readonly buckets: Int32Array;

  constructor(nodes: readonly CRelayNode[]) {
    this.nodes = nodes;
    const order = nodes.map((_, i) => i);
    order.sort((a, b) => {
      const ia = nodes[a].instance;
      const ib = nodes[b].instance;
      if (ia === null && ib === null) return a - b;
      if (ia === null) return 1;
      if (ib === null) return -1;
      return compareJumpInstances(ia, ib);
    });
    this.buckets = Int32Array.from(order);
  }

  walk(key: string, visit: (node: number) => boolean): void {
    const remaining = Array.from(this.buckets);
    let hash = cRelayFnv1a64(key);
    let n = remaining.length;
    while (n > 0) {
      const j = jumpBucket(hash, n);
      if (!visit(remaining[j])) return;
      hash = cRelayXorshift(hash);
      remaining[j] = remaining[--n];
    }
  }
}
