/**
 * carbon's aggregation methods (carbon/aggregator/rules.py AGGREGATION_METHODS), with Python's
 * arithmetic: plain left-to-right float sum (CPython 3.11 `sum`), `min`/`max` that keep the first
 * element unless a later one compares strictly smaller/larger, and carbon's interpolating percentile.
 * Each takes the first `count` values of `values` (count ≥ 1: an interval always holds a value).
 */
export type AggregationFunction = (values: Float64Array, count: number) => number;

export const AGGREGATION_METHOD_NAMES = [
  'sum',
  'avg',
  'min',
  'max',
  'p50',
  'p75',
  'p80',
  'p90',
  'p95',
  'p99',
  'p999',
  'count',
] as const;
export type AggregationMethodName = (typeof AGGREGATION_METHOD_NAMES)[number];

function sum(values: Float64Array, count: number): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += values[i];
  return total;
}

function avg(values: Float64Array, count: number): number {
  return sum(values, count) / count;
}

function min(values: Float64Array, count: number): number {
  let best = values[0];
  for (let i = 1; i < count; i++) if (values[i] < best) best = values[i];
  return best;
}

function max(values: Float64Array, count: number): number {
  let best = values[0];
  for (let i = 1; i < count; i++) if (values[i] > best) best = values[i];
  return best;
}

function count(_values: Float64Array, n: number): number {
  return n;
}

/** rank = factor·(n−1); linear interpolation between the sorted values at floor(rank) and ceil(rank). */
function percentile(factor: number): AggregationFunction {
  return (values, n) => {
    const sorted = values.slice(0, n).sort();
    const rank = factor * (n - 1);
    const left = Math.floor(rank);
    const right = Math.ceil(rank);
    if (left === right) return sorted[left];
    return sorted[left] * (right - rank) + sorted[right] * (rank - left);
  };
}

export const AGGREGATION_METHODS: Readonly<Record<AggregationMethodName, AggregationFunction>> = {
  sum,
  avg,
  min,
  max,
  p50: percentile(0.5),
  p75: percentile(0.75),
  p80: percentile(0.8),
  p90: percentile(0.9),
  p95: percentile(0.95),
  p99: percentile(0.99),
  p999: percentile(0.999),
  count,
};

export function isAggregationMethod(name: string): name is AggregationMethodName {
  return Object.prototype.hasOwnProperty.call(AGGREGATION_METHODS, name);
}

/**
 * Methods computable from running state, so their intervals need not keep every value: the running
 * sum adds in arrival order from 0 exactly as Python's sum() does, and running min/max keep the first
 * value unless a later one compares strictly smaller/larger, as Python's min()/max() do. Results are
 * therefore identical to the value-list forms above, including after late points re-emit an interval.
 */
export interface RunningState {
  sum: number;
  min: number;
  max: number;
  count: number;
}

export function needsAllValues(method: AggregationMethodName): boolean {
  return method[0] === 'p';
}

export function fromRunningState(method: AggregationMethodName, s: RunningState): number {
  switch (method) {
    case 'sum':
      return s.sum;
    case 'avg':
      return s.sum / s.count;
    case 'min':
      return s.min;
    case 'max':
      return s.max;
    case 'count':
      return s.count;
    default:
      throw new Error(`aggregation method ${method} needs every value`);
  }
}
