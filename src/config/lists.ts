/**
 * whitelist.conf / blacklist.conf, as carbon/regexlist.py reads and applies them:
 *
 * - one Python regex per line, stripped; blank lines skipped, and lines whose UNSTRIPPED text starts
 *   with `#` (an indented `# x` is a regex, as in carbon); an invalid regex is logged and skipped;
 * - a missing file is an empty list; an empty whitelist allows everything;
 * - a name is in the list when any regex re.search-es it (unanchored, case-sensitive);
 * - re-read when the file's mtime has increased (carbon checks every 10 s).
 *
 * Series repeat every interval, so the decision is memoised per name (bounded; the memo is dropped
 * on reload). A regex Python accepts but JavaScript cannot express cannot simply be left out (a
 * whitelist without it would let through what carbon holds back): at start it is a ConfigError
 * naming the file and line; in a list edited later, the list in use is kept and the line logged.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { getLogger } from '../logging.js';
import { compilePythonRegex } from '../regex/python-regex.js';
import { PythonRegexError } from '../regex/python-regex-error.js';
import { ConfigError } from './config-error.js';
import { decodeConfigFile } from './py-configparser.js';
import { pyStrip } from './python-values.js';

const log = getLogger('config');

export interface RegexListEntry {
  readonly pattern: string;
  readonly line: number;
  readonly regex: RegExp;
}

/** A line carbon would use but carbon-ts cannot express. */
export interface UnsupportedListLine {
  readonly line: number;
  readonly pattern: string;
  readonly reason: string;
}

/**
 * Parses list text; lines Python rejects are logged and left out, as carbon does. Lines carbon
 * would use but JavaScript cannot express go to `unsupported` (logged when it is not given).
 */
export function parseRegexList(text: string, file: string, unsupported?: UnsupportedListLine[]): RegexListEntry[] {
  const entries: RegexListEntry[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  lines.forEach((line, i) => {
    const pattern = pyStrip(line);
    if (line.startsWith('#') || !pattern) return;
    try {
      entries.push({ pattern, line: i + 1, regex: compilePythonRegex(pattern) });
    } catch (e) {
      if (!(e instanceof PythonRegexError)) throw e;
      if (e.pythonRejects) log.error(`Failed to parse '${pattern}' in '${file}' (line ${i + 1}): ${e.reason}. Ignoring line`);
      else if (unsupported) unsupported.push({ line: i + 1, pattern, reason: e.reason });
      else log.warn(`Ignoring '${pattern}' in '${file}' (line ${i + 1}): ${e.reason}; carbon would have used it`);
    }
  });
  return entries;
}

export class RegexList {
  private entries: RegexListEntry[] = [];
  private lastReadMtimeMs = 0;
  private readonly memo = new Map<string, boolean>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly path: string,
    private readonly memoMaxSize = 100_000,
  ) {}

  get patterns(): readonly string[] {
    return this.entries.map((e) => e.pattern);
  }

  /** Number of usable regexes. */
  get size(): number {
    return this.entries.length;
  }

  /** carbon's `bool(list)`: false when no usable regex was read. */
  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /**
   * carbon's read_list(): a missing file empties the list; otherwise the file is read only if its
   * mtime increased since the last read (`force`: read anyway, as a SIGHUP asks). Returns true when
   * the list was replaced.
   */
  reload(force = false, atStart = false): boolean {
    if (!existsSync(this.path)) {
      const changed = this.entries.length > 0;
      this.setEntries([]);
      return changed;
    }
    let mtimeMs: number;
    let text: string;
    try {
      mtimeMs = statSync(this.path).mtimeMs;
      if (mtimeMs <= this.lastReadMtimeMs && !force) return false;
      text = decodeConfigFile(this.path, readFileSync(this.path));
    } catch (e) {
      if (e instanceof ConfigError) {
        // Not UTF-8: Python stops reading the list there.
        this.lastReadMtimeMs = mtimeMs!;
        if (atStart) throw e;
        log.error(`${e.message}; keeping the list read before`);
        return false;
      }
      log.error(`Failed to read ${this.path}: ${(e as Error).message}`);
      return false;
    }
    const unsupported: UnsupportedListLine[] = [];
    const entries = parseRegexList(text, this.path, unsupported);
    this.lastReadMtimeMs = mtimeMs;
    if (unsupported.length > 0) {
      const u = unsupported[0];
      if (atStart) throw new ConfigError(this.path, u.line, `'${u.pattern}': ${u.reason}; carbon would use this pattern and carbon-ts cannot express it`);
      for (const line of unsupported) {
        log.error(`${this.path}:${line.line}: '${line.pattern}': ${line.reason} (carbon would use it); keeping the list read before`);
      }
      return false;
    }
    this.setEntries(entries);
    return true;
  }

  /**
   * The first read, at start: as reload(), but a line carbon would use and carbon-ts cannot
   * express is a ConfigError naming the file and line.
   */
  loadAtStart(): void {
    this.reload(true, true);
  }

  /** Re-reads every `intervalMs` (carbon: 10 s) without keeping the process alive. */
  watch(intervalMs = 10_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.reload(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** carbon's `name in list`: some regex searches the name. */
  matches(name: string): boolean {
    const known = this.memo.get(name);
    if (known !== undefined) return known;
    let found = false;
    for (const e of this.entries) {
      if (e.regex.test(name)) {
        found = true;
        break;
      }
    }
    if (this.memo.size >= this.memoMaxSize) {
      // Evict the oldest entry (Map keeps insertion order).
      this.memo.delete(this.memo.keys().next().value as string);
    }
    this.memo.set(name, found);
    return found;
  }

  private setEntries(entries: RegexListEntry[]): void {
    this.entries = entries;
    this.memo.clear();
  }
}

/** Reads a list file now (a missing file gives an empty list). */
export function loadRegexList(path: string, memoMaxSize?: number): RegexList {
  const list = new RegexList(path, memoMaxSize);
  list.reload();
  return list;
}

export type ListVerdict = 'accept' | 'blacklisted' | 'notWhitelisted';

/**
 * carbon's receive-time check (USE_WHITELIST): blacklist first (counted as blacklistMatches), then
 * a non-empty whitelist (whitelistRejects).
 */
export function checkLists(name: string, whitelist: RegexList, blacklist: RegexList): ListVerdict {
  if (blacklist.matches(name)) return 'blacklisted';
  if (!whitelist.isEmpty && !whitelist.matches(name)) return 'notWhitelisted';
  return 'accept';
}
