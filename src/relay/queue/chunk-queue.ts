import { ChunkPool, type PointChunk } from './point-chunk.js';

/**
 * A destination's in-memory FIFO of points, held as chunks of up to MAX_DATAPOINTS_PER_MESSAGE
 * points: appending fills the tail chunk, sending takes the head chunk whole (a partly filled
 * tail too, as carbon sends whatever is queued). `size` counts points.
 */
export class ChunkQueue {
  private chunks: PointChunk[] = [];
  private head = 0;
  size = 0;

  constructor(readonly pool: ChunkPool) {}

  get isEmpty(): boolean {
    return this.size === 0;
  }

  push(name: string, timestamp: number, value: number): void {
    this.tailWithRoom().push(name, timestamp, value);
    this.size++;
  }

  /** The last chunk, or a new one when it is full (or there is none). */
  private tailWithRoom(): PointChunk {
    let tail = this.chunks.length > this.head ? this.chunks[this.chunks.length - 1]! : undefined;
    if (!tail || tail.full) {
      tail = this.pool.take();
      this.chunks.push(tail);
    }
    return tail;
  }

  /** push() of points idx[from..to) of the parallel arrays, in order. */
  pushIndexed(names: readonly string[], timestamps: Float64Array, values: Float64Array, idx: Int32Array, from: number, to: number): void {
    let k = from;
    while (k < to) {
      const tail = this.tailWithRoom();
      const room = tail.capacity - tail.length;
      const end = to - k < room ? to : k + room;
      const tn = tail.names;
      const tt = tail.timestamps;
      const tv = tail.values;
      let at = tail.length;
      for (; k < end; k++) {
        const i = idx[k]!;
        tn[at] = names[i]!;
        tt[at] = timestamps[i]!;
        tv[at] = values[i]!;
        at++;
      }
      this.size += at - tail.length;
      tail.length = at;
    }
  }

  /** Removes and returns the oldest chunk (the caller owns it now). */
  shift(): PointChunk | undefined {
    if (this.head >= this.chunks.length) return undefined;
    const c = this.chunks[this.head]!;
    this.chunks[this.head++] = undefined as unknown as PointChunk;
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    this.size -= c.length;
    return c;
  }

  /** Puts chunks back at the head, in the given order, ahead of everything queued (resend after a reset). */
  unshiftAll(chunks: readonly PointChunk[]): void {
    if (chunks.length === 0) return;
    this.chunks = [...chunks, ...this.chunks.slice(this.head)];
    this.head = 0;
    for (const c of chunks) this.size += c.length;
  }

  /** Empties the queue, handing every chunk to the caller in order. */
  drain(): PointChunk[] {
    const out = this.chunks.slice(this.head);
    this.chunks = [];
    this.head = 0;
    this.size = 0;
    return out;
  }
}
