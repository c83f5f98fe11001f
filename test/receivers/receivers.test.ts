import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { stats } from '../../src/instrumentation/counters.js';
import { encodePickleFrame } from '../../src/protocol/pickle-encoder.js';
import { frameWithLength } from '../../src/protocol/frame-reader.js';
import { tuple } from '../../src/protocol/pickle-values.js';
import { encodeProtobufPayload } from '../../src/protocol/protobuf.js';
import { ReceiverGroup, type ReceiverGroupOptions } from '../../src/receivers/receiver-group.js';
import { CollectingSink, closed, connectTcp, sendUdp, sleep, waitFor } from './helpers.js';

const T = 1700000000;
let group: ReceiverGroup | undefined;
const sockets: Socket[] = [];

async function start(options: ReceiverGroupOptions = {}) {
  const sink = new CollectingSink();
  group = new ReceiverGroup(sink.sink, { logConnectionSuccess: false, ...options });
  const line = await group.listenLine({ interface: '127.0.0.1', port: 0 });
  const pickle = await group.listenPickle({ interface: '127.0.0.1', port: 0, maxFrameLength: 1000 });
  const protobuf = await group.listenProtobuf({ interface: '127.0.0.1', port: 0 });
  const udp = await group.listenUdp({ interface: '127.0.0.1', port: 0 });
  return { sink, group, line: line.port, pickle: pickle.port, protobuf: protobuf.port, udp: udp.port };
}

async function client(port: number): Promise<Socket> {
  const s = await connectTcp(port);
  s.on('error', () => undefined);
  sockets.push(s);
  return s;
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await group?.close();
  group = undefined;
  stats.reset();
});

