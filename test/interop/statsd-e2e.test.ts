import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, readWhisper, ROOT, type RunningDaemon, sendUdp, sleep, startDaemon, tempDir, writeConfig } from '../helpers/daemon.js';

/**
 * A real statsd daemon (the `statsd` npm package, graphite backend) flushing to carbon-ts over
 * plaintext and over pickle, and the stored series read back with python3-whisper.
 */
const procs: ChildProcess[] = [];
const running: RunningDaemon[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  if (!process.env.KEEP_TMP) for (const d of dirs.splice(0)) cleanup(d);
});

/** statsd has no "port 0": ask the OS for a free port, release it, and hand it to statsd. */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
async function freeTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function startStatsd(dir: string, graphite: Record<string, unknown>): Promise<number> {
  const port = await freeUdpPort();
  const mgmt = await freeTcpPort();
  const config = join(dir, 'statsd-config.js');
  writeFileSync(
    config,
    `(${JSON.stringify({
      address: '127.0.0.1',
      port,
      mgmt_address: '127.0.0.1',
      mgmt_port: mgmt,
      graphiteHost: '127.0.0.1',
      flushInterval: 400,
      deleteIdleStats: true,
      backends: ['./backends/graphite'],
      ...graphite,
    })})\n`,
  );
  const proc = spawn(process.execPath, ['stats.js', config], { cwd: join(ROOT, 'node_modules/statsd'), stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`statsd did not start:\n${out}`)), 15_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('server is up')) {
        clearTimeout(t);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
  });
  return port;
}

describe('statsd → carbon-ts cache', () => {
  for (const protocol of ['text', 'pickle'] as const) {
    it(`stores statsd's counters, gauges and timers sent over ${protocol}`, async () => {
      const dir = tempDir();
      dirs.push(dir);
      const conf = writeConfig(dir, { cache: baseOptions(dir) }, { 'storage-schemas.conf': '[statsd]\npattern = ^stats\nretentions = 1s:1h\n\n[default]\npattern = .*\nretentions = 60s:1d\n' });
      const carbon = await startDaemon('cache', conf, dir);
      running.push(carbon);
      const graphite = protocol === 'text' ? { graphitePort: carbon.ports.line } : { graphiteProtocol: 'pickle', graphitePicklePort: carbon.ports.pickle };
      const statsdPort = await startStatsd(dir, graphite);
      const from = Math.floor(Date.now() / 1000) - 5;
      await sleep(300); // statsd logs "server is up" before its UDP socket is bound
      await sendUdp(statsdPort, 'app.requests:3|c\napp.queue:42|g\napp.latency:100|ms\napp.latency:300|ms');
      await sleep(1500); // a few flushes
      procs.pop()!.kill('SIGTERM');
      await sleep(200);
      expect(await carbon.stop()).toBe(0);
      const data = join(dir, 'storage', 'whisper');
      const until = Math.floor(Date.now() / 1000) + 5;
      const counts = readWhisper(join(data, 'stats_counts', 'app', 'requests.wsp'), from, until);
      expect(counts.reduce((a, [, v]) => a + v, 0)).toBe(3);
      const gauges = readWhisper(join(data, 'stats', 'gauges', 'app', 'queue.wsp'), from, until);
      expect(gauges.length).toBeGreaterThan(0);
      expect(gauges.every(([, v]) => v === 42)).toBe(true);
      const upper = readWhisper(join(data, 'stats', 'timers', 'app', 'latency', 'upper.wsp'), from, until);
      expect(upper.map(([, v]) => v)).toContain(300);
      const mean = readWhisper(join(data, 'stats', 'timers', 'app', 'latency', 'mean.wsp'), from, until);
      expect(mean.map(([, v]) => v)).toContain(200);
    });
  }
});
