/**
 * Storage for the cache's points: one pool of fixed-size blocks shared by every series, each series
 * a singly linked chain of blocks. A point costs its 16 bytes (timestamp and value as float64) plus
 * a 4-byte link per block, and a series costs no JS object of its own: this is what keeps the cache
 * near 16 bytes per point where a Map or an array per series would cost hundreds of bytes.
 *
 * Freed blocks go on a free list and are reused first, so the touched memory follows the peak
 * number of cached points.
 */
export const POINTS_PER_BLOCK = 4;
const DOUBLES_PER_BLOCK = POINTS_PER_BLOCK * 2;
const NIL = -1;

export class PointArena {
  /** Interleaved [ts, value] pairs, POINTS_PER_BLOCK pairs per block. */
  private data: Float64Array;
  /** next[b] = the block after b in its chain, or NIL; for a free block, the next free block. */
  private next: Int32Array;
  private freeHead = NIL;
  /** Blocks below this index have been handed out at least once. */
  private used = 0;

  constructor(initialBlocks = 1024) {
    this.data = new Float64Array(initialBlocks * DOUBLES_PER_BLOCK);
    this.next = new Int32Array(initialBlocks);
  }

  /** Number of blocks the arena has room for (for memory reporting). */
  get capacityBlocks(): number {
    return this.next.length;
  }

  allocBlock(): number {
    let b = this.freeHead;
    if (b !== NIL) {
      this.freeHead = this.next[b];
    } else {
      if (this.used === this.next.length) this.grow();
      b = this.used++;
    }
    this.next[b] = NIL;
    return b;
  }

  /** Returns a whole chain starting at `head` to the free list. */
  freeChain(head: number, tail: number): void {
    if (head === NIL) return;
    this.next[tail] = this.freeHead;
    this.freeHead = head;
  }

  link(from: number, to: number): void {
    this.next[from] = to;
  }

  nextOf(block: number): number {
    return this.next[block];
  }

  ts(block: number, slot: number): number {
    return this.data[block * DOUBLES_PER_BLOCK + slot * 2];
  }

  value(block: number, slot: number): number {
    return this.data[block * DOUBLES_PER_BLOCK + slot * 2 + 1];
  }

  set(block: number, slot: number, ts: number, value: number): void {
    const o = block * DOUBLES_PER_BLOCK + slot * 2;
    this.data[o] = ts;
    this.data[o + 1] = value;
  }

  setValue(block: number, slot: number, value: number): void {
    this.data[block * DOUBLES_PER_BLOCK + slot * 2 + 1] = value;
  }

  /** Copies `count` points of the chain at `head` into the output arrays from `offset`, in insertion order. */
  copyChain(head: number, count: number, tsOut: Float64Array, valuesOut: Float64Array, offset: number): void {
    let b = head;
    let i = 0;
    const data = this.data;
    while (i < count) {
      const base = b * DOUBLES_PER_BLOCK;
      const n = Math.min(POINTS_PER_BLOCK, count - i);
      for (let s = 0; s < n; s++) {
        tsOut[offset + i] = data[base + s * 2];
        valuesOut[offset + i] = data[base + s * 2 + 1];
        i++;
      }
      b = this.next[b];
    }
  }

  private grow(): void {
    const blocks = Math.ceil(this.next.length * 1.5);
    const data = new Float64Array(blocks * DOUBLES_PER_BLOCK);
    data.set(this.data);
    const next = new Int32Array(blocks);
    next.set(this.next);
    this.data = data;
    this.next = next;
  }
}

export const NO_BLOCK = NIL;