describe('receivers on real sockets', () => {
  it('receives plaintext over TCP and UDP, pickle and protobuf into batches', async () => {
    const r = await start();
    const line = await client(r.line);
    line.write(`a.tcp 1 ${T}\nb.tcp 2 ${T}\n`);
    await sendUdp(r.udp, `a.udp 3 ${T}\nb.udp 4 ${T}`);
    const pickle = await client(r.pickle);
    pickle.write(encodePickleFrame([tuple('a.pickle', tuple(T, 5)), ['b.pickle', [T + 1, 6.5]]]));
    const pb = await client(r.protobuf);
    pb.write(frameWithLength(encodeProtobufPayload(['a.pb'], [T], [7])));
    await waitFor(() => r.sink.points.length === 7, 10_000, 'seven points');
    expect(r.sink.names().sort()).toEqual(['a.pb', 'a.pickle', 'a.tcp', 'a.udp', 'b.pickle', 'b.tcp', 'b.udp']);
    expect(r.sink.points.find((p) => p.name === 'b.pickle')).toEqual({ name: 'b.pickle', value: 6.5, timestamp: T + 1 });
    expect(stats.get('metricsReceived')).toBe(7);
    expect(r.group.connectionCount).toBe(3);
  });

  it('drops only the offending connection on m 1 nan, oversized frames and NaN pickle timestamps', async () => {
    const r = await start();
    const good = await client(r.line);
    const bad = await client(r.line);
    bad.write(`x.before 1 ${T}\nx 1 nan\nx.after 1 ${T}\n`);
    await closed(bad);
    const badPickle = await client(r.pickle);
    badPickle.write(Buffer.concat([encodePickleFrame([tuple('p.before', tuple(T, 1))]), Buffer.from([0, 0, 3, 233])]));
    await closed(badPickle);
    const nanPickle = await client(r.pickle);
    nanPickle.write(encodePickleFrame([tuple('n.before', tuple(T, 1)), tuple('n.nan', tuple(NaN, 1)), tuple('n.after', tuple(T, 1))]));
    await closed(nanPickle);
    good.write(`good 1 ${T}\n`);
    await waitFor(() => r.sink.names().includes('good'));
    expect(r.sink.names().sort()).toEqual(['good', 'n.before', 'p.before', 'x.before']);
    expect(stats.get('receiver.droppedConnections')).toBe(3);
  });

  it('logs and skips garbage and unsafe pickles but keeps the connection', async () => {
    const r = await start();
    const s = await client(r.pickle);
    s.write(frameWithLength(Buffer.from('garbage that is not a pickle')));
    s.write(frameWithLength(Buffer.from("cos\nsystem\n(S'touch /tmp/pwned'\ntR.", 'latin1')));
    s.write(frameWithLength(Buffer.from('\x80\x02]q\x00(', 'latin1')));
    s.write(encodePickleFrame([tuple('after', tuple(T, 1)), 'bad element', tuple('m', 1)]));
    await waitFor(() => r.sink.points.length === 1);
    expect(r.sink.names()).toEqual(['after']);
    expect(stats.get('receiver.invalidPickles')).toBe(3);
    expect(stats.get('receiver.pickleElementErrors')).toBe(2);
    expect(s.destroyed).toBe(false);
  });

  it('applies black/whitelists, NaN values, -1 timestamps and MIN_TIMESTAMP_RESOLUTION', async () => {
    const r = await start({
      isBlacklisted: (n) => n.startsWith('black.'),
      isWhitelisted: (n) => !n.startsWith('other.'),
      minTimestampResolution: 60,
      now: () => 1500000030.5,
    });
    const s = await client(r.line);
    s.write(`black.a 1 ${T}\nother.b 1 ${T}\nnan.c nan ${T}\nok.d 1 ${T + 59}\nnow.e 1 -1\n`);
    await waitFor(() => r.sink.points.length === 2);
    await sleep(20);
    expect(r.sink.points).toEqual([
      { name: 'ok.d', value: 1, timestamp: T + 40 },
      { name: 'now.e', value: 1, timestamp: 1500000000 },
    ]);
    expect(stats.get('blacklistMatches')).toBe(1);
    expect(stats.get('whitelistRejects')).toBe(1);
  });

  it('pauses every TCP connection (present and new) but not UDP, and resumes them', async () => {
    const r = await start();
    const before = await client(r.line);
    await waitFor(() => r.group.connectionCount === 1);
    r.group.pauseAll();
    const after = await client(r.pickle);
    before.write(`paused.line 1 ${T}\n`);
    after.write(encodePickleFrame([tuple('paused.pickle', tuple(T, 1))]));
    await sendUdp(r.udp, `udp.unpaused 1 ${T}\n`);
    await waitFor(() => r.sink.points.length === 1);
    await sleep(100);
    expect(r.sink.names()).toEqual(['udp.unpaused']);
    r.group.resumeAll();
    await waitFor(() => r.sink.points.length === 3);
    expect(r.sink.names().sort()).toEqual(['paused.line', 'paused.pickle', 'udp.unpaused']);
  });

  it('holds connections over MAX_RECEIVER_CONNECTIONS until a slot frees', async () => {
    const r = await start({ maxConnections: 2 });
    const a = await client(r.line);
    const b = await client(r.line);
    await waitFor(() => r.group.connectionCount === 2);
    const c = await client(r.line);
    c.write(`from.c 1 ${T}\n`);
    b.write(`from.b 1 ${T}\n`);
    await waitFor(() => r.sink.points.length === 1);
    await sleep(50);
    expect(r.sink.names()).toEqual(['from.b']);
    a.end();
    await waitFor(() => r.sink.points.length === 2);
    expect(r.sink.names()).toEqual(['from.b', 'from.c']);
    expect(r.group.connectionCount).toBe(2);
  });

  it('closes a connection that sends no accepted point within METRIC_CLIENT_IDLE_TIMEOUT', async () => {
    const r = await start({ idleTimeoutSeconds: 0.2 });
    const idle = await client(r.line);
    idle.write('not a metric line\n');
    await closed(idle);
    expect(idle.destroyed).toBe(true);
  });

  it('serves slow clients byte by byte without holding up others', async () => {
    const r = await start();
    const slowPickle = await client(r.pickle);
    const frame = encodePickleFrame([tuple('slow.pickle', tuple(T, 1))]);
    slowPickle.write(frame.subarray(0, 5));
    const slowLine = await client(r.line);
    const text = `slow.line 1 ${T}\n`;
    const fast = await client(r.line);
    for (let i = 0; i < text.length; i++) {
      slowLine.write(text[i]);
      if (i === 3) fast.write(`fast 1 ${T}\n`);
      await sleep(2);
    }
    await waitFor(() => r.sink.points.length === 2);
    expect(r.sink.names()).toEqual(['fast', 'slow.line']);
    slowPickle.write(frame.subarray(5));
    await waitFor(() => r.sink.points.length === 3);
  });

  it('takes 1,000 concurrent connections and delivers every point', async () => {
    const r = await start();
    const clients = await Promise.all(Array.from({ length: 1000 }, () => client(r.line)));
    await waitFor(() => r.group.connectionCount === 1000, 30_000, '1000 connections');
    clients.forEach((s, i) => s.write(`conn.${i} ${i} ${T}\n`));
    await waitFor(() => r.sink.points.length === 1000, 30_000, '1000 points');
    expect(new Set(r.sink.names()).size).toBe(1000);
  });

  it('survives a pipeline stage that throws: the batch is counted as lost, the connection stays', async () => {
    let calls = 0;
    const seen: string[] = [];
    group = new ReceiverGroup(
      (batch) => {
        if (calls++ === 0) throw new Error('stage exploded');
        for (let i = 0; i < batch.length; i++) seen.push(batch.names[i]);
      },
      { logConnectionSuccess: false },
    );
    const line = await group.listenLine({ interface: '127.0.0.1', port: 0 });
    const s = await client(line.port);
    s.write(`lost 1 ${T}\n`);
    await waitFor(() => stats.get('receiver.sinkErrors') === 1);
    s.write(`kept 1 ${T}\n`);
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual(['kept']);
  });

  it('stays up under random garbage on every TCP port and UDP, and keeps serving good clients', async () => {
    const r = await start();
    let seed = 99;
    const random = (n: number): Buffer => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16;
      return b;
    };
    const attackers = await Promise.all([r.line, r.line, r.pickle, r.pickle, r.protobuf, r.protobuf].map((p) => client(p)));
    for (const a of attackers) a.write(random(256 * 1024));
    for (let i = 0; i < 20; i++) await sendUdp(r.udp, random(2000));
    await Promise.all(attackers.map((a) => Promise.race([closed(a), sleep(500)])));
    const good = await client(r.line);
    good.write(`survivor 1 ${T}\n`);
    const goodPickle = await client(r.pickle);
    goodPickle.write(encodePickleFrame([tuple('survivor.pickle', tuple(T, 1))]));
    await waitFor(() => r.sink.names().includes('survivor') && r.sink.names().includes('survivor.pickle'));
  });

  it('close() stops accepting and closes every connection', async () => {
    const r = await start();
    const s = await client(r.line);
    await waitFor(() => r.group.connectionCount === 1);
    await r.group.close();
    await closed(s);
    await expect(connectTcp(r.line)).rejects.toThrow();
    group = undefined;
  });
});
