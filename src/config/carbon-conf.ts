/**
 * carbon.conf → typed Settings, reproducing carbon/conf.py's read_config() and the path handling of
 * CarbonCacheOptions.postOptions():
 *
 * 1. defaults (carbon-defaults.ts); CONF_DIR = `$GRAPHITE_CONF_DIR` or `$GRAPHITE_ROOT/conf`, replaced by
 *    the config file's folder when a config path is given; STORAGE_DIR = `$GRAPHITE_STORAGE_DIR` or
 *    `$GRAPHITE_ROOT/storage`. GRAPHITE_ROOT defaults to the carbon-ts install folder, as carbon's
 *    defaults to the folder above its bin/.
 * 2. `[<program>]` (cache, relay, aggregator, aggregator-cache — never inherited from one another),
 *    with [DEFAULT] keys only when that section exists.
 * 3. PID_DIR, LOG_DIR (`STORAGE_DIR/log/carbon-<program>`), LOCAL_DATA_DIR (`STORAGE_DIR/whisper`),
 *    WHITELISTS_DIR (`STORAGE_DIR/lists`) and RELAY_SPILL_DIR (`STORAGE_DIR/spill`) default from the
 *    STORAGE_DIR known at this point — so, as in carbon, a STORAGE_DIR set only in the instance
 *    section does not move them.
 * 4. `[<program>:<instance>]` (instance `a` unless given) overlays.
 * 5. pidfile = PID_DIR/carbon-<program>-<instance>.pid; LOG_DIR gets `carbon-<program>-<instance>`
 *    appended unless a log dir is given; RELAY_SPILL_DIR gets the same suffix so two daemons never
 *    share spill segments (carbon-ts).
 * 6. `~` is expanded and paths normalised. Carbon keeps relative paths relative, so they are relative
 *    to the working directory the daemon was started in (twistd does not change it in the
 *    foreground); carbon-ts resolves them against that same directory once, at load, and holds
 *    absolute paths.
 *
 * Values are converted by the type of the default as carbon does (see carbon-defaults.ts). Where
 * carbon would keep a value it cannot use (a port that is not a number) and fail later, carbon-ts
 * fails at load with a ConfigError naming the file, the line and the key.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ALL_DEFAULTS,
  CARBON_DEFAULTS,
  CARBON_OPTIONAL_NUMBERS,
  CARBON_OPTIONAL_STRINGS,
  CARBON_TS_DEFAULTS,
  type PyValue,
  RELAY_METHODS,
} from './carbon-defaults.js';
import { ConfigError } from './config-error.js';
import { getpwnam } from './passwd.js';
import { PyConfigParser } from './py-configparser.js';
import { pyBoolean, pyFloat, pyInt } from './python-values.js';

export { ConfigError } from './config-error.js';
export type { PyValue } from './carbon-defaults.js';

export type Program = 'cache' | 'relay' | 'aggregator' | 'aggregator-cache';
export const PROGRAMS: readonly Program[] = ['cache', 'relay', 'aggregator', 'aggregator-cache'];

type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;
type DefaultsTable = typeof CARBON_DEFAULTS & typeof CARBON_TS_DEFAULTS;

/** Derived paths, absolute. */
export interface SettingsPaths {
  readonly CONF_DIR: string;
  readonly STORAGE_DIR: string;
  readonly LOCAL_DATA_DIR: string;
  /** Includes the `carbon-<program>-<instance>` folder (or is the log dir given on the command line). */
  readonly LOG_DIR: string;
  readonly PID_DIR: string;
  /** Computed as carbon does, unused by carbon too. */
  readonly WHITELISTS_DIR: string;
  /** carbon-ts: this daemon's spill folder (`RELAY_SPILL_DIR/carbon-<program>-<instance>`). */
  readonly RELAY_SPILL_DIR: string;
  readonly pidfile: string;
  readonly configPath: string;
  readonly whitelistPath: string;
  readonly blacklistPath: string;
  readonly storageSchemasPath: string;
  readonly storageAggregationPath: string;
  /** CONF_DIR/RELAY_RULES unless given (relay). */
  readonly relayRulesPath: string;
  /** CONF_DIR/AGGREGATION_RULES unless given (aggregator, aggregated-* relays). */
  readonly aggregationRulesPath: string;
  /** CONF_DIR/REWRITE_RULES unless given (aggregator). */
  readonly rewriteRulesPath: string;
}

