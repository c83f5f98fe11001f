import { afterEach, describe, expect, it } from 'vitest';
import { stats } from '../../src/instrumentation/counters.js';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { DestinationManager } from '../../src/relay/destination-manager.js';
import type { DestinationOptions } from '../../src/relay/options.js';
import { FakeSink } from './fake-sink.js';
import { destination, fixedRouter, numberedBatch, range, sleep, tempDir, until, valuesOnce } from './helpers.js';

const fast: Partial<DestinationOptions> = {
  reconnectInitialDelayMs: 30,
  reconnectMaxDelayMs: 150,
  stopFlushDeadlineMs: 2000,
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  stats.reset();
});

async function sink(protocol: 'line' | 'pickle'): Promise<FakeSink> {
  const s = new FakeSink(protocol);
  await s.listen(0);
  cleanups.push(() => s.close());
  return s;
}

function manager(port: number, opts: Partial<DestinationOptions>, events = {}) {
  const d = destination(port);
  const m = new DestinationManager([d], { ...fast, ...opts }, events);
  cleanups.push(() => m.stop());
  return { m, d, router: fixedRouter([d]) };
}

describe('DestinationClient over TCP', () => {
  it.each(['pickle', 'line'] as const)('delivers every point once as %s, in order', async (protocol) => {
    const s = await sink(protocol);
    const { m, router } = manager(s.port, { protocol, spillEnabled: false, maxQueueSize: 100_000 });
    m.start();
    for (let k = 0; k < 20_000; k += 1000) m.send(numberedBatch(k, 1000), router);
    expect(await s.waitFor(20_000)).toBe(20_000);
    expect(s.points.map((p) => p.value)).toEqual(range(0, 20_000));
    expect(s.points[7]).toEqual({ name: 'test.s7', value: 7, ts: 1_000_000_007 });
    await m.stop();
    const snap = stats.takeSnapshot();
    expect(snap.get('destinations.127_0_0_1:' + s.port + ':a.sent')).toBe(20_000);
    expect(snap.get('destinations.127_0_0_1:' + s.port + ':a.attemptedRelays')).toBe(20_000);
    expect(snap.get('destinations.127_0_0_1:' + s.port + ':a.batchesSent')).toBeGreaterThanOrEqual(40);
  });

  it.each([
    ['exactly once with resendWindowMs 0 (carbon: a clean close means the peer read everything)', 0],
    ['at least once with the default resend window, every duplicate counted in resentPoints', undefined],
  ] as const)('reconnects after the destination goes down and delivers the queue %s', async (_label, resendWindowMs) => {
    const s = await sink('pickle');
    const { m, router } = manager(s.port, { spillEnabled: false, maxQueueSize: 100_000, resendWindowMs });
    m.start();
    m.send(numberedBatch(0, 1000), router);
    expect(await s.waitFor(1000)).toBe(1000);
    await s.down(true);
    await sleep(100);
    m.send(numberedBatch(1000, 3000), router);
    await sleep(300);
    await s.listen(s.port);
    expect(await until(() => valuesOnce(s.points).values.length === 4000)).toBe(true);
    await sleep(150);
    const { values, duplicates } = valuesOnce(s.points);
    expect(values).toEqual(range(0, 4000));
    const resent = stats.get(`destinations.127_0_0_1:${s.port}:a.resentPoints`);
    if (resendWindowMs === 0) expect(duplicates).toBe(0);
    else expect(resent).toBeGreaterThan(0);
    expect(duplicates).toBeLessThanOrEqual(resent);
    expect(s.connections).toBe(2);
  });

  it('after a connection reset, sends the recent frames again: nothing lost (duplicates possible, counted)', async () => {
    const s = await sink('pickle');
    const { m, router } = manager(s.port, { spillEnabled: false, maxQueueSize: 1_000_000, resendWindowMs: 5000 });
    m.start();
    const c = m.clients[0]!;
    expect(await until(() => c.isConnected)).toBe(true);
    s.pauseReading(); // bytes pile up unread in the sink's socket: a reset loses them
    m.send(numberedBatch(0, 50_000), router);
    await sleep(100);
    await s.down(false);
    await s.listen(s.port);
    expect(await until(() => valuesOnce(s.points).values.length === 50_000)).toBe(true);
    expect(valuesOnce(s.points).values).toEqual(range(0, 50_000));
    await sleep(150);
    const resent = stats.get(`destinations.127_0_0_1:${s.port}:a.resentPoints`);
    expect(resent).toBeGreaterThan(0);
    expect(s.points.length - 50_000).toBeLessThanOrEqual(resent);
  });

  it('sends high-priority points (self-metrics) ahead of the queue, even when it is full', async () => {
    const s = await sink('line');
    await s.down();
    const { m, router } = manager(s.port, { protocol: 'line', spillEnabled: false, maxQueueSize: 100 });
    m.start();
    m.send(numberedBatch(0, 150), router);
    const own = new MetricBatch(2);
    own.push('carbon.relays.x-a.metricsReceived', 1e6 + 1, 1_700_000_000);
    own.push('carbon.relays.x-a.cpuUsage', 1e6 + 2, 1_700_000_000);
    m.sendHighPriority(own, router);
    await s.listen(s.port);
    expect(await s.waitFor(102)).toBe(102);
    expect(s.points.slice(0, 2).map((p) => p.value)).toEqual([1e6 + 1, 1e6 + 2]);
    expect(s.points.slice(2).map((p) => p.value)).toEqual(range(0, 100));
  });

  it('drops at MAX_QUEUE_SIZE without a spill and counts fullQueueDrops and queuedUntilConnected', async () => {
    const s = await sink('line');
    await s.down();
    const { m, router } = manager(s.port, { protocol: 'line', spillEnabled: false, maxQueueSize: 100, maxDatapointsPerMessage: 30 });
    m.start();
    m.send(numberedBatch(0, 250), router);
    const name = `destinations.127_0_0_1:${s.port}:a`;
    const snap = stats.takeSnapshot();
    expect(snap.get(`${name}.fullQueueDrops`)).toBe(150);
    expect(snap.get(`${name}.queuedUntilConnected`)).toBe(250);
    expect(snap.get(`${name}.attemptedRelays`)).toBe(250);
    expect(snap.get(`${name}.relayMaxQueueLength`)).toBe(100);
    await s.listen(s.port);
    expect(await s.waitFor(100)).toBe(100);
    await sleep(100);
    expect(s.points.map((p) => p.value)).toEqual(range(0, 100));
  });

  it('respects socket back-pressure: a destination that stops reading makes the queue spill, nothing lost', async () => {
    const spill = tempDir('relay-bp-');
    cleanups.push(() => spill.remove());
    const s = await sink('pickle');
    const { m, router } = manager(s.port, { spillDir: spill.path, maxQueueSize: 2000, replayMaxPointsPerSecond: 1_000_000 });
    m.start();
    m.send(numberedBatch(0, 10), router);
    expect(await s.waitFor(10)).toBe(10);
    s.pauseReading();
    const total = 300_000;
    for (let k = 10; k < total; k += 5000) {
      m.send(numberedBatch(k, Math.min(5000, total - k)), router);
      await sleep(1);
    }
    await sleep(200);
    const c = m.clients[0]!;
    expect(c.spilledPoints).toBeGreaterThan(0);
    s.resumeReading();
    expect(await s.waitFor(total, 30_000)).toBe(total);
    const { values, duplicates } = valuesOnce(s.points);
    expect(duplicates).toBe(0);
    expect(values.length).toBe(total);
  });
});

