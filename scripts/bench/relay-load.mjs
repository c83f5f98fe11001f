// Load generator for bench:relay, run as a child process: sends `points` plaintext lines
// (`bench.<group>.s<k>.value <v> <ts>\n` over `series` names) to 127.0.0.1:<port> over `conns`
// connections as fast as the relay reads them. Reports {sent: true} when every byte is written.
import { connect } from 'node:net';

const [port, points, series, conns] = process.argv.slice(2).map(Number);
const ts0 = 1_795_600_000;
function payload(from, to) {
  const parts = [];
  let s = '';
  for (let k = from; k < to; k++) {
    s += `bench.g${(k % series) % 97}.s${k % series}.value ${k % 1000}.5 ${ts0 + Math.floor(k / series)}\n`;
    if (s.length > 1 << 20) {
      parts.push(Buffer.from(s));
      s = '';
    }
  }
  if (s) parts.push(Buffer.from(s));
  return parts;
}
const per = Math.ceil(points / conns);
const work = [];
for (let c = 0; c < conns; c++) work.push(payload(c * per, Math.min(points, (c + 1) * per)));
process.send({ ready: true });
process.once('message', async () => {
  await Promise.all(
    work.map(
      (parts) =>
        new Promise((resolve, reject) => {
          const sock = connect({ host: '127.0.0.1', port }, async () => {
            for (const p of parts) {
              if (!sock.write(p)) await new Promise((r) => sock.once('drain', r));
            }
            sock.end(resolve);
          });
          sock.on('error', reject);
        }),
    ),
  );
  process.send({ sent: true });
});
process.on('disconnect', () => process.exit(0));
