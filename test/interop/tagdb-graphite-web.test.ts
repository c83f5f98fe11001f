/**
 * ENABLE_TAGS against Debian's graphite-web TagDB: carbon-ts registers the series it creates, as the
 * Python carbon-cache does, so graphite-web's seriesByTag finds them. Both daemons get the same
 * points, each registering with its own graphite-web; the TagDBs must end up with the same series.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, sendTcp, sleep, startDaemon, tempDir, writeConfig } from '../helpers/daemon.js';
import { GraphiteWeb } from '../helpers/graphite-web.js';
import { PythonCarbonCache } from '../helpers/python-carbon.js';

const dirs: string[] = [];
const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
  for (const d of dirs) cleanup(d);
});

const EXPRESSIONS = ['name=plain.a.b', 'name=~^plain', 'host=h1', 'dc=x', 'name=disk.free', 'host=~h'];

async function registered(web: GraphiteWeb, expected: number): Promise<Record<string, string[]>> {
  for (const end = Date.now() + 30_000; Date.now() < end; await sleep(200)) {
    const all = await web.findSeries('name=~.');
    if (all.length >= expected) break;
  }
  const out: Record<string, string[]> = {};
  for (const e of EXPRESSIONS) out[e] = await web.findSeries(e);
  return out;
}

describe('TagDB registration (ENABLE_TAGS) with graphite-web', () => {
  it('registers plain and tagged series as carbon-cache does', async () => {
    const now = Math.floor(Date.now() / 1000);
    const lines = [`plain.a.b 1 ${now}`, `plain.c 2 ${now}`, `cpu.user;host=h1;dc=x 3 ${now}`, `disk.free;host=h2 4 ${now}`, `disk.free;host=h1 5 ${now}`]
      .map((l) => `${l}\n`)
      .join('');

    const tsWebDir = tempDir('carbon-ts-tagdb-web-');
    const pyWebDir = tempDir('carbon-ts-tagdb-pyweb-');
    const tsDir = tempDir('carbon-ts-tagdb-');
    const pyDir = tempDir('carbon-ts-tagdb-py-');
    dirs.push(tsWebDir, pyWebDir, tsDir, pyDir);
    const tsWeb = new GraphiteWeb(tsWebDir);
    const pyWeb = new GraphiteWeb(pyWebDir);
    await Promise.all([tsWeb.start(), pyWeb.start()]);
    stops.push(() => tsWeb.stop(), () => pyWeb.stop());

    const conf = writeConfig(tsDir, { cache: { ...baseOptions(tsDir), ENABLE_TAGS: 'True', GRAPHITE_URL: tsWeb.url } });
    const ts = await startDaemon('cache', conf, tsDir);
    stops.push(() => ts.stop());
    const py = new PythonCarbonCache(pyDir, 'tagdb', undefined, `ENABLE_TAGS = True\nGRAPHITE_URL = ${pyWeb.url}\n`);
    await py.start();
    stops.push(() => py.stop());

    await sendTcp(ts.ports.line!, lines);
    await sendTcp(py.linePort, lines);
    const [mine, theirs] = await Promise.all([registered(tsWeb, 5), registered(pyWeb, 5)]);
    // A failure shows carbon-ts' log: what it sent and what graphite-web answered.
    const context = `carbon-ts log:\n${ts.logs().slice(-3000)}`;
    expect(theirs['host=h1'], 'Python carbon-cache registered').toEqual(['cpu.user;dc=x;host=h1', 'disk.free;host=h1']);
    expect(mine, context).toEqual(theirs);
    expect(ts.logs(), context).not.toContain('Error tagging');
  });
});
