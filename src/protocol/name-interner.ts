import { latin1 } from './bytes.js';

/** Names longer than this are rare and not worth caching: they are decoded every time. */
const MAX_INTERNED_LENGTH = 256;
/** Int32 fields per slot: hash, tag (a set's four slots fill half a cache line; empty slots have no name). */
const SLOT_FIELDS = 2;
const TAG = 1;
/** Slots per set: a name may sit in any of the WAYS slots its hash selects (a set's fields fill one 64-byte line). */
const WAYS = 4;
/** Lookups between two reviews of the miss rate. */
const GROWTH_WINDOW = 1 << 14;
/** The table doubles while more than 1 in this many lookups of a window missed. */
const GROWTH_MISS_RATIO = 64;

/**
 * Turns the bytes of a metric name into a string, handing back the same string object every time
 * the same bytes arrive, as long as it is still cached.
 *
 * Why: a relay sees each series once per interval, so decoding a fresh string per point costs an
 * allocation (and its garbage collection), and every Map keyed by names (the route memo, the
 * aggregator's name memo) must hash that fresh string again. A string that is handed out again keeps
 * its cached hash, and Map lookups compare it by identity. A hit is verified byte by byte, so the
 * result is always exactly `latin1(bytes)`.
 *
 * The cache is a four-way set-associative table: bounded memory whatever the number of series (see the
 * constructor for its size). The hashes and tags of a set's four slots sit together in 32 bytes
 * (half a cache line); a hit is then verified against the slot's string, whose characters the
 * caller reads soon anyway (to route, store or send the point). So a lookup touches the set, the
 * string pointer and the string: memory access, not arithmetic, is what a lookup costs once the
 * names outnumber what the CPU caches hold (the smaller the table's lines, the more of them stay
 * cached: 16-byte slots made bench:relay ~7 % slower than these 8-byte ones).
 */
export class NameInterner {
  private mask = 0;
  /** SLOT_FIELDS int32s per slot; a set's slots are adjacent. */
  private meta = new Int32Array(0);
  private names: (string | null)[] = [];
  /** xorshift state choosing which way of a full set a miss overwrites. */
  private random = 0x9e3779b9;
  private lookups = 0;
  private misses = 0;
  private tagOwner: object | null = null;
  /** The buffer of the last lookup and a view over it. */
  private viewOf: Uint8Array | null = null;
  private view: DataView = new DataView(new ArrayBuffer(0));

  /**
   * The table starts small and doubles, keeping its names, while more than 1 in GROWTH_MISS_RATIO lookups miss, up to `maxSlots`. Small tables matter: a lookup is a random
   * access, and a table far larger than the working set of series misses the CPU caches every time.
   */
  constructor(
    private readonly maxSlots = 1 << 17,
    initialSlots = Math.min(maxSlots, 1 << 12),
  ) {
    this.allocate(initialSlots);
  }

  private allocate(slots: number): void {
    const size = 1 << Math.max(3, Math.ceil(Math.log2(slots)));
    this.mask = size - WAYS; // first slot of a set
    this.meta = new Int32Array(size * SLOT_FIELDS);
    this.names = new Array<string | null>(size).fill(null);
  }

  /**
   * Doubles the table, moving every cached name into it (with its tag). The string objects stay the
   * same: other caches hold them as keys (the aggregator's plan memo, the route memo), and a Map
   * finds a key by identity far faster than by comparing the text of two equal strings.
   */
  private grow(): void {
    const oldNames = this.names;
    const oldMeta = this.meta;
    this.allocate(oldNames.length * 2);
    for (let old = 0; old < oldNames.length; old++) {
      const name = oldNames[old];
      if (name === null) continue;
      const h = oldMeta[old * SLOT_FIELDS]!;
      const slot = this.wayFor((h ^ (h >>> 16)) & this.mask);
      this.names[slot] = name;
      this.meta.set(oldMeta.subarray(old * SLOT_FIELDS, (old + 1) * SLOT_FIELDS), slot * SLOT_FIELDS);
    }
  }

