import * as net from 'node:net';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, type RunningDaemon, sleep, startDaemon, tempDir, writeConfig } from '../helpers/daemon.js';

const running: RunningDaemon[] = [];
const dirs: string[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  for (const d of dirs.splice(0)) cleanup(d);
  for (const s of servers.splice(0)) s.close();
});

/** A destination on 127.0.0.1 that keeps every plaintext line it is sent. */
async function lineSink(): Promise<{ port: number; lines: () => string[] }> {
  let text = '';
  const srv = net.createServer((sock) => sock.on('data', (d) => (text += d.toString('utf8'))));
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return { port: (srv.address() as net.AddressInfo).port, lines: () => text.split('\n').filter((l) => l !== '') };
}

describe('carbon-ts aggregator self-metrics', () => {
  it("sends carbon's aggregator metrics every interval, aggregateDatapointsSent included when it is 0", async () => {
    const sink = await lineSink();
    const dir = tempDir();
    dirs.push(dir);
    const conf = writeConfig(
      dir,
      { aggregator: { ...baseOptions(dir), DESTINATIONS: `127.0.0.1:${sink.port}`, DESTINATION_PROTOCOL: 'line', CARBON_METRIC_INTERVAL: 1 } },
      { 'aggregation-rules.conf': 'never.<x> (60) = sum nothing.matches.<x>\n' },
    );
    const d = await startDaemon('aggregator', conf, dir);
    running.push(d);
    await sleep(2600);
    expect(await d.stop()).toBe(0);
    const prefix = `carbon.aggregator.${hostname().replace(/\./g, '_')}-a.`;
    const sent = sink.lines().filter((l) => l.startsWith(prefix));
    const names = new Set(sent.map((l) => l.split(' ')[0].slice(prefix.length)));
    for (const name of ['aggregateDatapointsSent', 'allocatedBuffers', 'bufferedDatapoints', 'metricsReceived', 'activeConnections', 'blacklistMatches', 'whitelistRejects', 'cpuUsage', 'memUsage']) {
      expect(names.has(name), `${name} in ${[...names].join(', ')}`).toBe(true);
    }
    const zero = sent.find((l) => l.startsWith(`${prefix}aggregateDatapointsSent `))!;
    expect(Number(zero.split(' ')[1])).toBe(0);
  }, 20_000);
});
