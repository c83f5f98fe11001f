/**
 * Storage for the cache's points: one pool of fixed-size blocks shared by every series, each series
 * a singly linked chain of blocks. A series costs no JS object of its own: this is what keeps the
 * cache small where a Map or an array per series would cost hundreds of bytes.
 *
 * A point costs 13 bytes: its value as float64, its timestamp as uint32 (what nearly every sender
 * sends: whole seconds since 1970), and a 4-byte link per 4-point block. A timestamp that a uint32
 * cannot hold exactly (fractional, negative, -0, beyond 2106, NaN) is kept as a float64 in a side
 * map keyed by its slot and marked in the uint32 column, so every timestamp comes back exactly as
 * it was stored (carbon keeps them as Python floats, and CarbonLink returns them).
 *
 * Freed blocks go on a free list and are reused first, so the memory follows the peak number of
 * cached points.
 */
export const POINTS_PER_BLOCK = 4;
const SLOT_SHIFT = 2;
const NIL = -1;

/** Marks a timestamp held in `wideTimestamps` (it is not a valid uint32 second: see storable()). */
const WIDE = 0xffffffff;

/** Blocks per segment: 16384 blocks = 256 KiB of timestamps, 512 KiB of values, 64 KiB of links. */
const SEGMENT_SHIFT = 14;
const SEGMENT_BLOCKS = 1 << SEGMENT_SHIFT;
const SEGMENT_MASK = SEGMENT_BLOCKS - 1;

/** True when `ts` round-trips exactly through the uint32 column. */
function storable(ts: number): boolean {
  // ts >>> 0 === ts: an integer in [0, 2^32); -0 passes that test but must stay -0.
  return ts >>> 0 === ts && ts !== WIDE && (ts !== 0 || 1 / ts > 0);
}

export class PointArena {
  /** Timestamps and values, POINTS_PER_BLOCK per block, in fixed-size segments added as needed (growing never copies). */
  private times: Uint32Array[] = [];
  private values: Float64Array[] = [];
  /** next[b] = the block after b in its chain, or NIL; for a free block, the next free block. */
  private next: Int32Array[] = [];
  /** Exact timestamps of the slots marked WIDE, by global slot index (block * POINTS_PER_BLOCK + slot). */
  private wideTimestamps = new Map<number, number>();
  private freeHead = NIL;
  /** Blocks below this index have been handed out at least once. */
  private used = 0;

  /** Number of blocks the arena has room for (for memory reporting). */
  get capacityBlocks(): number {
    return this.next.length * SEGMENT_BLOCKS;
  }

  allocBlock(): number {
    let b = this.freeHead;
    if (b !== NIL) {
      this.freeHead = this.next[b >>> SEGMENT_SHIFT][b & SEGMENT_MASK];
    } else {
      if (this.used === this.next.length * SEGMENT_BLOCKS) this.addSegment();
      b = this.used++;
    }
    this.next[b >>> SEGMENT_SHIFT][b & SEGMENT_MASK] = NIL;
    return b;
  }

  /** Returns a whole chain starting at `head` to the free list. */
  freeChain(head: number, tail: number): void {
    if (head === NIL) return;
    if (this.wideTimestamps.size > 0) {
      for (let b = head; b !== NIL; b = this.nextOf(b)) {
        for (let s = 0; s < POINTS_PER_BLOCK; s++) this.wideTimestamps.delete((b << SLOT_SHIFT) + s);
        if (b === tail) break;
      }
    }
    this.next[tail >>> SEGMENT_SHIFT][tail & SEGMENT_MASK] = this.freeHead;
    this.freeHead = head;
  }

  link(from: number, to: number): void {
    this.next[from >>> SEGMENT_SHIFT][from & SEGMENT_MASK] = to;
  }

  nextOf(block: number): number {
    return this.next[block >>> SEGMENT_SHIFT][block & SEGMENT_MASK];
  }

  ts(block: number, slot: number): number {
    const t = this.times[block >>> SEGMENT_SHIFT][((block & SEGMENT_MASK) << SLOT_SHIFT) + slot];
    return t === WIDE ? this.wideTimestamps.get((block << SLOT_SHIFT) + slot)! : t;
  }

  set(block: number, slot: number, ts: number, value: number): void {
    const seg = block >>> SEGMENT_SHIFT;
    const o = ((block & SEGMENT_MASK) << SLOT_SHIFT) + slot;
    if (storable(ts)) {
      this.times[seg][o] = ts;
    } else {
      this.times[seg][o] = WIDE;
      this.wideTimestamps.set((block << SLOT_SHIFT) + slot, ts);
    }
    this.values[seg][o] = value;
  }

  setValue(block: number, slot: number, value: number): void {
    this.values[block >>> SEGMENT_SHIFT][((block & SEGMENT_MASK) << SLOT_SHIFT) + slot] = value;
  }

  /** Copies `count` points of the chain at `head` into the output arrays from `offset`, in insertion order. */
  copyChain(head: number, count: number, tsOut: Float64Array, valuesOut: Float64Array, offset: number): void {
    let b = head;
    let i = 0;
    while (i < count) {
      const seg = b >>> SEGMENT_SHIFT;
      const times = this.times[seg];
      const values = this.values[seg];
      const base = (b & SEGMENT_MASK) << SLOT_SHIFT;
      const n = Math.min(POINTS_PER_BLOCK, count - i);
      for (let s = 0; s < n; s++) {
        const t = times[base + s];
        tsOut[offset + i] = t === WIDE ? this.wideTimestamps.get((b << SLOT_SHIFT) + s)! : t;
        valuesOut[offset + i] = values[base + s];
        i++;
      }
      b = this.next[seg][b & SEGMENT_MASK];
    }
  }

  private addSegment(): void {
    this.times.push(new Uint32Array(SEGMENT_BLOCKS * POINTS_PER_BLOCK));
    this.values.push(new Float64Array(SEGMENT_BLOCKS * POINTS_PER_BLOCK));
    this.next.push(new Int32Array(SEGMENT_BLOCKS));
  }
}

export const NO_BLOCK = NIL;
