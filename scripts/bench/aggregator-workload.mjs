// Workload and plumbing for `npm run bench:aggregator`: the 100-rule set in carbon's and carbon-c-relay's
// syntax, the metric names and plaintext input, a line-counting TCP sink, and CPU readings from /proc.
import { readFileSync } from 'node:fs';
import net from 'node:net';

export const RULE_COUNT = 100;
const ENVS = ['prod', 'stage'];
const HOSTS_PER_APP = 50;

/** carbon aggregation-rules.conf: one rule per app, hosts summed per environment, 60 s buckets. */
export function carbonRules() {
  const lines = [];
  for (let i = 0; i < RULE_COUNT; i++) lines.push(`bench.app${i}.<env>.all.requests (60) = sum bench.app${i}.<env>.*.requests`);
  return lines.join('\n') + '\n';
}

/** The same aggregation in carbon-c-relay's language (start-of-bucket timestamps like carbon). */
export function cRelayConfig(sinkPort) {
  const out = [`cluster sink forward 127.0.0.1:${sinkPort};`];
  for (let i = 0; i < RULE_COUNT; i++) {
    out.push(
      `aggregate ^bench\\.app${i}\\.([^.]+)\\.[^.]+\\.requests$ every 60 seconds expire after 75 seconds ` +
        `timestamp at start of bucket compute sum write to bench.app${i}.\\1.all.requests send to sink;`,
    );
  }
  out.push('match * send to sink;');
  return out.join('\n') + '\n';
}

/** Names that each feed one rule (10,000 series). */
export function metricNames() {
  const names = [];
  for (let i = 0; i < RULE_COUNT; i++) for (const env of ENVS) for (let h = 0; h < HOSTS_PER_APP; h++) names.push(`bench.app${i}.${env}.host${h}.requests`);
  return names;
}

/** `count` plaintext lines cycling through the names, timestamps = now. */
export function plaintext(count, names = metricNames()) {
  const ts = Math.floor(Date.now() / 1000);
  const parts = [];
  for (let i = 0; i < count; i++) parts.push(`${names[i % names.length]} ${(i % 97) + 0.5} ${ts}\n`);
  return Buffer.from(parts.join(''));
}

/** A TCP server counting received lines; `waitFor(n)` resolves when n lines arrived (or progress stops). */
export async function startSink() {
  let lines = 0;
  let connections = 0;
  const sockets = new Set();
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('data', (buf) => {
      let at = buf.indexOf(10);
      while (at !== -1) {
        lines++;
        at = buf.indexOf(10, at + 1);
      }
    });
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    get lines() {
      return lines;
    },
    get connections() {
      return connections;
    },
    async waitFor(n, idleMs = 15000) {
      let last = lines;
      let lastChange = Date.now();
      while (lines < n) {
        await sleep(5);
        if (lines !== last) {
          last = lines;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > idleMs) return false;
      }
      return true;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Sends a buffer over one connection as fast as the peer reads it. */
export async function send(port, payload) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r, j) => {
    sock.once('connect', r);
    sock.once('error', j);
  });
  const CHUNK = 1 << 16;
  for (let off = 0; off < payload.length; off += CHUNK) {
    if (!sock.write(payload.subarray(off, Math.min(off + CHUNK, payload.length)))) await new Promise((r) => sock.once('drain', r));
  }
  await new Promise((r) => sock.end(r));
}

export async function waitForPort(port, timeoutMs = 20000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return true;
    await sleep(100);
  }
  return false;
}

export async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}
