// Byte layout of a Whisper 1.1 file (all integers unsigned 32-bit big-endian):
//   metadata  = aggregationType u32, maxRetention u32, xFilesFactor f32, archiveCount u32  (16 bytes)
//   archive   = offset u32, secondsPerPoint u32, points u32                                 (12 bytes each)
//   point     = timestamp u32, value f64                                                    (12 bytes)

export const METADATA_SIZE = 16;
export const ARCHIVE_INFO_SIZE = 12;
export const POINT_SIZE = 12;
export const UINT32_LIMIT = 4294967296;

/** Aggregation method names in code order 1..8 (Python `aggregationMethods`). */
export const AGGREGATION_METHODS = [
  'average',
  'sum',
  'last',
  'max',
  'min',
  'avg_zero',
  'absmax',
  'absmin',
] as const;

export type AggregationMethod = (typeof AGGREGATION_METHODS)[number];

/** Python `aggregationTypeToMethod`. */
export const AGGREGATION_TYPE_TO_METHOD: ReadonlyMap<number, AggregationMethod> = new Map(
  AGGREGATION_METHODS.map((name, i) => [i + 1, name] as const),
);

/** Python `aggregationMethodToType`. */
export const AGGREGATION_METHOD_TO_TYPE: ReadonlyMap<string, number> = new Map(
  AGGREGATION_METHODS.map((name, i) => [name, i + 1] as const),
);

export function isAggregationMethod(name: string): name is AggregationMethod {
  return AGGREGATION_METHOD_TO_TYPE.has(name);
}

/** One archive as Python's `info()` reports it (key order as Python's dict). */
export interface ArchiveInfo {
  offset: number;
  secondsPerPoint: number;
  points: number;
  retention: number;
  size: number;
}

/** Python's `info()` dict. `xFilesFactor` is the stored float32 widened to double. */
export interface WhisperInfo {
  aggregationMethod: AggregationMethod;
  maxRetention: number;
  xFilesFactor: number;
  archives: ArchiveInfo[];
}

/** `(secondsPerPoint, points)` as produced by parseRetentionDef and taken by create. */
export type ArchiveSpec = [secondsPerPoint: number, points: number];

export function headerSize(archiveCount: number): number {
  return METADATA_SIZE + ARCHIVE_INFO_SIZE * archiveCount;
}
