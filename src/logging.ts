import { existsSync, fstatSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Logging for every module. Until configureLogging() is called (daemon start) logs go to stderr at
 * `info`, which is what tools and tests see. Modules import `log` lazily through getLogger() so
 * that reconfiguration reaches them.
 */
let root: Logger = pino({ level: process.env.CARBON_TS_LOG_LEVEL ?? 'info' }, pino.destination(2));

const children = new Map<string, Logger>();

/**
 * carbon's log types: under a log directory each has its own file, `<type>.log` (carbon's
 * logdir_observer); every other component writes console.log.
 */
export const CARBON_LOG_TYPES: ReadonlySet<string> = new Set(['cache', 'clients', 'creates', 'updates', 'listener', 'relay', 'aggregator', 'query', 'tagdb']);
/** With a log directory: makes the logger of one `<type>.log` file. */
let typeRoot: ((type: string) => Logger) | null = null;

function child(component: string): Logger {
  let l = children.get(component);
  if (!l) {
    l = (typeRoot && CARBON_LOG_TYPES.has(component) ? typeRoot(component) : root).child({ component });
    children.set(component, l);
  }
  return l;
}

type LogFn = (objOrMsg: unknown, ...args: unknown[]) => void;
export interface Log {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  isDebug(): boolean;
}

/** A component's logger; it follows configureLogging() made later. */
export function getLogger(component: string): Log {
  const call =
    (level: 'debug' | 'info' | 'warn' | 'error' | 'fatal'): LogFn =>
    (o, ...a) =>
      (child(component)[level] as (...x: unknown[]) => void)(o, ...a);
  return {
    debug: call('debug'),
    info: call('info'),
    warn: call('warn'),
    error: call('error'),
    fatal: call('fatal'),
    isDebug: () => child(component).isLevelEnabled('debug'),
  };
}

export interface LoggingOptions {
  /** Directory for log files; undefined = stdout (carbon's --nodaemon behaviour). */
  logDir?: string;
  debug?: boolean;
  /** e.g. `carbon-cache-a`: the `name` field of every line. */
  name: string;
  /**
   * With logDir, carbon's ENABLE_LOGROTATION: true = rotate each log file daily (console.log renamed
   * to console.log.YYYY_M_D of the day it covers, as Twisted's DailyLogFile); false (default) = leave
   * rotation to logrotate and reopen a file once it was moved or removed.
   */
  rotateDaily?: boolean;
  /** How often the log file is checked for rotation, ms (tests). Default LOG_FILE_CHECK_MS. */
  checkMs?: number;
  /** Clock for daily rotation (tests). */
  now?: () => Date;
}

/** The log files are checked this often for a move (logrotate) or a new day (ENABLE_LOGROTATION). */
export const LOG_FILE_CHECK_MS = 1000;
let fileCheck: NodeJS.Timeout | null = null;
const typeRoots = new Map<string, Logger>();

export function configureLogging(opts: LoggingOptions): Logger {
  const level = opts.debug ? 'debug' : (process.env.CARBON_TS_LOG_LEVEL ?? 'info');
  if (fileCheck) clearInterval(fileCheck);
  fileCheck = null;
  typeRoot = null;
  for (const l of typeRoots.values()) flushQuietly(l);
  typeRoots.clear();
  fileDays.clear();
  if (opts.logDir) {
    const logDir = opts.logDir;
    mkdirSync(logDir, { recursive: true });
    const files: { path: string; dest: ReturnType<typeof pino.destination> }[] = [];
    const fileLogger = (file: string): Logger => {
      const path = join(logDir, file);
      const dest = pino.destination({ dest: path, sync: false, mkdir: true });
      files.push({ path, dest });
      return pino({ level, base: { name: opts.name } }, dest);
    };
    root = fileLogger('console.log');
    typeRoot = (type) => {
      let l = typeRoots.get(type);
      if (!l) typeRoots.set(type, (l = fileLogger(`${type}.log`)));
      return l;
    };
    fileCheck = setInterval(() => {
      for (const f of files) checkLogFile(f.path, f.dest, opts);
    }, opts.checkMs ?? LOG_FILE_CHECK_MS);
    fileCheck.unref();
  } else {
    root = pino({ level, base: { name: opts.name } }, pino.destination({ dest: 1, sync: false }));
  }
  children.clear();
  return root;
}

/** A local day: its order, and Twisted DailyLogFile's suffix for it (year_month_day, not zero-padded). */
function dayOf(d: Date): { order: number; suffix: string } {
  const [y, m, day] = [d.getFullYear(), d.getMonth() + 1, d.getDate()];
  return { order: y * 10_000 + m * 100 + day, suffix: `${y}_${m}_${day}` };
}

/** The day the log file is on (DailyLogFile.lastDate), per log path. */
const fileDays = new Map<string, { order: number; suffix: string }>();

/**
 * Keeps a log file where operators expect it. Daily rotation: on the first check of a new day the
 * file is renamed to <file>.<the day it covers> (unless that name exists, as Twisted) and a new one
 * opened. Otherwise, as carbon's CarbonLogFile with ENABLE_LOGROTATION = False: when logrotate
 * has moved or removed the file, it is opened again at its path.
 */
function checkLogFile(path: string, dest: DestinationStream & { fd?: number; reopen?: () => void }, opts: LoggingOptions): void {
  try {
    if (typeof dest.reopen !== 'function' || dest.fd === undefined || dest.fd < 0) return;
    if (opts.rotateDaily) {
      const today = dayOf((opts.now ?? (() => new Date()))());
      const day = fileDays.get(path);
      if (day === undefined) {
        fileDays.set(path, existsSync(path) ? dayOf(statSync(path).mtime) : today);
      } else if (today.order > day.order) {
        fileDays.set(path, today);
        const rotated = `${path}.${day.suffix}`;
        if (!existsSync(rotated)) {
          renameSync(path, rotated);
          dest.reopen();
        }
      }
      return;
    }
    const onDisk = statSync(path, { throwIfNoEntry: false });
    const open = fstatSync(dest.fd);
    if (onDisk === undefined || onDisk.ino !== open.ino || onDisk.dev !== open.dev) dest.reopen();
  } catch {
    // A log file that cannot be checked or rotated now is tried again at the next check.
  }
}

export function flushLogs(): void {
  flushQuietly(root);
  for (const l of typeRoots.values()) flushQuietly(l);
}

function flushQuietly(l: Logger): void {
  try {
    l.flush();
  } catch {
    /* destination already closed */
  }
}

/**
 * Lets one message per key through per interval and counts the rest, so a client sending a flood of
 * bad lines cannot flood the log. Returns the number suppressed since the last message that passed,
 * or -1 when this one must be suppressed.
 */
export class RateLimiter {
  private last = new Map<string, { at: number; suppressed: number }>();
  constructor(private intervalMs = 10_000) {}

  allow(key: string, now = Date.now()): number {
    const e = this.last.get(key);
    if (!e || now - e.at >= this.intervalMs) {
      const suppressed = e?.suppressed ?? 0;
      this.last.set(key, { at: now, suppressed: 0 });
      if (this.last.size > 10_000) this.last.clear();
      return suppressed;
    }
    e.suppressed++;
    return -1;
  }
}
