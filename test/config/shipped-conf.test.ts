/** The shipped conf/ folder works out of the box for every daemon. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PROGRAMS, loadSettings } from '../../src/config/carbon-conf.js';
import { parseRegexList } from '../../src/config/lists.js';
import { parseRelayRules } from '../../src/config/relay-rules.js';
import { parseRewriteRules } from '../../src/config/rewrite-rules.js';
import { parseAggregationRules } from '../../src/config/aggregation-rules.js';
import { loadStorageAggregation } from '../../src/config/storage-aggregation.js';
import { loadStorageSchemas } from '../../src/config/storage-schemas.js';

const CONF = resolve(__dirname, '../../conf');
const env = { GRAPHITE_ROOT: '/nonexistent' };

describe('conf/', () => {
  test.each(PROGRAMS)('carbon.conf loads for %s', (program) => {
    const s = loadSettings({ configPath: join(CONF, 'carbon.conf'), program, env });
    expect(s.CONF_DIR).toBe(CONF);
    expect(s.STORAGE_DIR).toBe(resolve('storage'));
    expect(s.LOCAL_DATA_DIR).toBe(resolve('storage/whisper'));
    expect(s.LINE_RECEIVER_INTERFACE).toBe('127.0.0.1');
    expect(s.PICKLE_RECEIVER_INTERFACE).toBe('127.0.0.1');
    expect(s.USE_WHITELIST).toBe(false);
  });
  test('cache listens on 2003 / 2004 / 7002 and every daemon on its own ports', () => {
    const ports = PROGRAMS.map((program) => {
      const s = loadSettings({ configPath: join(CONF, 'carbon.conf'), program, env });
      return [s.LINE_RECEIVER_PORT, s.PICKLE_RECEIVER_PORT];
    });
    expect(ports[0]).toEqual([2003, 2004]);
    expect(new Set(ports.flat()).size).toBe(8);
    const cache = loadSettings({ configPath: join(CONF, 'carbon.conf'), program: 'cache', env });
    expect(cache.CACHE_QUERY_INTERFACE).toBe('127.0.0.1');
    expect(cache.CACHE_QUERY_PORT).toBe(7002);
    const relay = loadSettings({ configPath: join(CONF, 'carbon.conf'), program: 'relay', env });
    expect(relay.DESTINATIONS).toEqual(['127.0.0.1:2004']);
    expect(relay.RELAY_SPILL_ENABLED).toBe(true);
  });
  test('storage schemas and aggregation', () => {
    const schemas = loadStorageSchemas(join(CONF, 'storage-schemas.conf'));
    expect(schemas.match('carbon.agents.x.cpuUsage').name).toBe('carbon');
    expect(schemas.match('servers.web01.load').archives).toEqual([[10, 2160], [60, 10080], [600, 52560]]);
    const agg = loadStorageAggregation(join(CONF, 'storage-aggregation.conf'));
    expect(agg.match('stats.timers.api.upper_90').aggregationMethod).toBe('max');
    expect(agg.match('stats.counters.hits.count')).toMatchObject({ aggregationMethod: 'sum', xFilesFactor: 0 });
    expect(agg.match('servers.web01.load').aggregationMethod).toBe('average');
  });
  test('rules and list examples parse', () => {
    const text = (f: string) => readFileSync(join(CONF, f), 'utf8');
    expect(parseRelayRules(text('relay-rules.conf'), 'relay-rules.conf').length).toBe(1);
    expect(parseAggregationRules(text('aggregation-rules.conf'))).toEqual([]);
    expect(() => parseRewriteRules(text('rewrite-rules.conf'))).not.toThrow();
    expect(parseRegexList(text('whitelist.conf.example'), 'w').length).toBe(3);
    expect(parseRegexList(text('blacklist.conf.example'), 'b').length).toBe(3);
  });
});
