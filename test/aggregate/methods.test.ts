import { describe, expect, it } from 'vitest';
import { AGGREGATION_METHOD_NAMES, AGGREGATION_METHODS } from '../../src/pipeline/aggregate/methods.js';

const run = (m: keyof typeof AGGREGATION_METHODS, xs: number[]) => AGGREGATION_METHODS[m](Float64Array.from(xs), xs.length);

describe('aggregation methods', () => {
  it('lists exactly carbon methods', () => {
    expect([...AGGREGATION_METHOD_NAMES].sort()).toEqual(
      ['avg', 'count', 'max', 'min', 'p50', 'p75', 'p80', 'p90', 'p95', 'p99', 'p999', 'sum'].sort(),
    );
  });
  it('computes percentiles by carbon interpolation (spec values for 1..10)', () => {
    const xs = [7, 3, 10, 1, 2, 9, 4, 8, 5, 6];
    expect(run('p50', xs)).toBe(5.5);
    expect(run('p75', xs)).toBe(7.75);
    expect(run('p90', xs)).toBeCloseTo(9.1, 12);
    expect(run('p95', xs)).toBeCloseTo(9.55, 12);
    expect(run('p99', xs)).toBeCloseTo(9.91, 12);
    expect(run('p999', xs)).toBeCloseTo(9.991, 12);
    expect(run('p50', [4])).toBe(4);
  });
  it('sums left to right, averages, counts, min/max', () => {
    expect(run('sum', [0.1, 0.2, 0.3])).toBe(0.1 + 0.2 + 0.3);
    expect(run('avg', [1, 2])).toBe(1.5);
    expect(run('count', [5, 5, 5])).toBe(3);
    expect(run('min', [3, -1, 2])).toBe(-1);
    expect(run('max', [3, -1, 2])).toBe(3);
  });
  it('does not disturb the stored values when sorting for a percentile', () => {
    const xs = Float64Array.from([3, 1, 2]);
    AGGREGATION_METHODS.p50(xs, 3);
    expect([...xs]).toEqual([3, 1, 2]);
  });
});