describe('spill to disk', () => {
  it('spills during an outage and replays in order, every point exactly once, live data not starved', async () => {
    const spill = tempDir('relay-spill-');
    cleanups.push(() => spill.remove());
    const s = await sink('pickle');
    const { m, router } = manager(s.port, { spillDir: spill.path, maxQueueSize: 500, maxDatapointsPerMessage: 100, replayMaxPointsPerSecond: 20_000, segmentBytes: 64 * 1024, resendWindowMs: 0 });
    m.start();
    const c = m.clients[0]!;
    expect(await until(() => c.isConnected)).toBe(true);
    m.send(numberedBatch(0, 1000), router);
    expect(await s.waitFor(1000)).toBe(1000);
    await s.down(true);
    await sleep(100);
    // 20,000 points during the outage: 500 stay in memory, the rest spill (several segments).
    for (let k = 1000; k < 21_000; k += 1000) m.send(numberedBatch(k, 1000), router);
    await sleep(250);
    expect(c.spilledPoints).toBe(19_500);
    await s.listen(s.port);
    expect(await until(() => c.isConnected && c.queueSize === 0)).toBe(true);
    // Live points keep flowing while the spill replays (at 20k/s this takes ~1 s).
    const liveStart = 21_000;
    for (let k = liveStart; k < liveStart + 2000; k += 100) {
      m.send(numberedBatch(k, 100), router);
      await sleep(20);
    }
    expect(await s.waitFor(23_000)).toBe(23_000);
    const arrived = s.points.map((p) => p.value);
    const { values, duplicates } = valuesOnce(s.points);
    expect(duplicates).toBe(0);
    expect(values).toEqual(range(0, 23_000));
    // Replayed points (1500..20999) arrive in order among themselves.
    const replayed = arrived.filter((v) => v >= 1500 && v < 21_000);
    expect(replayed).toEqual(range(1500, 19_500));
    // Live points were not held back until the replay finished.
    const firstLive = arrived.indexOf(liveStart);
    const lastReplayed = arrived.indexOf(20_999);
    expect(firstLive).toBeLessThan(lastReplayed);
    await until(() => c.spilledPoints === 0);
    await sleep(150); // counters reach `stats` on the next tick
    const snap = stats.takeSnapshot();
    const name = `destinations.127_0_0_1:${s.port}:a`;
    // Live points may spill too when the sink lags behind replay plus live: all of it is replayed.
    expect(snap.get(`${name}.spilledPoints`)).toBeGreaterThanOrEqual(19_500);
    expect(snap.get(`${name}.replayedPoints`)).toBe(snap.get(`${name}.spilledPoints`));
  });

  it('keeps the outage spill across a relay restart and replays it after the next start', async () => {
    const spill = tempDir('relay-restart-');
    cleanups.push(() => spill.remove());
    const s = await sink('line');
    const opts = { protocol: 'line' as const, spillDir: spill.path, maxQueueSize: 300, replayMaxPointsPerSecond: 100_000, resendWindowMs: 0 };
    const first = manager(s.port, opts);
    first.m.start();
    first.m.send(numberedBatch(0, 500), first.router);
    expect(await s.waitFor(500)).toBe(500);
    await s.down(true);
    await sleep(100);
    first.m.send(numberedBatch(500, 5000), first.router);
    await first.m.stop(); // memory queue (300) goes to the spill as well
    const second = manager(s.port, opts);
    second.m.send(numberedBatch(5500, 500), second.router);
    second.m.start();
    await sleep(200);
    await s.listen(s.port);
    expect(await s.waitFor(6000)).toBe(6000);
    await sleep(200);
    const { values, duplicates } = valuesOnce(s.points);
    expect(duplicates).toBe(0);
    expect(values).toEqual(range(0, 6000));
  });

  it('drops and counts spillFullDrops when the spill is full, pausing and resuming through the callbacks', async () => {
    const spill = tempDir('relay-full-');
    cleanups.push(() => spill.remove());
    const s = await sink('pickle');
    await s.down();
    const events: string[] = [];
    const { m, router } = manager(
      s.port,
      { spillDir: spill.path, maxQueueSize: 100, maxDatapointsPerMessage: 100, spillMaxBytes: 40_000, replayMaxPointsPerSecond: 1_000_000 },
      { onSaturated: () => events.push('saturated'), onHasRoom: () => events.push('room') },
    );
    m.start();
    for (let k = 0; k < 5000; k += 100) m.send(numberedBatch(k, 100), router);
    await sleep(150);
    const name = `destinations.127_0_0_1:${s.port}:a`;
    const snap = stats.takeSnapshot();
    const spilled = snap.get(`${name}.spilledPoints`) ?? 0;
    const dropped = snap.get(`${name}.spillFullDrops`) ?? 0;
    expect(spilled).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
    expect(100 + spilled + dropped).toBe(5000);
    expect(m.saturated).toBe(true);
    expect(events).toEqual(['saturated']);
    await s.listen(s.port);
    expect(await s.waitFor(100 + spilled)).toBe(100 + spilled);
    expect(await until(() => !m.saturated)).toBe(true);
    expect(events).toEqual(['saturated', 'room']);
  });
});
