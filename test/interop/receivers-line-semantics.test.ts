import { describe, expect, it } from 'vitest';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { DATAGRAM_OK, LINE_OK, LineStreamParser, parseDatagram } from '../../src/protocol/line-parser.js';
import { parsePyFloat } from '../../src/protocol/python-float.js';
import { carbonLogLine } from '../../src/protocol/python-text.js';
import { AcceptPath } from '../../src/receivers/accept-path.js';
import { runPython } from '../protocol/helpers/python-oracle.js';

interface Observed {
  points: [string, number | string, number | string][];
  logs: string[];
  dropped: boolean;
}

/**
 * Carbon's MetricLineReceiver and MetricDatagramReceiver driven with a stub transport: the points
 * reaching events.metricReceived, the listener log lines, and whether the connection was lost
 * (loseConnection or an escaping exception).
 */
const HARNESS = `
import json, math, sys, time
from carbon import events, log
from carbon.protocols import MetricLineReceiver, MetricDatagramReceiver
logs, points = [], []
log.listener = lambda msg: logs.append(msg)
time.time = lambda: 1500000000.25
show = lambda x: x if math.isfinite(x) else repr(x)
events.metricReceived.addHandler(lambda m, dp: points.append([m, show(dp[0]), show(dp[1])]))
class Transport:
    disconnecting = False
    def loseConnection(self): self.disconnecting = True
def tcp(chunks):
    del logs[:]; del points[:]
    r = MetricLineReceiver()
    r.transport = Transport()
    r.peerName = 'peer:1'
    dropped = False
    for c in chunks:
        if r.transport.disconnecting: break
        try:
            r.dataReceived(c)
        except Exception:
            dropped = True
            break
    return {"points": list(points), "logs": list(logs), "dropped": dropped or r.transport.disconnecting}
def udp(data):
    del logs[:]; del points[:]
    r = MetricDatagramReceiver()
    dropped = False
    try:
        r.datagramReceived(data[:8192], ('1.2.3.4', 5))
    except Exception:
        dropped = True
    return {"points": list(points), "logs": list(logs), "dropped": dropped}
`;

