/**
 * storage-schemas.conf and storage-aggregation.conf: carbon-ts's loaders against carbon/storage.py's
 * loadStorageSchemas()/loadAggregationSchemas() (installed graphite-carbon via /usr/bin/python3) on
 * files full of quirks — same schema for every metric name, and a file carbon refuses is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadStorageAggregation } from '../../src/config/storage-aggregation.js';
import { loadStorageSchemas } from '../../src/config/storage-schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'storage-config-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const METRICS = [
  'carbon.agents.host-a.cpuUsage', 'carbon.relays.x.metricsReceived', 'stats.timers.api.mean', 'stats.counters.hits.count',
  'servers.web01.cpu.user', 'servers.db01.disk.sda.reads', 'collectd.host.load', 'a', 'app.requests.sum', 'app.latency.p99',
  'app.min', 'app.max_value', 'disk.count;host=web01;dc=eu', 'cpu;host=a', 'tagged.name;env=prod', 'UPPER.Case', 'x.y.z.lower',
];

const SCHEMAS: Record<string, string> = {
  typical: `[carbon]
pattern = ^carbon\\.
retentions = 60:90d

[stats]
pattern = ^stats\\.
retentions = 10s:6h,1m:7d,10m:5y

[tagged]
pattern = ;env=prod
retentions = 1h:30d

[catchall]
pattern = .*
retentions = 60s:1d
`,
  quirks: `[DEFAULT]
retentions = 5m:1y
[no_pattern]
retentions = 1:10
[empty_pattern]
pattern =
[servers]
PATTERN = ^servers\\.(web|db)\\d+
Retentions = 1m:1d, 5m:30d
[bad_list]
pattern = .*
retentions = 60:10,60:20
[notsubdivide]
pattern = ^collectd
retentions = 7:100,10:100
[ default_like ] trailing
pattern = .*
retentions = 1:1
[points]
pattern = \\.lower$
retentions = 15s:100,1h:1000
[tags]
pattern = ;host=
`,
  badRetention: '[a]\npattern = .*\nretentions = 60:1x\n',
  badRetention2: '[a]\nretentions = 60\n',
  zeroPrecision: '[a]\npattern = .*\nretentions = 0:1d\n',
  badRegex: '[a]\npattern = (\nretentions = 60:10\n',
  percent: '[a]\npattern = 100%\nretentions = 60:10\n',
  empty: '',
};

const AGGREGATIONS: Record<string, string> = {
  typical: `[min]
pattern = \\.min$
xFilesFactor = 0.1
aggregationMethod = min

[max]
pattern = \\.max
aggregationMethod = max

[sum]
pattern = \\.(count|sum)$
xFilesFactor = 0
aggregationMethod = sum

[default_average]
pattern = .*
xFilesFactor = 0.3
`,
  quirks: `[bad_xff]
pattern = .*
xFilesFactor = half
[nopattern]
xFilesFactor = 0.2
[only_xff]
pattern = ^app
xfilesfactor = 1
[later]
pattern = ^app
aggregationMethod = last
[tags]
pattern = ;dc=
aggregationMethod = absmax
`,
  xffRange: '[a]\npattern = .*\nxFilesFactor = 1.5\n',
  badMethod: '[a]\npattern = .*\naggregationMethod = median\n',
  badMethodNoPattern: '[a]\naggregationMethod = median\n',
  missing: '',
};

const PY = String.raw`
import json, sys
from carbon.conf import settings
settings.update({'CONF_DIR': '/nonexistent', 'LOCAL_DATA_DIR': '/nonexistent'})
from carbon import state, storage
from carbon.database import WhisperDatabase
state.database = WhisperDatabase(settings)
req = json.load(sys.stdin)
out = {'schemas': {}, 'aggregations': {}}
def run(loader, metrics, show):
    try:
        schemas = loader()
    except BaseException as e:
        return {'error': type(e).__name__ + ': ' + str(e)}
    res = []
    for m in metrics:
        for s in schemas:
            if s.matches(m):
                res.append(show(s)); break
    return {'matches': res}
for name, path in req['schemas'].items():
    storage.STORAGE_SCHEMAS_CONFIG = path
    out['schemas'][name] = run(storage.loadStorageSchemas, req['metrics'], lambda s: [s.name, [list(a.getTuple()) for a in s.archives]])
for name, path in req['aggregations'].items():
    storage.STORAGE_AGGREGATION_CONFIG = path
    out['aggregations'][name] = run(storage.loadAggregationSchemas, req['metrics'], lambda s: [s.name, s.archives[0], s.archives[1]])
open(req['out'], 'w').write(json.dumps(out))
`;

const paths = (files: Record<string, string>, kind: string) =>
  Object.fromEntries(
    Object.entries(files).map(([name, text]) => {
      const p = join(dir, `${kind}-${name}.conf`);
      if (name !== 'missing') writeFileSync(p, text);
      return [name, p];
    }),
  );
const schemaPaths = paths(SCHEMAS, 'schemas');
const aggregationPaths = paths(AGGREGATIONS, 'aggregation');
const outPath = join(dir, 'out.json');
execFileSync('/usr/bin/python3', ['-c', PY], { input: JSON.stringify({ schemas: schemaPaths, aggregations: aggregationPaths, metrics: METRICS, out: outPath }), stdio: ['pipe', 'ignore', 'pipe'] });
type Out = { error: string } | { matches: unknown[] };
if (process.env.SHOW_PY) console.log(readFileSync(outPath, 'utf8'));
const py = JSON.parse(readFileSync(outPath, 'utf8')) as { schemas: Record<string, Out>; aggregations: Record<string, Out> };

function check(result: Out, load: () => { match(m: string): unknown }, show: (s: never) => unknown) {
  if ('error' in result) {
    expect(() => load(), `carbon refuses it: ${result.error}`).toThrow(ConfigError);
    return;
  }
  const loaded = load();
  expect(METRICS.map((m) => show(loaded.match(m) as never))).toEqual(result.matches);
}

describe('storage-schemas.conf vs carbon', () => {
  for (const name of Object.keys(SCHEMAS)) {
    test(name, () =>
      check(py.schemas[name]!, () => loadStorageSchemas(schemaPaths[name]!), (s: { name: string; archives: readonly (readonly number[])[] }) => [s.name, s.archives.map((a) => [...a])]),
    );
  }
});

describe('storage-aggregation.conf vs carbon', () => {
  for (const name of Object.keys(AGGREGATIONS)) {
    test(name, () =>
      check(py.aggregations[name]!, () => loadStorageAggregation(aggregationPaths[name]!), (s: { name: string; xFilesFactor: number | null; aggregationMethod: string | null }) => [s.name, s.xFilesFactor, s.aggregationMethod]),
    );
  }
});
