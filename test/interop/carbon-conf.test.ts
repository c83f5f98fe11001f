/**
 * loadSettings() against carbon's own read_config() (Debian's graphite-carbon, via /usr/bin/python3)
 * on a set of carbon.conf files full of parsing quirks: every setting carbon computes must have the
 * same value in carbon-ts, and a file carbon refuses must be refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, type Program, loadSettings } from '../../src/config/carbon-conf.js';

const dir = mkdtempSync(join(tmpdir(), 'carbon-conf-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'storage-schemas.conf'), '[default]\npattern = .*\nretentions = 60:1d\n');

const PY = String.raw`
import json, os, sys, math
from carbon.conf import read_config
req = json.load(sys.stdin)
os.environ['GRAPHITE_ROOT'] = req['root']
def enc(v):
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)): return {'float': repr(v)}
    if isinstance(v, float): return {'float': repr(v)}
    return v
out = []
for case in req['cases']:
    try:
        s = read_config('carbon-' + case['program'], {'config': case['config'], 'instance': case['instance'], 'pidfile': None, 'logdir': None})
    except BaseException as e:
        out.append({'error': type(e).__name__ + ': ' + str(e)}); continue
    for k in ('STORAGE_DIR', 'LOCAL_DATA_DIR', 'WHITELISTS_DIR', 'PID_DIR', 'LOG_DIR', 'pidfile', 'CONF_DIR'):
        s[k] = os.path.abspath(os.path.normpath(os.path.expanduser(s[k])))
    out.append({'settings': {k: enc(v) for k, v in s.items()}})
json.dump(out, sys.stdout)
`;

const FILES: Record<string, string> = {
  minimal: '[cache]\n',
  quirks: `# leading comment
[DEFAULT]
base = /srv/graphite
ENABLE_TAGS = no

[cache]
STORAGE_DIR = %(base)s/storage
LINE_RECEIVER_INTERFACE = 127.0.0.1
line_receiver_port = 2103
PICKLE_RECEIVER_PORT: 2104
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = 1_000
MAX_CREATES_PER_MINUTE = 1e3
CACHE_QUERY_PORT = 7102
CACHE_WRITE_STRATEGY = max # inline comments are part of the value
USE_FLOW_CONTROL = On
WHISPER_AUTOFLUSH = 1
LOG_UPDATES = FALSE
CARBON_METRIC_PREFIX = 100%%
GRAPHITE_URL = http://example:8080
BIND_PATTERNS = a.#,  b.* ,c
TAG_QUEUE_SIZE = 5
MY_OWN_KEY = 0x10
ANOTHER = 12.50
MULTI = first
  second line

  after blank
    ; comment inside value
  last
USER =
[cache:b]
CACHE_QUERY_PORT = 7202
STORAGE_DIR = /elsewhere
LOG_DIR = logs/b
[relay]
DESTINATIONS = 127.0.0.1:2004:a,
  127.0.0.1:2104:b
RELAY_METHOD = consistent-hashing
REPLICATION_FACTOR = 2
DIVERSE_REPLICAS = false
bad = %(nothing)s
[aggregator]
LOCAL_DATA_DIR = ~/whisper
PID_DIR = run
MAX_AGGREGATION_INTERVALS = 10
WRITE_BACK_FREQUENCY = 0.5
[aggregator-cache]
FORWARD_ALL = no
`,
  badBool: '[cache]\nUSE_WHITELIST = maybe\n',
  badPercent: '[cache]\nX = 50%\n',
  missingRef: '[cache]\nX = %(y)s\n',
  dupKey: '[cache]\nA = 1\na = 2\n',
  dupSection: '[cache]\nA = 1\n[cache]\nB = 2\n',
  noSection: 'A = 1\n[cache]\n',
  garbage: '[cache]\njust words\n',
  defaultOnly: '[DEFAULT]\nLINE_RECEIVER_PORT = 9\n[relay]\n',
  crlf: '[cache]\r\nLINE_RECEIVER_PORT = 2203\r\nUSE_WHITELIST = yes\r\n',
  shipped: readFileSync(join(__dirname, '../../conf/carbon.conf'), 'utf8'),
};
const CASES: { file: string; program: Program; instance: string }[] = [];
for (const file of Object.keys(FILES)) {
  writeFileSync(join(dir, `${file}.conf`), FILES[file]!);
  for (const program of ['cache', 'relay', 'aggregator', 'aggregator-cache'] as Program[]) CASES.push({ file, program, instance: 'a' });
}
CASES.push({ file: 'quirks', program: 'cache', instance: 'b' });

type PyOut = { error: string } | { settings: Record<string, unknown> };
const pyResults = JSON.parse(
  execFileSync('/usr/bin/python3', ['-c', PY], {
    input: JSON.stringify({ root: dir, cases: CASES.map((c) => ({ ...c, config: join(dir, `${c.file}.conf`) })) }),
    cwd: dir,
  }).toString(),
) as PyOut[];

/** Python's value as JSON (floats tagged) vs carbon-ts's raw value. */
function pyEquals(py: unknown, ts: unknown): boolean {
  if (py !== null && typeof py === 'object' && 'float' in (py as object)) {
    const r = (py as { float: string }).float;
    const f = r === 'inf' ? Infinity : r === '-inf' ? -Infinity : r === 'nan' ? NaN : Number(r);
    return Object.is(f, ts) || f === ts;
  }
  return JSON.stringify(py) === JSON.stringify(ts);
}

// 1.1.8+ options Debian's 1.1.7 does not know: its type guess differs by design.
const NEWER_THAN_REFERENCE = new Set(['LOG_LISTENER_CONN_LOST', 'SKIP_TAGS_FOR_NONTAGGED']);

describe('loadSettings vs carbon read_config', () => {
  CASES.forEach((c, i) => {
    test(`${c.file} [${c.program}:${c.instance}]`, () => {
      const py = pyResults[i]!;
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        if ('error' in py) {
          const bad = (() => {
            try {
              loadSettings({ configPath: join(dir, `${c.file}.conf`), program: c.program, instance: c.instance, env: { GRAPHITE_ROOT: dir, HOME: process.env.HOME } });
              return null;
            } catch (e) {
              return e;
            }
          })();
          expect(bad, `carbon refuses it: ${py.error}`).toBeInstanceOf(ConfigError);
          return;
        }
        const s = loadSettings({ configPath: join(dir, `${c.file}.conf`), program: c.program, instance: c.instance, env: { GRAPHITE_ROOT: dir, HOME: process.env.HOME } });
        for (const [key, value] of Object.entries(py.settings)) {
          if (NEWER_THAN_REFERENCE.has(key)) continue;
          expect(pyEquals(value, s.raw.get(key)), `${key}: carbon ${JSON.stringify(value)} carbon-ts ${JSON.stringify(s.raw.get(key))}`).toBe(true);
        }
      } finally {
        process.chdir(cwd);
      }
    });
  });
});
