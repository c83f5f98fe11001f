/**
 * A run of points in parallel arrays, read from index `start` (inclusive) to `end` (exclusive).
 * MetricBatch satisfies it, and so do the relay's queue chunks: encoders never need a point object.
 */
export interface PointRun {
  readonly names: readonly string[];
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}
