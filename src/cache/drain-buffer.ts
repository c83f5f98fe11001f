/**
 * Points of several metrics in columnar form: metric i owns points [offsets[i], offsets[i] + counts[i]).
 * It is what the cache drains into and what travels to the writer worker (its typed arrays are
 * transferred, not copied), so a drain of thousands of metrics allocates a handful of objects.
 */
export class DrainBuffer {
  names: string[] = [];
  counts: Int32Array;
  timestamps: Float64Array;
  values: Float64Array;
  /** Number of metrics held. */
  metrics = 0;
  /** Number of points held (sum of counts). */
  points = 0;

  constructor(metricCapacity = 256, pointCapacity = 4096) {
    this.counts = new Int32Array(metricCapacity);
    this.timestamps = new Float64Array(pointCapacity);
    this.values = new Float64Array(pointCapacity);
  }

  /** Makes room for one more metric with `count` points and returns the offset of its points. */
  reserve(name: string, count: number): number {
    if (this.metrics === this.counts.length) {
      const c = new Int32Array(this.counts.length * 2);
      c.set(this.counts);
      this.counts = c;
    }
    const need = this.points + count;
    if (need > this.timestamps.length) {
      let cap = this.timestamps.length * 2;
      while (cap < need) cap *= 2;
      const t = new Float64Array(cap);
      t.set(this.timestamps.subarray(0, this.points));
      const v = new Float64Array(cap);
      v.set(this.values.subarray(0, this.points));
      this.timestamps = t;
      this.values = v;
    }
    const offset = this.points;
    this.names[this.metrics] = name;
    this.counts[this.metrics] = count;
    this.metrics++;
    this.points = need;
    return offset;
  }

  /** Appends one metric's points (copied). */
  append(name: string, timestamps: ArrayLike<number>, values: ArrayLike<number>, count = timestamps.length): void {
    const o = this.reserve(name, count);
    for (let i = 0; i < count; i++) {
      this.timestamps[o + i] = timestamps[i];
      this.values[o + i] = values[i];
    }
  }

  /** Calls `fn` for each metric in order with its name and its points (views into this buffer). */
  forEachMetric(fn: (name: string, timestamps: Float64Array, values: Float64Array, count: number) => void): void {
    let offset = 0;
    for (let m = 0; m < this.metrics; m++) {
      const n = this.counts[m];
      fn(this.names[m], this.timestamps.subarray(offset, offset + n), this.values.subarray(offset, offset + n), n);
      offset += n;
    }
  }

  /** Removes the last metric appended (its points are discarded). */
  dropLast(): void {
    if (this.metrics === 0) return;
    this.metrics--;
    this.points -= this.counts[this.metrics];
    this.names.length = this.metrics;
  }

  clear(): void {
    this.names.length = 0;
    this.metrics = 0;
    this.points = 0;
  }

  /** The plain-data form posted to the worker; pass `transferList()` as the transfer list. */
  toMessage(): DrainMessage {
    return {
      names: this.names.slice(0, this.metrics),
      counts: this.counts,
      timestamps: this.timestamps,
      values: this.values,
      metrics: this.metrics,
      points: this.points,
    };
  }

  static fromMessage(m: DrainMessage): DrainBuffer {
    const b = new DrainBuffer(1, 1);
    b.names = m.names;
    b.counts = m.counts;
    b.timestamps = m.timestamps;
    b.values = m.values;
    b.metrics = m.metrics;
    b.points = m.points;
    return b;
  }
}

/** A DrainBuffer as structured-clone data. */
export interface DrainMessage {
  names: string[];
  counts: Int32Array;
  timestamps: Float64Array;
  values: Float64Array;
  metrics: number;
  points: number;
}

export function drainTransferList(m: DrainMessage): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of [m.counts, m.timestamps, m.values]) {
    const buf = a.buffer as ArrayBuffer;
    if (!out.includes(buf)) out.push(buf);
  }
  return out;
}