export type Settings = { readonly [K in keyof DefaultsTable]: Widen<DefaultsTable[K]> } & SettingsPaths & {
  readonly MAX_UPDATES_PER_SECOND_ON_SHUTDOWN: number | null;
  readonly PROTOBUF_RECEIVER_PORT: number | null;
  readonly PROTOBUF_RECEIVER_INTERFACE: string | null;
  /** MAX_CACHE_SIZE × 0.95, as carbon computes it. */
  readonly CACHE_SIZE_LOW_WATERMARK: number;
  readonly program: Program;
  /** `carbon-cache`, `carbon-relay`, … (names the pidfile, the log folder). */
  readonly programName: string;
  readonly instance: string;
  /**
   * Every setting as carbon holds it (defaults and every key of the sections read, unknown keys
   * included), Python-typed: carbon's `settings` dict, keys upper-cased.
   */
  readonly raw: ReadonlyMap<string, PyValue>;
  /** Where a key was set: file and line, for messages about a value found wrong later. */
  readonly sources: ReadonlyMap<string, { file: string; line: number }>;
};

export interface LoadSettingsOptions {
  /** carbon.conf; default `$GRAPHITE_CONF_DIR/carbon.conf` or `$GRAPHITE_ROOT/conf/carbon.conf`. */
  configPath?: string;
  program: Program;
  /** Default `a`, as carbon's --instance. */
  instance?: string;
  pidfile?: string;
  logdir?: string;
  whitelist?: string;
  blacklist?: string;
  /** --rules: relay rules (relay) or aggregation rules (aggregators). */
  rules?: string;
  rewriteRules?: string;
  aggregationRules?: string;
  /** Default process.env (GRAPHITE_ROOT, GRAPHITE_CONF_DIR, GRAPHITE_STORAGE_DIR, HOME). */
  env?: NodeJS.ProcessEnv;
  /** Default true: carbon refuses to start any daemon without CONF_DIR/storage-schemas.conf. */
  requireStorageSchemas?: boolean;
}

/** The carbon-ts install folder (package root), carbon's "folder above bin/". */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const NULLABLE_NUMBERS = new Set<string>(['WRITE_BACK_FREQUENCY', 'METRIC_CLIENT_IDLE_TIMEOUT', ...CARBON_OPTIONAL_NUMBERS]);

/** Python os.path.join for two parts: an absolute second part replaces the first. */
function pyJoin(a: string, ...rest: string[]): string {
  let out = a;
  for (const b of rest) out = isAbsolute(b) || out === '' ? b : join(out, b);
  return out;
}

function expandUser(p: string, env: NodeJS.ProcessEnv): string {
  if (p === '~' || p.startsWith('~/')) return (env.HOME ?? homedir()) + p.slice(1);
  if (!p.startsWith('~')) return p;
  // `~name/...`: that account's home, as Python's expanduser finds it (unknown name: unchanged).
  const slash = p.indexOf('/');
  const home = getpwnam(p.slice(1, slash < 0 ? undefined : slash))?.home;
  if (home === undefined) return p;
  return (home.replace(/\/+$/, '') || '/') + (slash < 0 ? '' : p.slice(slash));
}

/** carbon's cleanpath (normpath(expanduser(p))), then made absolute against the working directory. */
function cleanPath(p: string, env: NodeJS.ProcessEnv): string {
  return resolve(normalize(expandUser(p, env)));
}

/** Python's int-then-float-then-str guess for values whose default is not a list or a bool. */
function guessValue(text: string): number | string {
  const i = pyInt(text);
  if (i !== null) return i;
  const f = pyFloat(text);
  if (f !== null) return f;
  return text;
}

