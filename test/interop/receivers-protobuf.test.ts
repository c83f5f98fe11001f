import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { ProtobufDecodeError } from '../../src/protocol/errors.js';
import { decodeProtobufPayload, encodeProtobufPayload } from '../../src/protocol/protobuf.js';
import { AcceptPath } from '../../src/receivers/accept-path.js';
import { PY_PICKLE_HELPERS, PYTHON, runPython } from '../protocol/helpers/python-oracle.js';

/** carbon's protobuf receiver needs python3-protobuf; without it carbon has no protobuf listener to compare with. */
const hasProtobuf = spawnSync(PYTHON, ['-c', 'import google.protobuf, carbon.protobuf']).status === 0;

interface Observed {
  points: [string, number | string, number | string][];
  invalid: boolean;
  dropped: boolean;
}

const HARNESS = `${PY_PICKLE_HELPERS}
import math, random
from carbon.protobuf import MetricProtobufReceiver
from carbon.carbon_pb2 import Payload
def run(data):
    r = run_receiver(data, MetricProtobufReceiver)
    return {"points": r["points"], "invalid": any('invalid protobuf' in l for l in r["logs"]), "dropped": r["dropped"]}
def payload(metrics):
    p = Payload()
    for name, pts in metrics:
        m = p.metrics.add()
        m.metric = name
        for ts, v in pts:
            pt = m.points.add()
            pt.timestamp = ts
            pt.value = v
    return p.SerializeToString()
`;

function ours(data: Buffer): Observed {
  const out = new MetricBatch(4);
  let invalid = false;
  try {
    decodeProtobufPayload(data, new AcceptPath(), out);
  } catch (err) {
    if (!(err instanceof ProtobufDecodeError)) throw err;
    invalid = true;
  }
  const show = (x: number): number | string => (Number.isFinite(x) ? x : x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan');
  return { points: Array.from({ length: out.length }, (_, i) => [out.names[i], out.timestamps[i], show(out.values[i])]), invalid, dropped: false };
}

describe.skipIf(!hasProtobuf)("protobuf against carbon's MetricProtobufReceiver (python3-protobuf)", () => {
  it('decodes payloads, truncations and corruptions as carbon does', () => {
    const cases = runPython<{ hex: string; expected: Observed }[]>(`
${HARNESS}
rnd = random.Random(5)
seeds = [
    payload([('a.b', [(1700000000, 1.5), (1700000060, -2.0)]), ('c\\u00e9', [(0, 0.0), (4294967295, float('inf'))])]),
    payload([('nan', [(1, float('nan'))]), ('', [(2, 3.0)])]),
    payload([('x' * 300, [(i, i / 7) for i in range(50)])]),
    b'',
]
out = []
for s in seeds:
    out.append(s)
    for n in range(len(s)):
        out.append(s[:n])
    for _ in range(200):
        b = bytearray(s or b'\\x00')
        for _ in range(rnd.randint(1, 3)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        out.append(bytes(b))
print(json.dumps([{"hex": d.hex(), "expected": run(d)} for d in out]))
`);
    expect(cases.length).toBeGreaterThan(600);
    expect(cases.filter((c) => c.expected.invalid).length).toBeGreaterThan(50);
    const failures = cases.filter((c) => JSON.stringify(ours(Buffer.from(c.hex, 'hex'))) !== JSON.stringify(c.expected));
    expect(failures.slice(0, 5).map((c) => `${c.hex}: carbon ${JSON.stringify(c.expected)} ours ${JSON.stringify(ours(Buffer.from(c.hex, 'hex')))}`)).toEqual([]);
  });

  it("encodes the bytes carbon's protobuf client serializes", () => {
    const expected = runPython<string>(`
${HARNESS}
print(json.dumps(payload([('a.b', [(1700000000, 1.5), (1700000060, 0.0)]), ('c', [(5, -2.0)])]).hex()))
`);
    expect(encodeProtobufPayload(['a.b', 'c', 'a.b'], [1700000000.7, 5, 1700000060], [1.5, -2, 0]).toString('hex')).toBe(expected);
  });
});
