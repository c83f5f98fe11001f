// The Whisper operations the tools need, in the shape the Python tools call them. This is the one
// place that knows the library's signatures (src/whisper, written alongside the tools).
export type { ArchiveInfo, ArchiveSpec, WhisperInfo } from '../../whisper/format.js';
export { parseRetentionDef } from '../../whisper/retention.js';
export { AGGREGATION_METHODS } from '../../whisper/format.js';

import type { ArchiveSpec, WhisperInfo } from '../../whisper/format.js';

/** Python fetch()'s ((fromInterval, untilInterval, step), values). */
export interface FetchResult {
  start: number;
  end: number;
  step: number;
  values: (number | null)[];
}

/** One archive of Python diff()'s result: (archive number, [(timestamp, value_a, value_b)], total compared). */
export type ArchiveDiff = [archive: number, points: [number, number | null, number | null][], total: number];

export interface CreateOptions {
  xFilesFactor: number;
  aggregationMethod: string;
  sparse: boolean;
  fallocate: boolean;
}

function pending(name: string): never {
  throw new Error(`whisper.${name} is not available yet in src/whisper`);
}

export function create(_path: string, _archives: ArchiveSpec[], _options: CreateOptions): void {
  pending('create');
}

/** Python info(): null when the file cannot be opened. */
export function info(_path: string): WhisperInfo | null {
  return pending('info');
}

export function update(_path: string, _value: number, _timestamp: number, _now: number): void {
  pending('update');
}

export function updateMany(_path: string, _points: [number, number][], _now: number): void {
  pending('update_many');
}

/** Python fetch(path, from, until, now): null when the range is entirely outside the file. */
export function fetch(_path: string, _from: number, _until: number, _now: number): FetchResult | null {
  return pending('fetch');
}

/** Returns the old method. `xFilesFactor` undefined keeps the file's. */
export function setAggregationMethod(_path: string, _method: string, _xFilesFactor: number | undefined): string {
  return pending('setAggregationMethod');
}

/** Returns the old xFilesFactor (float32 widened). */
export function setXFilesFactor(_path: string, _xFilesFactor: number): number {
  return pending('setXFilesFactor');
}

export function merge(_from: string, _to: string, _timeFrom: number | null, _timeTo: number | null, _now: number): void {
  pending('merge');
}

export function diff(_a: string, _b: string, _ignoreEmpty: boolean, _until: number | null, _now: number): ArchiveDiff[] {
  return pending('diff');
}
