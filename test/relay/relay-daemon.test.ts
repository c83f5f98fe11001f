/**
 * The relay daemon (`carbon-ts relay`, built in dist/) around the destination manager: a
 * destination that is down while the relay receives, a SIGTERM that writes the queues to the
 * spill, a second start that replays them once the destination is up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, sendTcp, startDaemon, tempDir, writeConfig, type RunningDaemon } from '../helpers/daemon.js';
import { FakeSink } from './fake-sink.js';
import { range, until, valuesOnce } from './helpers.js';

const running: RunningDaemon[] = [];
const dirs: string[] = [];
const sinks: FakeSink[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  for (const s of sinks.splice(0)) await s.close();
  for (const d of dirs.splice(0)) cleanup(d);
});

function lines(first: number, count: number): string {
  let s = '';
  for (let k = first; k < first + count; k++) s += `relay.daemon.s${k % 50} ${k} ${1_700_000_000 + k}\n`;
  return s;
}

describe('carbon-ts relay daemon', () => {
  it('keeps what it received for a down destination across SIGTERM and delivers it after the next start', async () => {
    const dir = tempDir('relay-daemon-');
    dirs.push(dir);
    const sink = new FakeSink('line');
    sinks.push(sink);
    await sink.listen(0);
    await sink.down();
    const conf = writeConfig(dir, {
      relay: {
        ...baseOptions(dir),
        RELAY_METHOD: 'consistent-hashing',
        DESTINATIONS: `127.0.0.1:${sink.port}:a`,
        DESTINATION_PROTOCOL: 'line',
        MAX_QUEUE_SIZE: 1000,
        RELAY_RECONNECT_MAX_DELAY: 0.2,
      },
    });
    const first = await startDaemon('relay', conf, dir);
    running.push(first);
    await sendTcp(first.ports.line!, lines(0, 5000));
    await new Promise((r) => setTimeout(r, 300));
    expect(await first.stop()).toBe(0);
    running.splice(running.indexOf(first), 1);

    const second = await startDaemon('relay', conf, dir);
    running.push(second);
    await sendTcp(second.ports.line!, lines(5000, 1000));
    await sink.listen(sink.port);
    expect(await until(() => valuesOnce(sink.points).values.length >= 6000, 30_000)).toBe(true);
    const { values, duplicates } = valuesOnce(sink.points);
    expect(values).toEqual(range(0, 6000));
    expect(duplicates).toBe(0);
    expect(sink.points.find((p) => p.value === 4321)).toEqual({ name: 'relay.daemon.s21', value: 4321, ts: 1_700_004_321 });
    expect(await second.stop()).toBe(0);
    running.splice(running.indexOf(second), 1);
  });
});
