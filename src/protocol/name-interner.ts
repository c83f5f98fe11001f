import { latin1 } from './bytes.js';

/** Names longer than this are rare and not worth caching: they are decoded every time. */
const MAX_INTERNED_LENGTH = 256;

/**
 * Turns the bytes of a metric name into a string, handing back the same string object every time
 * the same bytes arrive, as long as it is still cached.
 *
 * Why: a relay sees each series once per interval, so decoding a fresh string per point costs an
 * allocation (and its garbage collection), and every Map keyed by names (the route memo, the
 * aggregator's name memo) must hash that fresh string again. A string that is handed out again keeps
 * its cached hash, and Map lookups compare it by identity. A hit is verified byte by byte against the
 * cached string, so the result is always exactly `latin1(bytes)`.
 *
 * The cache is a two-way set-associative table of `slots` entries: bounded memory whatever the
 * number of series; a miss costs one hash over the bytes on top of the decoding it replaces.
 */
export class NameInterner {
  private readonly mask: number;
  private readonly hashes: Int32Array;
  private readonly names: (string | null)[];
  /** Which way of a set the next miss overwrites, per set (round robin). */
  private readonly victim: Uint8Array;

  constructor(slots = 1 << 17) {
    const size = 1 << Math.max(2, Math.ceil(Math.log2(slots)));
    this.mask = size - 2; // even slot of a 2-way set
    this.hashes = new Int32Array(size);
    this.names = new Array<string | null>(size).fill(null);
    this.victim = new Uint8Array(size >>> 1);
  }

  /** Number of slots: slot ids are in [0, capacity). */
  get capacity(): number {
    return this.names.length;
  }

  /** `latin1(bytes, start, end)`, from the cache when those bytes were seen recently. */
  latin1(bytes: Uint8Array, start: number, end: number): string {
    const slot = this.slotOf(bytes, start, end);
    return slot < 0 ? latin1(bytes, start, end) : this.names[slot]!;
  }

  /**
   * The slot now holding the string of these bytes (read it with nameAt), or -1 when the name is too
   * long to cache. A slot is reused for other names later: whoever keys a cache by slot must check
   * that the name it stored there is still the slot's name.
   */
  slotOf(bytes: Uint8Array, start: number, end: number): number {
    const len = end - start;
    if (len > MAX_INTERNED_LENGTH) return -1;
    // FNV-1a over the bytes.
    let h = 0x811c9dc5 ^ len;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const set = (h ^ (h >>> 16)) & this.mask;
    const names = this.names;
    const hashes = this.hashes;
    let s = names[set];
    if (s !== null && hashes[set] === h && sameBytes(s!, bytes, start, len)) return set;
    s = names[set + 1];
    if (s !== null && hashes[set + 1] === h && sameBytes(s!, bytes, start, len)) return set + 1;
    const v = set >>> 1;
    const slot = set + this.victim[v]!;
    this.victim[v] ^= 1;
    names[slot] = latin1(bytes, start, end);
    hashes[slot] = h;
    return slot;
  }

  /** The string in a slot returned by slotOf. */
  nameAt(slot: number): string {
    return this.names[slot]!;
  }
}

function sameBytes(s: string, bytes: Uint8Array, start: number, len: number): boolean {
  if (s.length !== len) return false;
  for (let k = 0; k < len; k++) if (s.charCodeAt(k) !== bytes[start + k]) return false;
  return true;
}
