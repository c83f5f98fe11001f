import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AGGREGATION_METHOD_NAMES, AGGREGATION_METHODS } from '../../src/pipeline/aggregate/methods.js';

/** Every aggregation method against carbon.aggregator.rules.AGGREGATION_METHODS on random value lists. */
function pythonResults(lists: number[][]): Record<string, number[]> {
  const script = `
import json, sys
from carbon.aggregator.rules import AGGREGATION_METHODS
lists = json.load(sys.stdin)
json.dump({m: [float(f([float(v) for v in l])) for l in lists] for m, f in AGGREGATION_METHODS.items()}, sys.stdout)
`;
  const res = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(lists), encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout) as Record<string, number[]>;
}

describe('aggregation methods vs carbon', () => {
  it('agree exactly on random lists (ints, fractions, negatives, duplicates, large magnitudes)', () => {
    let s = 12345;
    const rand = () => (s = (s * 48271) % 2147483647) / 2147483647;
    const lists: number[][] = [];
    for (let i = 0; i < 300; i++) {
      const n = 1 + Math.floor(rand() * (i < 100 ? 5 : 60));
      const kind = i % 4;
      lists.push(
        Array.from({ length: n }, () => {
          if (kind === 0) return Math.floor(rand() * 10);
          if (kind === 1) return (rand() - 0.5) * 1e3;
          if (kind === 2) return Math.round(rand() * 1e6) / 1e3;
          return (rand() - 0.5) * 1e17;
        }),
      );
    }
    const py = pythonResults(lists);
    expect(Object.keys(py).sort()).toEqual([...AGGREGATION_METHOD_NAMES].sort());
    for (const m of AGGREGATION_METHOD_NAMES) {
      const ours = lists.map((l) => AGGREGATION_METHODS[m](Float64Array.from(l), l.length));
      expect(ours, m).toEqual(py[m]);
    }
  });
});