  /**
   * Every GROWTH_WINDOW lookups: double the table if more than 1 in GROWTH_MISS_RATIO of them missed.
   * Every window is judged, the one right after a resize too: the names evicted before it come back
   * once, which at worst grows the table one step early (it is bounded by maxSlots), while waiting a
   * window per step kept a relay missing on a tenth of its points for its first half million. The
   * table stays as small as the miss rate allows: a lookup reads a random slot, and a table that
   * does not fit the CPU caches costs more per lookup than the misses it saves.
   */
  private review(): void {
    if (this.misses * GROWTH_MISS_RATIO > this.lookups && this.names.length < this.maxSlots) this.grow();
    this.lookups = 0;
    this.misses = 0;
  }

  /**
   * The slot of `set` a new name goes to: an empty way, else a random one. Random rather than
   * round robin: names cycling through a set one more than its ways (a relay sees each series once
   * per interval, in the same order) would otherwise each evict the next one and all miss.
   */
  private wayFor(set: number): number {
    const meta = this.meta;
    for (let w = 0; w < WAYS; w++) if (this.names[set + w] === null) return set + w;
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return set + (x & (WAYS - 1));
  }

  /** Current number of slots: slot ids are in [0, capacity); never more than maxSlots. */
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
    // Multiplicative hash four bytes at a time: the multiply chain is what costs, not the loads.
    let h = 0x811c9dc5 ^ len;
    let i = start;
    // One DataView per buffer (consecutive lookups come from the same read): a word is one load.
    let view = this.view;
    if (this.viewOf !== bytes) {
      view = this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.viewOf = bytes;
    }
    for (const last = end - 3; i < last; i += 4) h = Math.imul((h << 5) | (h >>> 27), 0x9e3779b1) ^ view.getInt32(i, true);
    for (; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    if (++this.lookups === GROWTH_WINDOW) this.review();
    const set = (h ^ (h >>> 16)) & this.mask;
    const meta = this.meta;
    const names = this.names;
    for (let w = 0, m = set * SLOT_FIELDS; w < WAYS; w++, m += SLOT_FIELDS) {
      if (meta[m] === h) {
        const name = names[set + w];
        if (name !== null && name.length === len && sameChars(name, bytes, start, len)) return set + w;
      }
    }
    this.misses++;
    const slot = this.wayFor(set);
    const m = slot * SLOT_FIELDS;
    meta[m] = h;
    meta[m + TAG] = 0; // a new name: no tag
    names[slot] = latin1(bytes, start, end);
    return slot;
  }

  /**
   * A number a consumer keeps with the name in `slot` (0 until set, and again when the slot is
   * given to another name; it moves with the name when the table grows). It sits in the set
   * slotOf has just read, so it costs no further memory access: the relay keeps the name's route
   * here. Only one consumer may use tags: see claimTags.
   */
  tagOf(slot: number): number {
    return this.meta[slot * SLOT_FIELDS + TAG]!;
  }

  setTag(slot: number, tag: number): void {
    this.meta[slot * SLOT_FIELDS + TAG] = tag;
  }

  /** Makes `owner` the user of the tags; a new owner starts with every tag cleared. */
  claimTags(owner: object): void {
    if (this.tagOwner === owner) return;
    this.tagOwner = owner;
    this.clearTags();
  }

  /** Sets every tag back to 0. */
  clearTags(): void {
    const meta = this.meta;
    for (let m = TAG; m < meta.length; m += SLOT_FIELDS) meta[m] = 0;
  }

  /** The string in a slot returned by slotOf. */
  nameAt(slot: number): string {
    return this.names[slot]!;
  }

}

function sameChars(s: string, bytes: Uint8Array, start: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (s.charCodeAt(k) !== bytes[start + k]) return false;
  return true;
}
