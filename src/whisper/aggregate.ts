import { InvalidAggregationMethod } from './errors.js';

/**
 * How `sum()` adds floats. CPython <= 3.11 adds left to right; CPython >= 3.12
 * uses Neumaier compensated summation, which changes the last bit of some
 * sum/average/avg_zero results (spec vector v6). The installed reference
 * (Debian bookworm, CPython 3.11) is sequential, so that is the default.
 */
export type SummationMode = 'sequential' | 'neumaier';

let summationMode: SummationMode = 'sequential';

export function setSummationMode(mode: SummationMode): void {
  summationMode = mode;
}

export function getSummationMode(): SummationMode {
  return summationMode;
}

/** Python `sum(values)` of floats (None entries of avg_zero already mapped to 0). */
export function pySum(values: ArrayLike<number>, from = 0, to = values.length): number {
  let total = 0;
  if (summationMode === 'sequential') {
    for (let i = from; i < to; i++) total += values[i];
    return total;
  }
  let compensation = 0;
  for (let i = from; i < to; i++) {
    const x = values[i];
    const t = total + x;
    if (Math.abs(total) >= Math.abs(x)) compensation += total - t + x;
    else compensation += x - t + total;
    total = t;
  }
  if (compensation !== 0 && Number.isFinite(compensation)) total += compensation;
  return total;
}

/**
 * Python `max(known)`: keeps the first of equal values; a NaN in first place
 * sticks, a later NaN never replaces (comparisons with NaN are false).
 */
function pyMax(known: ArrayLike<number>, n: number): number {
  let best = known[0];
  for (let i = 1; i < n; i++) if (known[i] > best) best = known[i];
  return best;
}

function pyMin(known: ArrayLike<number>, n: number): number {
  let best = known[0];
  for (let i = 1; i < n; i++) if (known[i] < best) best = known[i];
  return best;
}

/** Python `max(known, key=abs)`: first of equal magnitudes wins, sign kept. */
function pyAbsMax(known: ArrayLike<number>, n: number): number {
  let best = known[0];
  for (let i = 1; i < n; i++) if (Math.abs(known[i]) > Math.abs(best)) best = known[i];
  return best;
}

function pyAbsMin(known: ArrayLike<number>, n: number): number {
  let best = known[0];
  for (let i = 1; i < n; i++) if (Math.abs(known[i]) < Math.abs(best)) best = known[i];
  return best;
}

/**
 * Allocation-free form used on the write path: `known` holds the `knownCount`
 * known values in slot order; `neighbors`/`neighborKnown` hold all slots of
 * the window (only read by avg_zero, where unknown slots count as 0).
 */
export function aggregateWindow(
  method: string,
  known: ArrayLike<number>,
  knownCount: number,
  neighbors: ArrayLike<number>,
  neighborCount: number,
): number {
  switch (method) {
    case 'average':
      return pySum(known, 0, knownCount) / knownCount;
    case 'sum':
      return pySum(known, 0, knownCount);
    case 'last':
      return known[knownCount - 1];
    case 'max':
      return pyMax(known, knownCount);
    case 'min':
      return pyMin(known, knownCount);
    case 'avg_zero':
      // `[x or 0 for x in neighborValues]`: unknown slots were stored as 0 by the caller.
      if (neighborCount === 0) throw new InvalidAggregationMethod('Using avg_zero without neighborValues');
      return pySum(neighbors, 0, neighborCount) / neighborCount;
    case 'absmax':
      return pyAbsMax(known, knownCount);
    case 'absmin':
      return pyAbsMin(known, knownCount);
    default:
      throw new InvalidAggregationMethod(`Unrecognized aggregation method ${method}`);
  }
}

/**
 * Python `whisper.aggregate(aggregationMethod, knownValues, neighborValues=None)`.
 * `neighborValues` uses null for unknown slots.
 */
export function aggregate(
  aggregationMethod: string,
  knownValues: readonly number[],
  neighborValues?: ReadonlyArray<number | null> | null,
): number {
  const neighbors = (neighborValues ?? []).map((v) => (v === null || v === 0 ? 0 : v));
  if (knownValues.length === 0) {
    // Python fails on an empty window: sum([])/0, [][-1], max([]).
    if (aggregationMethod === 'sum') return 0;
    if (aggregationMethod === 'average') throw new Error('float division by zero');
    if (aggregationMethod === 'last') throw new Error('list index out of range');
    if (['max', 'min', 'absmax', 'absmin'].includes(aggregationMethod)) throw new Error(`${aggregationMethod.replace('abs', '')}() arg is an empty sequence`);
  }
  return aggregateWindow(aggregationMethod, knownValues, knownValues.length, neighbors, neighbors.length);
}
