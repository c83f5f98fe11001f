import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, type RunningDaemon, sendTcp, sleep, startDaemon, tempDir, writeConfig } from '../helpers/daemon.js';

/** TAG_RELAY_NORMALIZED: carbon's relay sends (and routes) the normalised tagged name; without it, the name as received. */
const running: RunningDaemon[] = [];
const servers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  for (const s of servers.splice(0)) s.close();
  for (const d of dirs.splice(0)) cleanup(d);
});

async function lineSink(): Promise<{ port: number; received: () => string }> {
  let text = '';
  const server = createServer((sock) => sock.on('data', (d) => (text += d.toString())));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, received: () => text };
}

describe('relay and tagged names', () => {
  for (const normalized of [true, false]) {
    it(`sends ${normalized ? 'the normalised' : 'the received'} name with TAG_RELAY_NORMALIZED=${normalized}`, async () => {
      const dir = tempDir();
      dirs.push(dir);
      const sink = await lineSink();
      const conf = writeConfig(dir, {
        relay: {
          ...baseOptions(dir),
          RELAY_METHOD: 'consistent-hashing',
          DESTINATIONS: `127.0.0.1:${sink.port}:a`,
          DESTINATION_PROTOCOL: 'line',
          TAG_RELAY_NORMALIZED: normalized ? 'True' : 'False',
        },
      });
      const relay = await startDaemon('relay', conf, dir);
      running.push(relay);
      await sendTcp(relay.ports.line!, 'disk.used;host=b;dc=x 5 1700000000\n');
      for (let i = 0; i < 50 && !sink.received().includes('\n'); i++) await sleep(100);
      expect(sink.received()).toBe(`${normalized ? 'disk.used;dc=x;host=b' : 'disk.used;host=b;dc=x'} 5 1700000000\r\n`);
    });
  }
});
