/**
 * Storage for the cache's points: one pool of fixed-size blocks shared by every series, each series
 * a singly linked chain of blocks. A point costs its 16 bytes (timestamp and value as float64) plus
 * a 4-byte link per block, and a series costs no JS object of its own: this is what keeps the cache
 * near 16 bytes per point where a Map or an array per series would cost hundreds of bytes.
 *
 * Freed blocks go on a free list and are reused first, so the memory follows the peak number of
 * cached points.
 */
export const POINTS_PER_BLOCK = 4;
const DOUBLES_PER_BLOCK = POINTS_PER_BLOCK * 2;
const NIL = -1;

/** Blocks per segment: 16384 blocks = 1 MiB of points + 64 KiB of links. */
const SEGMENT_SHIFT = 14;
const SEGMENT_BLOCKS = 1 << SEGMENT_SHIFT;
const SEGMENT_MASK = SEGMENT_BLOCKS - 1;

export class PointArena {
  /**
   * Interleaved [ts, value] pairs, POINTS_PER_BLOCK pairs per block, in fixed-size segments added
   * as needed: growing never copies, and at most one segment is partly unused.
   */
  private data: Float64Array[] = [];
  /** next[b] = the block after b in its chain, or NIL; for a free block, the next free block. */
  private next: Int32Array[] = [];
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
    return this.data[block >>> SEGMENT_SHIFT][(block & SEGMENT_MASK) * DOUBLES_PER_BLOCK + slot * 2];
  }

  set(block: number, slot: number, ts: number, value: number): void {
    const seg = this.data[block >>> SEGMENT_SHIFT];
    const o = (block & SEGMENT_MASK) * DOUBLES_PER_BLOCK + slot * 2;
    seg[o] = ts;
    seg[o + 1] = value;
  }

  setValue(block: number, slot: number, value: number): void {
    this.data[block >>> SEGMENT_SHIFT][(block & SEGMENT_MASK) * DOUBLES_PER_BLOCK + slot * 2 + 1] = value;
  }

  /** Copies `count` points of the chain at `head` into the output arrays from `offset`, in insertion order. */
  copyChain(head: number, count: number, tsOut: Float64Array, valuesOut: Float64Array, offset: number): void {
    let b = head;
    let i = 0;
    while (i < count) {
      const seg = this.data[b >>> SEGMENT_SHIFT];
      const base = (b & SEGMENT_MASK) * DOUBLES_PER_BLOCK;
      const n = Math.min(POINTS_PER_BLOCK, count - i);
      for (let s = 0; s < n; s++) {
        tsOut[offset + i] = seg[base + s * 2];
        valuesOut[offset + i] = seg[base + s * 2 + 1];
        i++;
      }
      b = this.next[b >>> SEGMENT_SHIFT][b & SEGMENT_MASK];
    }
  }

  private addSegment(): void {
    this.data.push(new Float64Array(SEGMENT_BLOCKS * DOUBLES_PER_BLOCK));
    this.next.push(new Int32Array(SEGMENT_BLOCKS));
  }
}

export const NO_BLOCK = NIL;
