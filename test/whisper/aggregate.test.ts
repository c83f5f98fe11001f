import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { aggregate, cpythonSetOrder, pyFloatRepr, setSummationMode } from '../../src/whisper/index.js';

// Expected values below were printed by python3-whisper's aggregate() (CPython 3.11).
describe('aggregate (Python semantics)', () => {
  afterEach(() => setSummationMode('sequential'));

  it('keeps a NaN in first position and ignores later ones for max/min (Python comparisons)', () => {
    expect(aggregate('max', [Number.NaN, 1, 2])).toBeNaN();
    expect(aggregate('max', [1, Number.NaN, 2])).toBe(2);
    expect(aggregate('min', [Number.NaN, 1])).toBeNaN();
    expect(aggregate('min', [1, Number.NaN])).toBe(1);
    expect(aggregate('average', [1, Number.NaN, 2])).toBeNaN();
  });

  it('absmax/absmin keep the first of equal magnitudes and the sign', () => {
    expect(aggregate('absmax', [-3, 3])).toBe(-3);
    expect(aggregate('absmin', [2, -2])).toBe(2);
    expect(aggregate('absmax', [1, -6, 3])).toBe(-6);
  });

  it('avg_zero counts unknown slots as zero and needs neighbour values', () => {
    expect(aggregate('avg_zero', [1], [null, 1, 0, null])).toBe(0.25);
    expect(() => aggregate('avg_zero', [1])).toThrow('Using avg_zero without neighborValues');
    expect(() => aggregate('median', [1])).toThrow('Unrecognized aggregation method median');
  });

  it('last is the latest slot, sum adds left to right, and Neumaier summation is selectable', () => {
    expect(aggregate('last', [5, 1, 7])).toBe(7);
    const tenths = new Array(10).fill(0.1);
    expect(aggregate('sum', tenths)).toBe(0.9999999999999999);
    setSummationMode('neumaier');
    expect(aggregate('sum', tenths)).toBe(1);
  });
});

describe('cpythonSetOrder', () => {
  const cases = JSON.parse(
    fs.readFileSync(fileURLToPath(new URL('./set-order-cases.json', import.meta.url)), 'utf8'),
  ) as [number[], number[]][];
  cases.forEach(([input, pythonOrder], i) => {
    it(`matches list(set(values)) printed by CPython, case ${i} (${input.length} values)`, () => {
      expect(cpythonSetOrder(input)).toEqual(pythonOrder);
    });
  });
  it('matches CPython on inputs with runs and repeats (live /usr/bin/python3)', () => {
    let seed = 4242;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const inputs: number[][] = [];
    for (let k = 0; k < 300; k++) {
      const out: number[] = [];
      const base = 1_700_000_000 - (1_700_000_000 % 600);
      const distinct = 1 + rnd(40);
      for (let d = 0; d < distinct; d++) {
        const v = base + (rnd(3) === 0 ? rnd(200) : d) * 600;
        for (let r = 1 + rnd(12); r > 0; r--) out.push(v);
      }
      inputs.push(out);
    }
    const py = execFileSync('/usr/bin/python3', ['-c', 'import json,sys\nprint(json.dumps([list(set(x)) for x in json.load(sys.stdin)]))'], { input: JSON.stringify(inputs), encoding: 'utf8' });
    expect(inputs.map((x) => cpythonSetOrder(x))).toEqual(JSON.parse(py));
  });
  it('spec vector v3: [T0-300, T0] iterates as [T0, T0-300]', () => {
    const T0 = 1699999800;
    expect(cpythonSetOrder([T0 - 300, T0 - 300, T0])).toEqual([T0, T0 - 300]);
  });
});

describe('pyFloatRepr', () => {
  const cases: [number, string][] = [
    [1, '1.0'],
    [0.1, '0.1'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [123456789012345.6, '123456789012345.6'],
    [-0, '-0.0'],
    [Number.NaN, 'nan'],
    [-Infinity, '-inf'],
    [0.10000000149011612, '0.10000000149011612'],
  ];
  for (const [x, s] of cases) it(`${s}`, () => expect(pyFloatRepr(x)).toBe(s));
});
