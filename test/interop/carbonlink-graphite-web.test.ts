/**
 * graphite-web's own CarbonLink client (Debian graphite-web, graphite/carbonlink.py, with minimal
 * Django settings) against the carbon-ts CarbonLink server: cached points, metadata through the
 * writer's worker, errors. Needs `npm run build` (the writer worker runs from dist/).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheWriter } from '../../src/cache/cache-writer.js';
import { MetricCache } from '../../src/cache/metric-cache.js';
import { CarbonLinkServer } from '../../src/carbonlink/carbonlink-server.js';
import { Counters } from '../../src/instrumentation/counters.js';
import { defaultWhisperOptions } from '../helpers/writer-options.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'carbon-ts-carbonlink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DRIVER = String.raw`
import sys, json
from django.conf import settings
port = int(sys.argv[1])
settings.configure(
    CARBONLINK_HOSTS=['127.0.0.1:%d:a' % port], CARBONLINK_TIMEOUT=5.0, CARBONLINK_HASHING_KEYFUNC=None,
    CARBONLINK_HASHING_TYPE='carbon_ch', CARBONLINK_RETRY_DELAY=15, CARBONLINK_PICKLE_PROTOCOL=-1,
    REPLICATION_FACTOR=1, CARBON_METRIC_PREFIX='carbon', LOG_DIR=sys.argv[2], LOG_CACHE_PERFORMANCE=False,
    LOG_RENDERING_PERFORMANCE=False, LOG_METRIC_ACCESS=False, LOG_INFO_PERFORMANCE=False, LOG_ROTATION=False,
    LOG_ROTATION_COUNT=1, LOG_FILE_INFO='info.log', LOG_FILE_EXCEPTION='exception.log', LOG_FILE_CACHE='cache.log',
    LOG_FILE_RENDERING='rendering.log',
)
from graphite.carbonlink import CarbonLinkPool, CarbonLinkRequestError
from graphite.util import parseHosts
pool = CarbonLinkPool(parseHosts(settings.CARBONLINK_HOSTS), settings.CARBONLINK_TIMEOUT)
out = {}
out['a.b'] = pool.query('a.b')
out['tagged'] = pool.query('t;x=1;y=2')
out['tagged_unnormalised'] = pool.query('t;y=2;x=1')
out['missing'] = pool.query('no.such.metric')
out['self'] = pool.send_request(dict(type='cache-query', metric='carbon.agents.h-a.cpuUsage'))
out['meta'] = pool.get_metadata('disk.m', 'aggregationMethod')
out['set'] = pool.set_metadata('disk.m', 'aggregationMethod', 'max')
out['meta2'] = pool.get_metadata('disk.m', 'aggregationMethod')
for key, args in [('bad_key', ('disk.m', 'xFilesFactor')), ('no_file', ('nothing.here', 'aggregationMethod'))]:
    try:
        pool.get_metadata(*args)
        out[key] = 'no error'
    except CarbonLinkRequestError as e:
        out[key] = str(e)
try:
    pool.set_metadata('disk.m', 'aggregationMethod', 'bogus')
    out['bad_method'] = 'no error'
except CarbonLinkRequestError as e:
    out['bad_method'] = str(e)
import whisper
out['on_disk'] = whisper.info(sys.argv[3])['aggregationMethod']
print(json.dumps(out))
`;

describe('graphite-web CarbonLink client against carbon-ts', () => {
  it('reads cached points and metadata', async () => {
    const dataDir = join(dir, 'data');
    const cache = new MetricCache();
    const counters = new Counters();
    const writer = new CacheWriter({
      cache,
      counters,
      whisper: defaultWhisperOptions(dataDir),
      matchSchema: () => undefined,
      // Keep everything in the cache while graphite-web asks: (almost) no update tokens, ever.
      maxUpdatesPerSecond: 1e-9,
      idleMs: 20,
    });
    const server = new CarbonLinkServer({ host: '127.0.0.1', port: 0, cache, metadata: writer, counters });
    try {
      await run('/usr/bin/python3', ['-c', `import os, whisper; os.makedirs(${JSON.stringify(join(dataDir, 'disk'))}); whisper.create(${JSON.stringify(join(dataDir, 'disk', 'm.wsp'))}, [(60, 100)])`]);
      writer.start();
      cache.store('a.b', 1700000060, 2.5);
      cache.store('a.b', 1700000000, 1.5);
      cache.store('a.b', 1700000060, 3.5); // duplicate overwrites in place
      cache.store('t;x=1;y=2', 1700000000, 7);
      cache.store('carbon.agents.h-a.cpuUsage', 1700000000, 0.5);
      cache.store('carbon.agents.h-a.cpuUsage', 1700000060, 0.25);
      await server.start();
      const { stdout } = await run('/usr/bin/python3', ['-c', DRIVER, String(server.port), dir, join(dataDir, 'disk', 'm.wsp')], { timeout: 30_000 });
      const out = JSON.parse(stdout);
      expect(out['a.b']).toEqual([
        [1700000060, 3.5],
        [1700000000, 1.5],
      ]);
      expect(out.tagged).toEqual([[1700000000, 7]]);
      expect(out.tagged_unnormalised).toEqual([]);
      expect(out.missing).toEqual([]);
      // send_request_to_all merges dicts of datapoints; carbon answers a list of pairs, so graphite-web's update() turns it into a dict
      expect(out.self.datapoints).toEqual({ '1700000000.0': 0.5, '1700000060.0': 0.25 });
      expect(out.meta).toBe('average');
      expect(out.set).toEqual({ old_value: 'average', new_value: 'max' });
      expect(out.meta2).toBe('max');
      expect(out.bad_key).toContain('Unsupported metadata key "xFilesFactor"');
      expect(out.no_file).toContain('Traceback');
      expect(out.bad_method).toContain('Traceback');
      // The last line as Python's traceback prints it: the whisper module's exception with its module.
      expect(out.bad_method).toMatch(/\nwhisper\.InvalidAggregationMethod: Unrecognized aggregation method: \S+\n$/);
      expect(out.on_disk).toBe('max');
      expect(counters.get('cache.queries')).toBe(5);
    } finally {
      await server.stop();
      await writer.stop();
    }
  });
});
