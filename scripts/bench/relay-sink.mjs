// Counting TCP sinks for bench:relay, run as a child process (fork) so their CPU is not the relay's.
// argv: <protocol line|pickle> <count of sinks>. Sends {ports} once listening; answers 'count' with
// {counts: [...]} (points whose name starts with "bench." per sink; other points, e.g. a relay's
// self-metrics, are ignored).
import { createServer } from 'node:net';

const protocol = process.argv[2];
const n = Number(process.argv[3] ?? 3);
const counts = new Array(n).fill(0);
const PREFIX = Buffer.from('bench.');

function lineCounter(i) {
  let carry = null;
  return (d) => {
    const buf = carry ? Buffer.concat([carry, d]) : d;
    let start = 0;
    let c = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      if (buf[start] === 0x62 && buf.compare(PREFIX, 0, 6, start, start + 6) === 0) c++;
      start = nl + 1;
    }
    counts[i] += c;
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
  };
}

/** Walks carbon's pickle frames (opcode subset of `[(name, (ts, value))]`) counting bench names. */
function countPickle(p) {
  let o = 2;
  let c = 0;
  while (o < p.length) {
    const op = p[o++];
    if (op === 0x58) {
      const len = p.readUInt32LE(o);
      if (p[o + 4] === 0x62 && p.compare(PREFIX, 0, 6, o + 4, o + 10) === 0) c++;
      o += 4 + len;
    } else if (op === 0x47) o += 8;
    else if (op === 0x71) o += 1;
    else if (op === 0x72) o += 4;
    else if (op === 0x2e) break;
  }
  return c;
}

function pickleCounter(i) {
  let carry = null;
  return (d) => {
    const buf = carry ? Buffer.concat([carry, d]) : d;
    let o = 0;
    while (o + 4 <= buf.length) {
      const len = buf.readUInt32BE(o);
      if (o + 4 + len > buf.length) break;
      counts[i] += countPickle(buf.subarray(o + 4, o + 4 + len));
      o += 4 + len;
    }
    carry = o < buf.length ? Buffer.from(buf.subarray(o)) : null;
  };
}

const ports = [];
for (let i = 0; i < n; i++) {
  const server = createServer((s) => {
    s.on('error', () => {});
    s.on('data', protocol === 'pickle' ? pickleCounter(i) : lineCounter(i));
  });
  await new Promise((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
  ports.push(server.address().port);
}
process.send({ ports });
process.on('message', (m) => {
  if (m === 'count') process.send({ counts });
  if (m === 'exit') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
