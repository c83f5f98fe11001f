/**
 * carbon's TagQueue (writer.py): series waiting to be registered with graphite-web's TagDB. Series
 * the writer created come first, then series it wrote (every TAG_UPDATE_INTERVAL-th write, picked by
 * the writer). Each of the two queues holds at most TAG_QUEUE_SIZE series; beyond that a series is
 * not queued (carbon's put_nowait on a full queue), and counted here.
 */
export class TagQueue {
  private adds: string[] = [];
  private updates: string[] = [];
  /** Series not queued because their queue was full. */
  dropped = 0;

  /** `maxSize` <= 0: unbounded (Python's Queue(0)). */
  constructor(private readonly maxSize: number) {}

  get size(): number {
    return this.adds.length + this.updates.length;
  }

  /** A series that was just created. */
  add(metric: string): void {
    this.put(this.adds, metric);
  }

  /** A series that was written (already picked by TAG_UPDATE_INTERVAL). */
  update(metric: string): void {
    this.put(this.updates, metric);
  }

  /** Up to `max` series, created ones first (carbon's getbatch). */
  takeBatch(max: number): string[] {
    const batch = this.adds.splice(0, max);
    if (batch.length < max && this.updates.length > 0) batch.push(...this.updates.splice(0, max - batch.length));
    return batch;
  }

  private put(queue: string[], metric: string): void {
    if (this.maxSize > 0 && queue.length >= this.maxSize) this.dropped++;
    else queue.push(metric);
  }
}