class SettingsBuilder {
  readonly values = new Map<string, PyValue>(Object.entries(ALL_DEFAULTS).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]));
  /** Text of keys read from the file (after interpolation), for string-typed fields. */
  readonly texts = new Map<string, string>();
  readonly sources = new Map<string, { file: string; line: number }>();

  constructor(private readonly parser: PyConfigParser) {}

  setDefault(key: string, value: PyValue): void {
    if (!this.values.has(key)) this.values.set(key, value);
  }

  /** carbon's Settings.readFrom(): the section's items (with DEFAULT's), converted by the default's type. */
  readFrom(section: string): void {
    if (!this.parser.hasSection(section)) return;
    for (const item of this.parser.items(section)) {
      const key = item.name.toUpperCase();
      const def = key in ALL_DEFAULTS ? ALL_DEFAULTS[key] : undefined;
      let value: PyValue;
      if (Array.isArray(def)) {
        value = item.value.split(',').map((v) => v.trim());
      } else if (typeof def === 'boolean') {
        const b = pyBoolean(item.value);
        if (b === null) throw new ConfigError(this.parser.file, item.line, `${key} in [${section}]: Not a boolean: ${item.value} (use True/False, yes/no, on/off or 1/0)`);
        value = b;
      } else {
        value = guessValue(item.value);
      }
      this.values.set(key, value);
      this.texts.set(key, item.value);
      this.sources.set(key, { file: this.parser.file, line: item.line });
    }
  }

  /** A value the typed Settings hold as a number: must have parsed as int or float. */
  number(key: string): number {
    const v = this.values.get(key);
    if (typeof v === 'number') return v;
    throw this.bad(key, `expected a number, got ${JSON.stringify(this.texts.get(key) ?? String(v))}`);
  }

  nullableNumber(key: string): number | null {
    const v = this.values.get(key);
    return v === null || v === undefined ? null : this.number(key);
  }

  /** A value the typed Settings hold as text: the text as written (carbon may have made it a number). */
  string(key: string): string {
    const t = this.texts.get(key);
    if (t !== undefined) return t;
    const v = this.values.get(key);
    return v === null || v === undefined ? '' : String(v);
  }

  nullableString(key: string): string | null {
    const v = this.values.get(key);
    return v === null || v === undefined ? null : this.string(key);
  }

  bad(key: string, reason: string): ConfigError {
    const src = this.sources.get(key);
    return new ConfigError(src?.file ?? this.parser.file, src?.line ?? null, `${key}: ${reason}`);
  }
}

