import { describe, expect, it } from 'vitest';
import { compareReceiver, runPicklePayload, type ReceiverObservation } from '../protocol/helpers/pickle-compare.js';
import { PY_PICKLE_HELPERS, runPython } from '../protocol/helpers/python-oracle.js';

type Observed = ReceiverObservation;

/** carbon's own MetricPickleReceiver.stringReceived on each frame (see scripts/gen-pickle-fixtures.py run_receiver). */
const CARBON_HARNESS = `${PY_PICKLE_HELPERS}
run = run_receiver
`;

const PAYLOADS = `[
  [('m.a', (1700000000, 2)), ('m.b', [1700000000.5, '3.25'])],
  [['m.a', ['1_700_000_000', ' 6.5 ']]],
  [('m.a', ('\\u0663\\u0660', 'inf')), ('m.b', ('1e3', '-INFINITY'))],
  [('m.a', (None, 1)), ('m.b', ('abc', 1)), ('m.c', ([1], 2)), ('m.d', (1, {})), ('m.e', (1, 5))],
  [('m.a', (1, float('nan'))), ('m.b', (2, 3))],
  [('m.a', (1, 2)), ('m.b', (float('nan'), 1)), ('m.c', (3, 4))],
  [('m.a', (1, 2)), ('m.b', (float('inf'), 1)), ('m.c', (3, 4))],
  [('m.nan', (float('nan'), float('nan')))],
  [('m.a', 1), ('m.b',), ('m.c', (1, 2, 3)), ('m.d', (1,)), 'xy', 7, None, ('m.e', (5, 6))],
  [('m.a', '12'), ('m.b', 'x'), ('m.c', {'k1': 1, 'k2': 2})],
  [('m.a', (True, False))],
  [('m.a', (2**2000, 1)), ('m.b', (1, 2))],
  [('m.a', (1, 2**2000))],
  [('m.a', (1, 2)), (5, (1, 2)), ('m.c', (1, 2))],
  [(('a', 'b'), (1, 2))],
  5, None, 2.5, 'abc', {'m.a': (1, 2)}, (('m.a', (1, 2)),), [],
  [('name with spaces', (1, 2)), ('../..//x', (3, 4)), ('', (5, 6))],
  [('m.a', (1.9, 2)), ('m.b', (-0.5, 3)), ('m.c', (-2, 4))],
  {('m.set', (1, 2))}, frozenset({('m.fset', (1, 2))}), [('m.a', (1, {1})), ('m.b', (1, 2))], [('m.a', (frozenset(), 1))],
  [('m.ba', (1, bytearray(b'2.5'))), ('m.bb', (bytearray(b'7'), 1))], [(bytearray(b'm.x'), (1, 2)), ('m.y', (1, 2))],
]`;

describe("pickle payload extraction against carbon's MetricPickleReceiver", () => {
  it('accepts, skips, logs and drops exactly where carbon does, for protocols 0-5', () => {
    const cases = runPython<{ proto: number; hex: string; expected: Observed }[]>(`
${CARBON_HARNESS}
out = []
for proto in range(6):
    for p in ${PAYLOADS}:
        data = pickle.dumps(p, protocol=proto)
        out.append({"proto": proto, "hex": data.hex(), "expected": run(data)})
print(json.dumps(out))
`);
    expect(cases.length).toBeGreaterThan(100);
    for (const c of cases) {
      const ours = runPicklePayload(Buffer.from(c.hex, 'hex'));
      expect(compareReceiver(ours, c.expected), `proto ${c.proto} ${c.hex.slice(0, 80)}`).toBeUndefined();
    }
  });

  it('refuses bytes names pickled with protocol <= 2 (carbon refuses _codecs.encode) and drops the connection on protocol >= 3', () => {
    const cases = runPython<{ proto: number; hex: string; expected: Observed }[]>(`
${CARBON_HARNESS}
print(json.dumps([{"proto": p, "hex": pickle.dumps([(b'm.a', (1, 2))], protocol=p).hex(), "expected": run(pickle.dumps([(b'm.a', (1, 2))], protocol=p))} for p in range(6)]))
`);
    for (const c of cases) {
      const ours = runPicklePayload(Buffer.from(c.hex, 'hex'));
      expect(ours.dropped, `proto ${c.proto}`).toBe(c.expected.dropped);
      expect(ours.points).toEqual([]);
      expect(ours.logs.length).toBe(c.expected.logs.length);
    }
  });
});
