import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

/**
 * Logging for every module. Until configureLogging() is called (daemon start) logs go to stderr at
 * `info`, which is what tools and tests see. Modules import `log` lazily through getLogger() so
 * that reconfiguration reaches them.
 */
let root: Logger = pino({ level: process.env.CARBON_TS_LOG_LEVEL ?? 'info' }, pino.destination(2));

const children = new Map<string, Logger>();

function child(component: string): Logger {
  let l = children.get(component);
  if (!l) {
    l = root.child({ component });
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
  /** e.g. `carbon-cache-a`: names the log file. */
  name: string;
}

export function configureLogging(opts: LoggingOptions): Logger {
  const level = opts.debug ? 'debug' : (process.env.CARBON_TS_LOG_LEVEL ?? 'info');
  if (opts.logDir) {
    mkdirSync(opts.logDir, { recursive: true });
    root = pino({ level, base: { name: opts.name } }, pino.destination({ dest: join(opts.logDir, 'console.log'), sync: false, mkdir: true }));
  } else {
    root = pino({ level, base: { name: opts.name } }, pino.destination({ dest: 1, sync: false }));
  }
  children.clear();
  return root;
}

export function flushLogs(): void {
  try {
    root.flush();
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
