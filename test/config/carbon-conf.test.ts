import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, loadSettings } from '../../src/config/carbon-conf.js';
import { PyConfigParser } from '../../src/config/py-configparser.js';
import { pyFloat, pyInt } from '../../src/config/python-values.js';

const dir = mkdtempSync(join(tmpdir(), 'carbon-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'storage-schemas.conf'), '[default]\npattern = .*\nretentions = 60:1d\n');
let n = 0;
function conf(text: string): string {
  const p = join(dir, `c${n++}.conf`);
  writeFileSync(p, text);
  return p;
}
const env = { GRAPHITE_ROOT: '/opt/graphite', HOME: '/home/op' };

describe('loadSettings', () => {
  test("carbon's defaults for keys the file does not set", () => {
    const s = loadSettings({ configPath: conf('[cache]\n'), program: 'cache', env });
    expect(s.LINE_RECEIVER_PORT).toBe(2003);
    expect(s.MAX_CACHE_SIZE).toBe(Infinity);
    expect(s.CACHE_SIZE_LOW_WATERMARK).toBe(Infinity);
    expect(s.MAX_QUEUE_SIZE).toBe(1000);
    expect(s.DIVERSE_REPLICAS).toBe(true);
    expect(s.ROUTER_HASH_TYPE).toBeNull();
    expect(s.WRITE_BACK_FREQUENCY).toBeNull();
    expect(s.DESTINATIONS).toEqual([]);
    expect(s.MAX_UPDATES_PER_SECOND_ON_SHUTDOWN).toBeNull();
    expect(s.instance).toBe('a');
    expect(s.CONF_DIR).toBe(dir);
    expect(s.STORAGE_DIR).toBe('/opt/graphite/storage');
    expect(s.LOCAL_DATA_DIR).toBe('/opt/graphite/storage/whisper');
    expect(s.LOG_DIR).toBe('/opt/graphite/storage/log/carbon-cache/carbon-cache-a');
    expect(s.pidfile).toBe('/opt/graphite/storage/carbon-cache-a.pid');
    expect(s.whitelistPath).toBe(join(dir, 'whitelist.conf'));
    expect(s.storageSchemasPath).toBe(join(dir, 'storage-schemas.conf'));
  });
  test('carbon-ts settings default to no loss', () => {
    const s = loadSettings({ configPath: conf('[relay]\n'), program: 'relay', env });
    expect(s.RELAY_SPILL_ENABLED).toBe(true);
    expect(s.RELAY_SPILL_MAX_BYTES).toBe(1073741824);
    expect(s.RELAY_SPILL_SEGMENT_BYTES).toBe(16777216);
    expect(s.RELAY_REPLAY_MAX_POINTS_PER_SECOND).toBe(50000);
    expect(s.RELAY_RECONNECT_MAX_DELAY).toBe(5); // carbon's CarbonClientFactory.maxDelay
    expect(s.CREATE_QUEUE_ENABLED).toBe(true);
    expect(s.CREATE_QUEUE_MAX_SIZE).toBe(Infinity);
    expect(s.WHISPER_MAX_OPEN_FILES).toBe(0);
    expect(s.AGGREGATION_LATENESS_WINDOW).toBe(0);
    expect(s.RELAY_SPILL_DIR).toBe('/opt/graphite/storage/spill/carbon-relay-a');
  });
  test('program section, instance overlay, nothing inherited across daemons', () => {
    const p = conf('[cache]\nLINE_RECEIVER_PORT = 2103\n[cache:b]\nLINE_RECEIVER_PORT = 2203\n[relay]\nDESTINATIONS = a:1, b:2:x\n');
    expect(loadSettings({ configPath: p, program: 'cache', env }).LINE_RECEIVER_PORT).toBe(2103);
    const b = loadSettings({ configPath: p, program: 'cache', instance: 'b', env });
    expect(b.LINE_RECEIVER_PORT).toBe(2203);
    expect(b.pidfile).toBe('/opt/graphite/storage/carbon-cache-b.pid');
    const r = loadSettings({ configPath: p, program: 'relay', env });
    expect(r.LINE_RECEIVER_PORT).toBe(2003);
    expect(r.DESTINATIONS).toEqual(['a:1', 'b:2:x']);
  });
  test("--instance '' is no instance, as in carbon: no [cache:] overlay, no suffix on pidfile and log dir", () => {
    const p = conf('[cache]\nLINE_RECEIVER_PORT = 2103\nPID_DIR = /run/c\nLOG_DIR = /var/log/c\n\n[cache:]\nLINE_RECEIVER_PORT = 2203\n');
    const s = loadSettings({ configPath: p, program: 'cache', instance: '', env });
    expect(s.LINE_RECEIVER_PORT).toBe(2103);
    expect(s.pidfile).toBe('/run/c/carbon-cache.pid');
    expect(s.LOG_DIR).toBe('/var/log/c');
    expect(loadSettings({ configPath: p, program: 'cache', env }).pidfile).toBe('/run/c/carbon-cache-a.pid');
  });
  test('STORAGE_DIR only in the instance section does not move the derived folders (as carbon)', () => {
    const s = loadSettings({ configPath: conf('[cache]\n[cache:a]\nSTORAGE_DIR = /data\n'), program: 'cache', env });
    expect(s.STORAGE_DIR).toBe('/data');
    expect(s.LOCAL_DATA_DIR).toBe('/opt/graphite/storage/whisper');
  });
  test('relative paths resolve against the working directory; ~ expands', () => {
    const s = loadSettings({ configPath: conf('[cache]\nSTORAGE_DIR = storage\nPID_DIR = ~/run\n'), program: 'cache', env });
    expect(s.LOCAL_DATA_DIR).toBe(join(process.cwd(), 'storage/whisper'));
    expect(s.PID_DIR).toBe('/home/op/run');
    // ~name: that account's home (root's from the passwd database, as Python's expanduser reads it).
    const rootHome = execFileSync('getent', ['passwd', 'root'], { encoding: 'utf8' }).split(':')[5];
    const t = loadSettings({ configPath: conf('[cache]\nLOG_DIR = ~root/x\nPID_DIR = ~nosuchuserzz/run\n'), program: 'cache', env });
    expect(t.LOG_DIR).toBe(join(rootHome, 'x', 'carbon-cache-a'));
    expect(t.PID_DIR).toBe(join(process.cwd(), '~nosuchuserzz/run'));
  });
  test('environment: GRAPHITE_STORAGE_DIR, GRAPHITE_CONF_DIR', () => {
    writeFileSync(join(dir, 'carbon.conf'), '[cache]\n');
    const s = loadSettings({ program: 'cache', env: { GRAPHITE_ROOT: '/x', GRAPHITE_CONF_DIR: dir, GRAPHITE_STORAGE_DIR: '/var/lib/g' } });
    expect(s.STORAGE_DIR).toBe('/var/lib/g');
    expect(s.configPath).toBe(join(dir, 'carbon.conf'));
  });
  test('values keep their unknown keys and Python types in raw', () => {
    const s = loadSettings({ configPath: conf('[cache]\nMY_KEY = 12\nOTHER = 1.5\nTEXT = hi\n'), program: 'cache', env });
    expect(s.raw.get('MY_KEY')).toBe(12);
    expect(s.raw.get('OTHER')).toBe(1.5);
    expect(s.raw.get('TEXT')).toBe('hi');
  });
  test.each([
    ['[cache]\nUSE_WHITELIST = maybe\n', 2, /USE_WHITELIST.*Not a boolean: maybe/],
    ['[cache]\nLINE_RECEIVER_PORT = twenty\n', 2, /LINE_RECEIVER_PORT: expected a number/],
    ['[cache]\n\nX = 50%\n', 3, /'%' must be followed by/],
    ['[cache]\nA = 1\na = 2\n', 3, /appears twice/],
    ['A = 1\n', 1, /before the first \[section\]/],
    ['[cache]\nok = 1\njust words\n', 3, /not a \[section\]/],
    ['[cache]\nDATABASE = ceres\n', 2, /No database plugin/],
  ])('rejects %j at line %i', (text, line, re) => {
    try {
      loadSettings({ configPath: conf(text), program: 'cache', env });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).line).toBe(line);
      expect((e as Error).message).toMatch(re);
    }
  });
  test('listener ports: a fraction is cut as carbon int()s it; out of range, inf, nan or a fractional CACHE_QUERY_PORT fail naming file and line', () => {
    expect(loadSettings({ configPath: conf('[cache]\nLINE_RECEIVER_PORT = 52713.5\n'), program: 'cache', env }).LINE_RECEIVER_PORT).toBe(52713);
    for (const [text, re] of [
      ['LINE_RECEIVER_PORT = 70000', /:3: LINE_RECEIVER_PORT: port 70000 is out of range/],
      ['PICKLE_RECEIVER_PORT = -1', /:3: PICKLE_RECEIVER_PORT: port -1 is out of range/],
      ['LINE_RECEIVER_PORT = inf', /:3: LINE_RECEIVER_PORT: not a port number: inf/],
      ['LINE_RECEIVER_PORT = nan', /:3: LINE_RECEIVER_PORT: not a port number: nan/],
      ['CACHE_QUERY_PORT = 57712.5', /:3: CACHE_QUERY_PORT: not a port number: 57712.5 \(carbon needs an integer here\)/],
    ] as const) {
      const p = conf(`[cache]\nUSE_FLOW_CONTROL = True\n${text}\n`);
      expect(() => loadSettings({ configPath: p, program: 'cache', env }), text).toThrow(ConfigError);
      expect(() => loadSettings({ configPath: p, program: 'cache', env }), text).toThrow(re);
    }
    // A listener that is off is not looked at (carbon never reads its port either).
    expect(() => loadSettings({ configPath: conf('[cache]\nUDP_RECEIVER_PORT = 70000\n'), program: 'cache', env })).not.toThrow();
    expect(() => loadSettings({ configPath: conf('[relay]\nCACHE_QUERY_PORT = 1.5\n'), program: 'relay', env })).not.toThrow();
  });
  test('relay RELAY_METHOD must be a carbon router', () => {
    expect(() => loadSettings({ configPath: conf('[relay]\nRELAY_METHOD = random\n'), program: 'relay', env })).toThrow(/RELAY_METHOD: must be one of/);
  });
  test('missing carbon.conf or storage-schemas.conf', () => {
    expect(() => loadSettings({ configPath: join(dir, 'nope.conf'), program: 'cache', env })).toThrow(ConfigError);
    const other = mkdtempSync(join(tmpdir(), 'carbon-conf-noschemas-'));
    try {
      writeFileSync(join(other, 'carbon.conf'), '[cache]\n');
      expect(() => loadSettings({ configPath: join(other, 'carbon.conf'), program: 'cache', env })).toThrow(/storage-schemas.conf/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('PyConfigParser', () => {
  test('continuations, comments inside values, header trailing text, inline comments kept', () => {
    const p = PyConfigParser.parse('[s] trailing\nk = a\n  b\n# c\n\n  d\nx = 1 ; not a comment\n', 'f');
    expect(p.items('s')).toEqual([
      { name: 'k', value: 'a\nb\n\nd', line: 2 },
      { name: 'x', value: '1 ; not a comment', line: 7 },
    ]);
  });
  test('interpolation through DEFAULT, %% and nesting', () => {
    const p = PyConfigParser.parse('[DEFAULT]\nroot = /r\n[s]\ndir = %(root)s/d\nsub = %(DIR)s/x 100%%\n', 'f');
    expect(p.items('s').map((i) => i.value)).toEqual(['/r', '/r/d', '/r/d/x 100%']);
  });
});

describe('Python number parsing', () => {
  test.each([
    ['007', 7, 7], ['1_000', 1000, 1000], ['_1', null, null], ['+5', 5, 5], ['1.', null, 1], ['1e3', null, 1000],
    ['inf', null, Infinity], ['-Infinity', null, -Infinity], ['0x10', null, null], ['٣', 3, 3],
  ])('%s → int %s, float %s', (s, i, f) => {
    expect(pyInt(s)).toBe(i);
    expect(pyFloat(s)).toBe(f);
  });
});

describe('carbon options carbon-ts does not act on', () => {
  test('are reported with file and line when set to something other than the default, and only then', async () => {
    const { unsupportedSettings } = await import('../../src/config/unsupported-options.js');
    const p = conf('[relay]\nENABLE_AMQP = True\nDESTINATION_TRANSPORT = none\nUSE_RATIO_RESET = True\nTCP_KEEPCNT = 2\n');
    const messages = unsupportedSettings(loadSettings({ configPath: p, program: 'relay', env }));
    expect(messages).toEqual([
      `${p}:2: ENABLE_AMQP is not supported by carbon-ts and has no effect: the AMQP listener is not implemented`,
      `${p}:4: USE_RATIO_RESET is not supported by carbon-ts and has no effect: connections are not reset by the ratio of sent to received points`,
    ]);
    expect(unsupportedSettings(loadSettings({ configPath: conf('[relay]\n'), program: 'relay', env }))).toEqual([]);
  });
});
