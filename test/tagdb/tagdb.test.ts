import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { multipartForm, tagMultiSeries } from '../../src/tagdb/tagdb-client.js';
import { TagQueue } from '../../src/tagdb/tag-queue.js';
import { TagRegistrar } from '../../src/tagdb/tag-registrar.js';

/** The `path` fields of a multipart/form-data body (a small parser of what multipartForm writes). */
function formPaths(contentType: string, body: Buffer): string[] {
  const boundary = /boundary=(\S+)/.exec(contentType)![1];
  const text = body.toString('utf8');
  expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true);
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const m = /^\r\nContent-Disposition: form-data; name="path"\r\n\r\n([\s\S]*)\r\n$/.exec(part);
      expect(m).not.toBeNull();
      return m![1];
    });
}

let servers: Server[] = [];
afterEach(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  servers = [];
});

interface Received {
  method: string;
  url: string;
  paths: string[];
}

async function graphiteStub(status = 200, delayMs = 0): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const paths = formPaths(req.headers['content-type']!, Buffer.concat(chunks));
      received.push({ method: req.method!, url: req.url!, paths });
      setTimeout(() => {
        res.statusCode = status;
        res.end(JSON.stringify(paths));
      }, delayMs);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('TagQueue (carbon writer.py TagQueue)', () => {
  it('gives created series before updated ones, in order, and drops beyond TAG_QUEUE_SIZE per queue', () => {
    const q = new TagQueue(3);
    for (const m of ['u1', 'u2']) q.update(m);
    for (const m of ['a1', 'a2', 'a3', 'a4']) q.add(m);
    expect(q.dropped).toBe(1);
    expect(q.size).toBe(5);
    expect(q.takeBatch(4)).toEqual(['a1', 'a2', 'a3', 'u1']);
    expect(q.takeBatch(4)).toEqual(['u2']);
    expect(q.takeBatch(4)).toEqual([]);
    const unbounded = new TagQueue(0);
    for (let i = 0; i < 20_000; i++) unbounded.add(`m${i}`);
    expect(unbounded.dropped).toBe(0);
  });
});

describe('tagMultiSeries (carbon TimeSeriesDatabase.tag)', () => {
  it('POSTs the series as repeated path fields of a multipart form to GRAPHITE_URL/tags/tagMultiSeries', async () => {
    const g = await graphiteStub();
    const paths = ['a.b.c', 'cpu.user;dc=x;host=h1', 'ünï.cödé'];
    await tagMultiSeries(g.url, paths);
    expect(g.received).toEqual([{ method: 'POST', url: '/tags/tagMultiSeries', paths }]);
  });

  it("rejects with carbon's messages on an HTTP error, a refused connection and a timeout", async () => {
    const g = await graphiteStub(500);
    await expect(tagMultiSeries(g.url, ['x'])).rejects.toThrow(`Error response 500 from ${g.url}/tags/tagMultiSeries`);
    const refused = await graphiteStub();
    const url = refused.url;
    await new Promise((r) => servers.pop()!.close(r));
    await expect(tagMultiSeries(url, ['x'])).rejects.toThrow(new RegExp(`^Error requesting ${url}/tags/tagMultiSeries: .*ECONNREFUSED`));
    const slow = await graphiteStub(200, 1000);
    await expect(tagMultiSeries(slow.url, ['x'], 100)).rejects.toThrow(/timed out after 100 ms/);
  });

  it('writes a form any multipart parser reads (urllib3 layout)', () => {
    const { body, contentType } = multipartForm([
      ['path', 'a'],
      ['path', 'b;c=d'],
    ]);
    expect(contentType).toMatch(/^multipart\/form-data; boundary=[0-9a-f]{32}$/);
    expect(formPaths(contentType, body)).toEqual(['a', 'b;c=d']);
  });
});

describe('TagRegistrar (carbon writeTagsForever)', () => {
  it('sends created series first in batches of TAG_BATCH_SIZE, carries on after a failed request', async () => {
    const g = await graphiteStub();
    const calls: string[][] = [];
    let fail = true;
    const r = new TagRegistrar({
      graphiteUrl: g.url,
      batchSize: 2,
      queueSize: 100,
      idleMs: 10,
      post: async (url, paths) => {
        calls.push([...paths]);
        if (fail) {
          fail = false;
          throw new Error('down');
        }
        await tagMultiSeries(url, paths);
      },
    });
    r.onTags(['n1', 'n2', 'n3'], ['u1']);
    r.start();
    for (let i = 0; i < 200 && r.tagged < 2; i++) await new Promise((res) => setTimeout(res, 10));
    r.stop();
    expect(calls).toEqual([
      ['n1', 'n2'],
      ['n3', 'u1'],
    ]);
    expect(r.failures).toBe(1);
    expect(g.received.map((x) => x.paths)).toEqual([['n3', 'u1']]);
    expect(r.tagged).toBe(2);
  });
});

describe('TagRegistrar with full queues', () => {
  it('counts the series TAG_QUEUE_SIZE turned away and still registers the rest', async () => {
    const sent: string[] = [];
    const r = new TagRegistrar({ graphiteUrl: 'http://unused', batchSize: 10, queueSize: 2, idleMs: 5, post: async (_u, p) => void sent.push(...p) });
    r.onTags(['a', 'b', 'c'], ['u1', 'u2', 'u3', 'u4']);
    expect(r.queue.dropped).toBe(3);
    r.start();
    for (let i = 0; i < 100 && sent.length < 4; i++) await new Promise((res) => setTimeout(res, 5));
    r.stop();
    expect(sent).toEqual(['a', 'b', 'u1', 'u2']);
  });
});
