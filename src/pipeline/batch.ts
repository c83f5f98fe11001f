/**
 * A batch of datapoints in parallel arrays: the unit every pipeline stage works on.
 *
 * Ownership rule: a stage may read a batch only during the call that hands it over. The producer
 * (a receiver, usually) clears and refills the same batch for its next read, so a stage that keeps
 * points must copy them out (the cache copies into its own typed arrays, a destination queue
 * encodes them to bytes).
 */
export class MetricBatch {
  names: string[] = [];
  values: Float64Array;
  timestamps: Float64Array;
  /**
   * Per point, a receiver's cache slot for the name's bytes (see protocol/name-interner.ts), or -1.
   * Only a hint for caches keyed by it: a consumer must still check the name itself, since a stage
   * may have replaced names[i] without touching nameIds[i].
   */
  nameIds: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.values = new Float64Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.nameIds = new Int32Array(capacity);
  }

  push(name: string, value: number, timestamp: number): void {
    this.pushNamed(name, -1, value, timestamp);
  }

  /** push() with the name's interner slot (`nameIds`). */
  pushNamed(name: string, nameId: number, value: number, timestamp: number): void {
    const i = this.length;
    if (i === this.values.length) this.grow();
    this.names[i] = name;
    this.nameIds[i] = nameId;
    this.values[i] = value;
    this.timestamps[i] = timestamp;
    this.length = i + 1;
  }

  /** Empties the batch but keeps its arrays, so a receiver can refill it without allocating. */
  clear(): void {
    this.length = 0;
  }

  private grow(): void {
    const cap = this.values.length * 2;
    const values = new Float64Array(cap);
    values.set(this.values);
    const timestamps = new Float64Array(cap);
    timestamps.set(this.timestamps);
    this.values = values;
    this.timestamps = timestamps;
    const ids = new Int32Array(cap);
    ids.set(this.nameIds);
    this.nameIds = ids;
  }
}

/** Where a stage hands its output. Called synchronously; see MetricBatch for the ownership rule. */
export type BatchSink = (batch: MetricBatch) => void;
