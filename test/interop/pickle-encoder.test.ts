import { describe, expect, it } from 'vitest';
import { encodePickle, type PicklableValue } from '../../src/protocol/pickle-encoder.js';
import { PyTuple } from '../../src/protocol/pickle-values.js';
import { parsePyFloat } from '../../src/protocol/python-float.js';
import { PY_PICKLE_HELPERS, runPython, type Tagged } from '../protocol/helpers/python-oracle.js';

/** Builds the value a tagged JSON describes, ints as bigint so the encoder writes Python ints. */
function build(t: Tagged): PicklableValue {
  if (t === null || typeof t === 'boolean') return t;
  if (Array.isArray(t)) return t.map(build);
  if ('int' in t) return BigInt(t.int);
  if ('float' in t) return parsePyFloat(t.float)!;
  if ('str' in t) return t.str;
  if ('bytes' in t) return Buffer.from(t.bytes, 'hex');
  if ('tuple' in t) return new PyTuple(t.tuple.map(build) as never);
  if ('dict' in t) return new Map(t.dict.map(([k, v]) => [build(k), build(v)]));
  throw new Error('unexpected');
}

describe('pickle encoder against pickle.dumps(protocol=2)', () => {
  it('writes the same bytes as Python for every value of the corpus', () => {
    // Python builds each value from the same JSON, so no string object is shared (Python would
    // write BINGET for a str object it meets twice; equal JavaScript strings are not "the same").
    const cases = runPython<{ tagged: Tagged; hex: string }[]>(`
${PY_PICKLE_HELPERS}
def dec(t):
    if t is None or isinstance(t, bool): return t
    if isinstance(t, list): return [dec(x) for x in t]
    if 'int' in t: return int(t['int'])
    if 'float' in t: return float(t['float'])
    if 'str' in t: return t['str']
    if 'bytes' in t: return bytes.fromhex(t['bytes'])
    if 'tuple' in t: return tuple(dec(x) for x in t['tuple'])
    if 'dict' in t: return {dec(k): dec(v) for k, v in t['dict']}
values = [None, True, False, 0, 255, 256, 65535, 65536, -1, -2**31, 2**31-1, 2**31, -2**31-1, 2**63, -2**64, 2**2100, -(2**2100),
  1.5, -0.0, float('inf'), float('-inf'), 1e-310, 'abc', 'caf\\u00e9\\U0001f600', 'x'*70000, b'\\x00\\xffzz', b'',
  [], ['ab'], ['ab', 'cd'], list(range(2500)), (), ('ab',), ('ab', 'cd'), ('ab', 'cd', 'ef'), ('ab', 'cd', 'ef', 'gh'),
  {}, {'key': 'value'}, {'k1': [1, 2], 'k2': (1.5, 2.5)}, {'n%d' % i: i for i in range(1200)},
  {'datapoints': [(1700000000.0, 1.5), (1700000060, 2.0)]},
  {'datapointsByMetric': {'a.b': [(1700000000.0, 1.0)], 'c.d': []}},
  [('name%d' % i, (1700000000.0 + i, float(i))) for i in range(600)]]
out = []
for v in values:
    t = enc(v)
    out.append({"tagged": t, "hex": pickle.dumps(dec(t), protocol=2).hex()})
print(json.dumps(out))
`);
    expect(cases.length).toBeGreaterThan(40);
    for (const c of cases) {
      expect(encodePickle(build(c.tagged)).toString('hex'), JSON.stringify(c.tagged).slice(0, 80)).toBe(c.hex);
    }
  });
});