const show = (x: number): number | string => (Number.isFinite(x) ? x : x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan');

function collect(out: MetricBatch): Observed['points'] {
  const points: Observed['points'] = [];
  for (let i = 0; i < out.length; i++) points.push([out.names[i], show(out.timestamps[i]), show(out.values[i])]);
  return points;
}

function runTcp(chunks: Buffer[]): Observed {
  const accept = new AcceptPath({ now: () => 1500000000.25 });
  const logs: string[] = [];
  const parser = new LineStreamParser(accept, (line) => logs.push(`invalid line received from client peer:1, ignoring [${carbonLogLine(line)}]`));
  const out = new MetricBatch(4);
  let dropped = false;
  for (const c of chunks) {
    if (parser.feed(c, out) !== LINE_OK) {
      dropped = true;
      break;
    }
  }
  return { points: collect(out), logs, dropped };
}

function runUdp(data: Buffer): Observed {
  const accept = new AcceptPath({ now: () => 1500000000.25 });
  const logs: string[] = [];
  const out = new MetricBatch(4);
  const status = parseDatagram(data, accept, out, (line) => logs.push(`invalid line received from 1.2.3.4, ignoring [${carbonLogLine(line)}]`));
  return { points: collect(out), logs, dropped: status !== DATAGRAM_OK };
}

/** Python byte-string literals, each a stream of chunks (TCP) or a datagram (UDP, chunks joined). */
const STREAMS = String.raw`[
  [b'm 1.5 1700000000\n'], [b'm 2 1700000000\r\n'], [b'm\t3\t1700000000\n'], [b'   m   4   1700000000   \n'],
  [b'm 5 1700000000.75\n'], [b'm 6 -1\n'], [b'm 6 -1.5\n'], [b'm 6 -2\n'], [b'm 6 -0.5\n'], [b'm nan 1700000000\n'], [b'm inf 1700000000\n'],
  [b'm 1e3 17e8\n'], [b'm 1_000 1700000000\n'], [b'm 1 2 3\n'], [b'm 1\n'], [b'm abc 1700000000\n'], [b'm 1 1700000000\nm 1 nan\nm 2 1\n'],
  [b'm 1 1\nm 1 inf\nm 2 1\n'], [b'm 1 1\nm \xff 1\nm 2 1\n'], [b'm 1 +1700000000\n'], [b'\n'], [b'\r\n'], [b'm 1 1'],
  [b'm 1 ', b'1\nm 2', b' 2\n'], [b'caf\xc3\xa9.m \xd9\xa3 1\n'], [b'm 0x10 1\n'], [b'm 1,5 1\n'], [b'm Infinity 1\n'], [b'm -iNF 1\n'],
  [b'm .5 5.\n'], [b'm 1__0 1\n'], [b'm _1 1\n'], [b'm 1_ 1\n'], [b'm 1e 1\n'], [b'm 1e+ 1\n'], [b'm +-1 1\n'], [b'm 12345678901234567890 1\n'],
  [b'm 0.1234567890123456789 1\n'], [b'm 1e400 1\n'], [b'm 1e-400 1\n'], [b'm 4.9e-324 1\n'], [b'm 1.7976931348623157e308 1\n'],
  [b'm\x0b1\x0c1\n'], [b'm\x1c1\x1f1\n'], [b'm\xc2\xa01\xe2\x80\x831\n'], [b'm\xe2\x80\xa81 1\n'], [b'm 1 1\x85\n'],
  [b'm 1 1\n' + b'x' * 16384 + b'\nm 2 2\n'], [b'm 1 1\n' + b'x' * 16385 + b'\nm 2 2\n'], [b'm 1 1\n' + b'x' * 16385],
  [b'x' * 16384], [b'x' * 16000, b'x' * 385], [b'a' * 500 + b' 1\n'], [b'm 1 1\x00\n'], [b'm \'q" 1\n'], [b'\\m\t\x01 1\n'],
  [b'm 1 1\rm 2 2\n'], [b'm 1 1\x1em 2 2\n'], [b'm 1 1\nm 2 2\rm 3 3\x0bm 4 4\x0c'], [b'm 1 1\n\xffm 2 2\n'],
]`;

describe('plaintext parsing against carbon MetricLineReceiver / MetricDatagramReceiver', () => {
  const cases = runPython<{ chunks: string[]; tcp: Observed; udp: Observed }[]>(`
${HARNESS}
out = []
for chunks in ${STREAMS}:
    out.append({"chunks": [c.hex() for c in chunks], "tcp": tcp(chunks), "udp": udp(b''.join(chunks))})
print(json.dumps(out))
`);

  it('TCP: same points, same log lines, same connection drops', () => {
    expect(cases.length).toBeGreaterThan(50);
    for (const c of cases) {
      const label = c.chunks.join('|').slice(0, 120);
      expect(runTcp(c.chunks.map((h) => Buffer.from(h, 'hex'))), label).toEqual(c.tcp);
    }
  });

  it('UDP: same points, same log lines, same datagram drops', () => {
    for (const c of cases) {
      const label = c.chunks.join('|').slice(0, 120);
      expect(runUdp(Buffer.concat(c.chunks.map((h) => Buffer.from(h, 'hex')))), label).toEqual(c.udp);
    }
  });

  it('agrees with carbon on random streams cut into random chunks', () => {
    const fuzz = runPython<{ chunks: string[]; tcp: Observed; udp: Observed }[]>(`
${HARNESS}
import random
rnd = random.Random(11)
names = [b'm', b'a.b', b'caf\\xc3\\xa9', b'\\xff', b'x' * 40, b'']
nums = [b'1', b'-1', b'1.5', b'1e3', b'nan', b'inf', b'-INF', b'1_0', b'_1', b'.', b'17e8', b'\\xd9\\xa3', b'0x1', b'+', b'e', b'1700000000', b'-1.5']
ws = [b' ', b'  ', b'\\t', b'\\x0b', b'\\x1c', b'\\xc2\\x85', b'\\xe2\\x80\\xa8', b'']
ends = [b'\\n', b'\\n', b'\\n', b'\\r\\n', b'\\r', b'\\x0c', b'']
out = []
for _ in range(400):
    lines = []
    for _ in range(rnd.randint(1, 6)):
        fields = [rnd.choice(names)] + [rnd.choice(nums) for _ in range(rnd.choice([2, 2, 2, 2, 1, 3]))]
        lines.append(rnd.choice(ws[:3]) + rnd.choice(ws[:3]).join(fields) if rnd.random() < .8 else rnd.choice(ws).join(fields))
        lines.append(rnd.choice(ends))
    data = b''.join(lines)
    cuts = sorted(rnd.sample(range(1, len(data)), min(3, len(data) - 1))) if len(data) > 1 else []
    chunks = [data[i:j] for i, j in zip([0] + cuts, cuts + [len(data)])]
    out.append({"chunks": [c.hex() for c in chunks], "tcp": tcp(chunks), "udp": udp(data)})
print(json.dumps(out))
`);
    // The corpus must exercise every outcome: points, logged lines, dropped connections.
    expect(fuzz.reduce((n, c) => n + c.tcp.points.length, 0)).toBeGreaterThan(20);
    expect(fuzz.filter((c) => c.tcp.dropped).length).toBeGreaterThan(20);
    expect(fuzz.filter((c) => c.udp.logs.length > 0).length).toBeGreaterThan(20);
    for (const c of fuzz) {
      const chunks = c.chunks.map((h) => Buffer.from(h, 'hex'));
      expect(runTcp(chunks), `tcp ${c.chunks.join('|')}`).toEqual(c.tcp);
      expect(runUdp(Buffer.concat(chunks)), `udp ${c.chunks.join('|')}`).toEqual(c.udp);
    }
  });

  it('parses numbers exactly as Python float() on a random corpus', () => {
    const corpus = runPython<[string, string | null][]>(`
import json, random
rnd = random.Random(7)
alphabet = '0123456789._eE+-infatyINFATY \\t\\u0663\\u00a0x'
out = []
for _ in range(4000):
    s = ''.join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 8)))
    try: out.append([s, repr(float(s))])
    except ValueError: out.append([s, None])
for _ in range(2000):
    s = repr(rnd.uniform(-1e6, 1e6)) if rnd.random() < .5 else '%.*e' % (rnd.randint(0, 20), rnd.random() * 10 ** rnd.randint(-320, 308))
    out.append([s, repr(float(s))])
print(json.dumps(out))
`);
    const mismatches = corpus.filter(([s, want]) => {
      const got = parsePyFloat(s);
      if (want === null) return got !== undefined;
      return got === undefined || !Object.is(got, parsePyFloat(want));
    });
    expect(mismatches).toEqual([]);
  });
});
