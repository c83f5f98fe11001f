import type { PointRun } from '../encode/point-run.js';

/**
 * Up to `capacity` queued points in parallel arrays: the unit a destination queue holds, sends as
 * one message (capacity = MAX_DATAPOINTS_PER_MESSAGE) and spills to disk as one record.
 */
export class PointChunk implements PointRun {
  /** Allocated at full capacity once: a reused chunk overwrites names instead of growing the array again. */
  readonly names: string[];
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  length = 0;

  constructor(readonly capacity: number) {
    this.names = new Array<string>(capacity).fill('');
    this.timestamps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  push(name: string, timestamp: number, value: number): void {
    const i = this.length++;
    this.names[i] = name;
    this.timestamps[i] = timestamp;
    this.values[i] = value;
  }

  /** Empties the chunk. Names past `length` are stale and never read (they are interned strings, mostly). */
  reset(): void {
    this.length = 0;
  }
}

/** Recycles chunks once nothing refers to them any more, so a busy queue does not churn the GC. */
export class ChunkPool {
  private free: PointChunk[] = [];
  constructor(readonly chunkCapacity: number, private readonly maxFree = 256) {}

  take(): PointChunk {
    return this.free.pop() ?? new PointChunk(this.chunkCapacity);
  }

  give(chunk: PointChunk): void {
    if (chunk.capacity !== this.chunkCapacity || this.free.length >= this.maxFree) return;
    chunk.reset();
    this.free.push(chunk);
  }
}
