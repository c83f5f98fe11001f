import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../../src/config/carbon-conf.js';
import { stats } from '../../src/instrumentation/counters.js';
import { listFilters, startReceivers, type ReceiverSettings, type StartedReceivers } from '../../src/receivers/from-settings.js';
import { CollectingSink, connectTcp, sendUdp, waitFor } from './helpers.js';

const dirs: string[] = [];
let started: StartedReceivers | undefined;
afterEach(async () => {
  await started?.group.close();
  started = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  stats.reset();
});

function settingsFrom(conf: string): Settings {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-ts-recv-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'carbon.conf'), conf);
  writeFileSync(join(dir, 'storage-schemas.conf'), '[default]\npattern = .*\nretentions = 60s:1d\n');
  return loadSettings({ configPath: join(dir, 'carbon.conf'), program: 'cache', env: {} });
}

describe('startReceivers from carbon.conf settings', () => {
  it('src/config Settings satisfy ReceiverSettings', () => {
    const s: ReceiverSettings = settingsFrom('[cache]\n');
    expect(s.LINE_RECEIVER_PORT).toBe(2003);
  });

  it('starts the configured listeners; port 0 disables as in carbon unless tests ask for OS-chosen ports', async () => {
    const s = settingsFrom('[cache]\nLINE_RECEIVER_INTERFACE = 127.0.0.1\nLINE_RECEIVER_PORT = 0\nPICKLE_RECEIVER_PORT = 0\n');
    started = await startReceivers(s, () => undefined);
    expect(started.line).toBeUndefined();
    expect(started.pickle).toBeUndefined();
    expect(started.udp).toBeUndefined();
    await started.group.close();
    const sink = new CollectingSink();
    const t = settingsFrom('[cache]\nLINE_RECEIVER_INTERFACE = 127.0.0.1\nLINE_RECEIVER_PORT = 0\nPICKLE_RECEIVER_INTERFACE = 127.0.0.1\nPICKLE_RECEIVER_PORT = 0\nENABLE_UDP_LISTENER = True\nUDP_RECEIVER_INTERFACE = 127.0.0.1\nUDP_RECEIVER_PORT = 0\nMIN_TIMESTAMP_RESOLUTION = 10\n');
    started = await startReceivers(t, sink.sink, { zeroPortMeansAnyPort: true });
    expect(started.protobuf).toBeUndefined();
    const c = await connectTcp(started.line!.port);
    c.end('a 1 1700000005\n');
    await sendUdp(started.udp!.port, 'b 1 1700000019');
    await waitFor(() => sink.points.length === 2);
    expect(sink.points.map((p) => p.timestamp)).toEqual(expect.arrayContaining([1700000000, 1700000010]));
  });

  it('applies white/blacklists only with USE_WHITELIST, following list changes', () => {
    const black = { isEmpty: true, matches: (n: string) => n.startsWith('b') };
    const white = { isEmpty: false, matches: (n: string) => n.startsWith('w') };
    const f = listFilters(white, black);
    expect(f.isBlacklisted!('bad')).toBe(false);
    black.isEmpty = false;
    expect(f.isBlacklisted!('bad')).toBe(true);
    expect(f.isWhitelisted!('other')).toBe(false);
    white.isEmpty = true;
    expect(f.isWhitelisted!('other')).toBe(true);
  });
});
