import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The same carbon.conf, aggregation-rules.conf and rewrite-rules.conf run by /usr/bin/carbon-aggregator
 * and by `carbon-ts aggregator`, fed the same plaintext: the raw points forwarded and the final value
 * of every aggregate (name, interval) must agree. Points are for past intervals, sent in one burst,
 * so wall-clock timing cannot change a final value.
 */
const root = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'carbon-ts-agg-daemon-'));
const children: ChildProcess[] = [];
const servers: net.Server[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of servers) s.close();
  rmSync(work, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

async function sink(): Promise<{ port: number; lines: () => string[] }> {
  let text = '';
  const srv = net.createServer((s) => {
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('error', () => {});
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, lines: () => text.split(/\r?\n/).filter((l) => l !== '') };
}

async function waitForPort(port: number, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listening on ${port}`);
}

const RULES = `<env>.apps.<app>.all.sum (2) = sum <env>.apps.<app>.*.requests
<env>.apps.<app>.all.p90 (2) = p90 <env>.apps.<app>.*.requests
<env>.apps.<app>.all.count (2) = count <env>.apps.<app>.*.requests
<prefix>.total (4) = avg <<prefix>>.host*.latency
`;
const REWRITE = `[pre]
^staging\\. = prod.
[post]
\\.requests$ = .reqs
`;

async function run(kind: 'python' | 'carbon-ts', input: string): Promise<string[]> {
  const dir = join(work, kind);
  mkdirSync(join(dir, 'storage', 'log'), { recursive: true });
  const out = await sink();
  const port = await freePort();
  writeFileSync(
    join(dir, 'carbon.conf'),
    `[aggregator]
STORAGE_DIR = ${dir}/storage
LOCAL_DATA_DIR = ${dir}/storage
LOG_DIR = ${dir}/storage/log
PID_DIR = ${dir}/storage
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = ${port}
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = ${await freePort()}
DESTINATIONS = 127.0.0.1:${out.port}
DESTINATION_PROTOCOL = line
LOG_AGGREGATOR_MISSES = False
CARBON_METRIC_INTERVAL = 0
`,
  );
  writeFileSync(join(dir, 'aggregation-rules.conf'), RULES);
  writeFileSync(join(dir, 'rewrite-rules.conf'), REWRITE);
  writeFileSync(join(dir, 'storage-schemas.conf'), '[default]\npattern = .*\nretentions = 60s:1d\n');
  const conf = join(dir, 'carbon.conf');
  const child =
    kind === 'python'
      ? spawn('/usr/bin/carbon-aggregator', [`--config=${conf}`, '--nodaemon', 'start'], { stdio: 'ignore' })
      : spawn(process.execPath, [join(root, 'dist/cli/main.js'), 'aggregator', '--config', conf], { stdio: 'ignore' });
  children.push(child);
  await waitForPort(port);
  await new Promise((r) => setTimeout(r, 500)); // let it connect to the sink
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  await new Promise<void>((r) => sock.end(input, () => r()));
  // Wait past a 4 s period after the burst, then until output has been quiet for 2.5 s (bounded).
  const sent = Date.now();
  let seen = -1;
  let quietSince = Date.now();
  while (Date.now() - sent < 30_000) {
    await new Promise((r) => setTimeout(r, 250));
    const n = out.lines().length;
    if (n !== seen) {
      seen = n;
      quietSince = Date.now();
    } else if (Date.now() - sent > 5_000 && Date.now() - quietSince > 2_500) break;
  }
  child.kill('SIGTERM');
  return out.lines();
}

function finalAggregates(lines: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) {
    const [name, value, ts] = l.split(' ');
    if (name.includes('.all.') || name.endsWith('.total')) m.set(`${name} ${ts}`, Number(value));
  }
  return m;
}

describe('carbon-ts aggregator daemon vs /usr/bin/carbon-aggregator', () => {
  it('forwards the same raw points and emits the same final aggregates', async () => {
    const base = Math.floor(Date.now() / 1000) - 600;
    const lines: string[] = [];
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 400; i++) {
      const env = rand() < 0.3 ? 'staging' : 'prod';
      const app = `app${Math.floor(rand() * 3)}`;
      const ts = base + Math.floor(rand() * 12);
      lines.push(`${env}.apps.${app}.h${Math.floor(rand() * 5)}.requests ${Math.floor(rand() * 1000) / 10} ${ts}`);
      lines.push(`dc${Math.floor(rand() * 2)}.web.host${Math.floor(rand() * 4)}.latency ${Math.floor(rand() * 500)} ${ts}`);
    }
    const input = lines.join('\n') + '\n';
    const [py, ts] = await Promise.all([run('python', input), run('carbon-ts', input)]);
    const raw = (ls: string[]) => ls.filter((l) => !l.split(' ')[0].includes('.all.') && !l.split(' ')[0].endsWith('.total')).sort();
    expect(raw(py).length).toBe(800);
    expect(raw(ts)).toEqual(raw(py));
    const pyAgg = finalAggregates(py);
    expect(pyAgg.size).toBeGreaterThan(10);
    expect(finalAggregates(ts)).toEqual(pyAgg);
  }, 60_000);
});