/** Reads carbon.conf for one daemon. Throws ConfigError (file, line, reason) on anything unusable. */
export function loadSettings(opts: LoadSettingsOptions): Settings {
  const env = opts.env ?? process.env;
  const program = opts.program;
  if (!PROGRAMS.includes(program)) throw new ConfigError(opts.configPath ?? 'carbon.conf', null, `unknown program '${program}'`);
  const programName = `carbon-${program}`;
  const instance = opts.instance ?? 'a';
  const graphiteRoot = env.GRAPHITE_ROOT ?? PACKAGE_ROOT;

  let confDir = env.GRAPHITE_CONF_DIR ?? pyJoin(graphiteRoot, 'conf');
  let configPath: string;
  if (opts.configPath === undefined) {
    configPath = pyJoin(confDir, 'carbon.conf');
  } else {
    configPath = opts.configPath;
    confDir = dirname(normalize(configPath));
  }
  if (!existsSync(configPath)) throw new ConfigError(configPath, null, 'missing required config (carbon.conf not found)');

  const parser = PyConfigParser.readFile(configPath);
  const b = new SettingsBuilder(parser);
  b.setDefault('CONF_DIR', confDir);
  b.setDefault('STORAGE_DIR', env.GRAPHITE_STORAGE_DIR ?? pyJoin(graphiteRoot, 'storage'));

  const storageDeps = () => {
    const storage = b.string('STORAGE_DIR');
    b.setDefault('PID_DIR', storage);
    b.setDefault('LOG_DIR', pyJoin(storage, 'log', programName));
    b.setDefault('LOCAL_DATA_DIR', pyJoin(storage, 'whisper'));
    b.setDefault('WHITELISTS_DIR', pyJoin(storage, 'lists'));
    b.setDefault('RELAY_SPILL_DIR', pyJoin(storage, 'spill'));
  };
  b.readFrom(program);
  storageDeps();
  // `--instance ''` is no instance to carbon: no overlay section, no suffix on the pidfile and log dir.
  const suffix = instance === '' ? '' : `-${instance}`;
  if (instance !== '') b.readFrom(`${program}:${instance}`);
  const pidfile = opts.pidfile ?? pyJoin(b.string('PID_DIR'), `${programName}${suffix}.pid`);
  const logDir = opts.logdir ?? (instance === '' ? b.string('LOG_DIR') : pyJoin(b.string('LOG_DIR'), `${programName}${suffix}`));
  const spillDir = pyJoin(b.string('RELAY_SPILL_DIR'), `${programName}${suffix}`);

  const CONF_DIR = cleanPath(b.string('CONF_DIR'), env);
  const typed: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(ALL_DEFAULTS)) {
    if (Array.isArray(def)) {
      const v = b.values.get(key);
      typed[key] = Array.isArray(v) ? v : [String(v)];
    } else if (typeof def === 'boolean') typed[key] = b.values.get(key);
    else if (typeof def === 'number') typed[key] = b.number(key);
    else if (NULLABLE_NUMBERS.has(key)) typed[key] = b.nullableNumber(key);
    else if (def === null) typed[key] = b.nullableString(key);
    else typed[key] = b.string(key);
  }
  for (const key of CARBON_OPTIONAL_NUMBERS) typed[key] = b.nullableNumber(key);
  for (const key of CARBON_OPTIONAL_STRINGS) typed[key] = b.nullableString(key);

  // Ports of the listeners this daemon opens. carbon int()s a receiver port (52713.5 listens on
  // 52713) and fails deep in Twisted on one out of range or not finite; CACHE_QUERY_PORT must be an
  // int already. Here such a port fails at start with the file and line.
  const receiverPorts = ['LINE_RECEIVER_PORT', 'PICKLE_RECEIVER_PORT'];
  if (typed.ENABLE_UDP_LISTENER) receiverPorts.push('UDP_RECEIVER_PORT');
  if (typed.PROTOBUF_RECEIVER_PORT !== null && typed.PROTOBUF_RECEIVER_PORT !== undefined) receiverPorts.push('PROTOBUF_RECEIVER_PORT');
  const checkPort = (key: string, truncate: boolean): void => {
    const v = typed[key] as number;
    const port = truncate && Number.isFinite(v) ? Math.trunc(v) : v;
    if (!Number.isInteger(port)) throw b.bad(key, `not a port number: ${b.string(key)}${truncate ? '' : ' (carbon needs an integer here)'}`);
    if (port < 0 || port > 65535) throw b.bad(key, `port ${port} is out of range (0-65535)`);
    typed[key] = port;
  };
  for (const key of receiverPorts) checkPort(key, true);
  if (program === 'cache' || program === 'aggregator-cache') checkPort('CACHE_QUERY_PORT', false);

  const database = b.string('DATABASE');
  if (database !== 'whisper') {
    throw b.bad('DATABASE', `No database plugin implemented for '${database}' (carbon-ts stores only whisper)`);
  }
  const relayMethod = b.string('RELAY_METHOD');
  if (program === 'relay' && !(RELAY_METHODS as readonly string[]).includes(relayMethod)) {
    throw b.bad('RELAY_METHOD', `must be one of ${RELAY_METHODS.join(', ')}. Invalid value: '${relayMethod}'`);
  }

  const storageSchemasPath = pyJoin(CONF_DIR, 'storage-schemas.conf');
  if ((opts.requireStorageSchemas ?? true) && !existsSync(storageSchemasPath)) {
    throw new ConfigError(storageSchemasPath, null, `missing required config (every carbon daemon needs storage-schemas.conf next to ${configPath})`);
  }
  const isAggregator = program === 'aggregator' || program === 'aggregator-cache';
  const paths: SettingsPaths = {
    CONF_DIR,
    STORAGE_DIR: cleanPath(b.string('STORAGE_DIR'), env),
    LOCAL_DATA_DIR: cleanPath(b.string('LOCAL_DATA_DIR'), env),
    LOG_DIR: cleanPath(logDir, env),
    PID_DIR: cleanPath(b.string('PID_DIR'), env),
    WHITELISTS_DIR: cleanPath(b.string('WHITELISTS_DIR'), env),
    RELAY_SPILL_DIR: cleanPath(spillDir, env),
    pidfile: cleanPath(pidfile, env),
    configPath: resolve(configPath),
    whitelistPath: resolve(opts.whitelist ?? pyJoin(CONF_DIR, 'whitelist.conf')),
    blacklistPath: resolve(opts.blacklist ?? pyJoin(CONF_DIR, 'blacklist.conf')),
    storageSchemasPath,
    storageAggregationPath: pyJoin(CONF_DIR, 'storage-aggregation.conf'),
    relayRulesPath: resolve((program === 'relay' ? opts.rules : undefined) ?? pyJoin(CONF_DIR, b.string('RELAY_RULES'))),
    aggregationRulesPath: resolve((isAggregator ? opts.rules : opts.aggregationRules) ?? pyJoin(CONF_DIR, b.string('AGGREGATION_RULES'))),
    rewriteRulesPath: resolve(opts.rewriteRules ?? pyJoin(CONF_DIR, b.string('REWRITE_RULES'))),
  };
  for (const [k, v] of Object.entries(paths)) {
    if (k === k.toUpperCase()) b.values.set(k, v);
  }
  b.values.set('pidfile', paths.pidfile);
  b.values.set('program', programName);
  b.values.set('instance', instance);
  const maxCache = typed.MAX_CACHE_SIZE as number;
  b.values.set('CACHE_SIZE_LOW_WATERMARK', maxCache * 0.95);

  return Object.freeze({
    ...typed,
    ...paths,
    CACHE_SIZE_LOW_WATERMARK: maxCache * 0.95,
    program,
    programName,
    instance,
    raw: b.values,
    sources: b.sources,
  }) as unknown as Settings;
}
