import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CarbonLinkServer } from '../../src/carbonlink/carbonlink-server.js';
import { MetricCache } from '../../src/cache/metric-cache.js';
import { Counters } from '../../src/instrumentation/counters.js';
import { decodePickle } from '../../src/protocol/pickle-decoder.js';
import { encodePickleFrame, type PicklableValue } from '../../src/protocol/pickle-encoder.js';
import { FrameReader } from '../../src/protocol/frame-reader.js';
import { PyTuple, type PyValue } from '../../src/protocol/pickle-values.js';

let servers: CarbonLinkServer[] = [];
let sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets) s.destroy();
  for (const s of servers) await s.stop();
  servers = [];
  sockets = [];
});

async function setup() {
  const cache = new MetricCache();
  const counters = new Counters();
  const meta = new Map<string, string>([['a.b', 'average']]);
  const server = new CarbonLinkServer({
    host: '127.0.0.1',
    port: 0,
    cache,
    counters,
    metadata: {
      getMetadata: async (m, k) => (k !== 'aggregationMethod' ? { error: `ValueError: Unsupported metadata key "${k}"` } : meta.has(m) ? { value: meta.get(m)! } : { error: 'missing' }),
      setMetadata: async (m, k, v) => {
        const old = meta.get(m);
        meta.set(m, String(v));
        return { old_value: old ?? null, new_value: v };
      },
    },
  });
  servers.push(server);
  await server.start();
  return { cache, counters, server };
}

/** Sends raw frames and collects decoded responses until `count` arrived or the server closed. */
function exchange(port: number, frames: Buffer[], count: number): Promise<{ responses: PyValue[]; raw: Buffer[]; closed: boolean }> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sockets.push(sock);
    const reader = new FrameReader(1 << 30);
    const responses: PyValue[] = [];
    const raw: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve({ responses, raw, closed });
    };
    sock.on('data', (chunk) => {
      reader.feed(chunk, (f) => {
        raw.push(Buffer.from(f));
        responses.push(decodePickle(f));
      });
      if (responses.length >= count) finish(false);
    });
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
    for (const f of frames) sock.write(f);
  });
}

const req = (o: Record<string, PicklableValue>) => encodePickleFrame(new Map(Object.entries(o)));

function points(v: PyValue): number[][] {
  return (v as PyValue[]).map((t) => [...(t as PyTuple).items] as number[]);
}

describe('CarbonLink server', () => {
  it('answers cache-query with the cached points in insertion order, exact key only', async () => {
    const { cache, server, counters } = await setup();
    cache.store('a.b', 300, 3);
    cache.store('a.b', 100, 1);
    cache.store('a.b', 200, 2);
    cache.store('t;x=1', 100, 9);
    const { responses } = await exchange(
      server.port,
      [req({ type: 'cache-query', metric: 'a.b' }), req({ type: 'cache-query', metric: 'nope' }), req({ type: 'cache-query', metric: 't;x=1' })],
      3,
    );
    const r0 = responses[0] as Map<PyValue, PyValue>;
    expect(points(r0.get('datapoints')!)).toEqual([
      [300, 3],
      [100, 1],
      [200, 2],
    ]);
    expect((responses[1] as Map<PyValue, PyValue>).get('datapoints')).toEqual([]);
    expect(points((responses[2] as Map<PyValue, PyValue>).get('datapoints')!)).toEqual([[100, 9]]);
    expect(counters.get('cache.queries')).toBe(3);
  });

  it('pickles responses with protocol 2 exactly as carbon (spec example bytes)', async () => {
    const { cache, server } = await setup();
    cache.store('m', 1700000000, 1.5);
    const { raw } = await exchange(server.port, [req({ type: 'cache-query', metric: 'm' })], 1);
    const expected = Buffer.from(
      '80027d7100580a00000064617461706f696e747371015d71024741d954fc40000000473ff800000000000086710361732e',
      'hex',
    );
    expect(raw[0].equals(expected)).toBe(true);
  });

  it('answers bulk queries with every requested name', async () => {
    const { cache, server, counters } = await setup();
    cache.store('x', 1, 1);
    const { responses } = await exchange(server.port, [req({ type: 'cache-query-bulk', metrics: ['x', 'y'] })], 1);
    const by = (responses[0] as Map<PyValue, PyValue>).get('datapointsByMetric') as Map<PyValue, PyValue>;
    expect([...by.keys()]).toEqual(['x', 'y']);
    expect(points(by.get('x')!)).toEqual([[1, 1]]);
    expect(by.get('y')).toEqual([]);
    server.sampleStats();
    expect(counters.get('cache.bulk_queries')).toBe(1);
    expect(counters.get('cache.bulk_queries_average_size')).toBe(2);
  });

  it('metadata, unknown types, and requests in order', async () => {
    const { server } = await setup();
    const { responses } = await exchange(
      server.port,
      [
        req({ type: 'get-metadata', metric: 'a.b', key: 'aggregationMethod' }),
        req({ type: 'set-metadata', metric: 'a.b', key: 'aggregationMethod', value: 'max' }),
        req({ type: 'get-metadata', metric: 'a.b', key: 'aggregationMethod' }),
        req({ type: 'get-storageschema', metric: 'a.b' }),
      ],
      4,
    );
    expect(responses.map((r) => Object.fromEntries(r as Map<string, PyValue>))).toEqual([
      { value: 'average' },
      { old_value: 'average', new_value: 'max' },
      { value: 'max' },
      { error: 'Invalid request type "get-storageschema"' },
    ]);
  });

  it('drops the connection on a bad request after answering the earlier ones, and keeps serving others', async () => {
    const { cache, server } = await setup();
    cache.store('a', 1, 1);
    const garbage = Buffer.from([0, 0, 0, 3, 0x80, 0x02, 0xff]);
    const r1 = await exchange(server.port, [req({ type: 'cache-query', metric: 'a' }), garbage, req({ type: 'cache-query', metric: 'a' })], 3);
    expect(r1.responses.length).toBe(1);
    expect(r1.closed).toBe(true);
    const r2 = await exchange(server.port, [req({ metric: 'a' })], 1); // no 'type' → KeyError → dropped
    expect(r2.responses.length).toBe(0);
    expect(r2.closed).toBe(true);
    const r3 = await exchange(server.port, [Buffer.from([0x7f, 0xff, 0xff, 0xff])], 1); // > 2^30
    expect(r3.closed).toBe(true);
    const r4 = await exchange(server.port, [req({ type: 'cache-query', metric: 'a' })], 1);
    expect(r4.responses.length).toBe(1);
  });
});
