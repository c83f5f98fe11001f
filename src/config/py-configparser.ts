/**
 * Python 3's `configparser.ConfigParser()` with the defaults carbon uses, for carbon.conf,
 * storage-schemas.conf and storage-aggregation.conf:
 *
 * - `[section]` headers (`\[(.+)\]` matched at the start of the stripped line, so text after the
 *   last `]` is ignored); `[DEFAULT]` supplies keys to every section.
 * - `key = value` or `key: value`, split at the first `=` or `:`; keys are lower-cased.
 * - Only whole-line comments (`#`, `;`); `x = 5 # five` keeps `5 # five` as the value.
 * - A line indented deeper than the line that started the current option continues its value
 *   (joined with `\n`); blank lines inside a value are kept, trailing ones dropped; comment lines
 *   inside a value are skipped without ending it.
 * - Strict: a duplicate section or a duplicate key within a section is an error; so is a key before
 *   any section, or a line that is neither header, option nor continuation.
 * - BasicInterpolation when values are read: `%%` is `%`, `%(name)s` is another key of the same
 *   section or of [DEFAULT], anything else after `%` is an error — raised only for the sections a
 *   program actually reads, as in Python.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';
import { pyIsSpace, pyStrip } from './python-values.js';
import { pyUtf8 } from '../protocol/python-text.js';

export interface IniOption {
  /** Lower-cased key (ConfigParser's optionxform). */
  readonly name: string;
  /** Raw value (continuation lines joined with `\n`), before interpolation. */
  readonly raw: string;
  /** 1-based line of the key. */
  readonly line: number;
}

export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly options: Map<string, IniOption>;
}

const DEFAULT_SECTION = 'DEFAULT';
const MAX_INTERPOLATION_DEPTH = 10;
const SECTION_RE = /^\[(.+)\]/u;
const OPTION_RE = /^(.*?)[\s\x1c-\x1f\x85]*(=|:)[\s\x1c-\x1f\x85]*(.*)$/su;

/** A config file's text as Python reads it; not UTF-8: a ConfigError naming the first bad line. */
export function decodeConfigFile(path: string, bytes: Buffer): string {
  try {
    return pyUtf8.decode(bytes);
  } catch {
    throw new ConfigError(path, firstInvalidUtf8Line(bytes), 'the file is not valid UTF-8 (Python refuses to read it too)');
  }
}

/** 1-based line of the first byte sequence that is not UTF-8. */
function firstInvalidUtf8Line(bytes: Buffer): number {
  let start = 0;
  let line = 1;
  for (;;) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl;
    try {
      pyUtf8.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    if (nl < 0) return line;
    start = nl + 1;
    line++;
  }
}

export class PyConfigParser {
  readonly defaults = new Map<string, IniOption>();
  private readonly sectionMap = new Map<string, IniSection>();
  private readonly headerLines: { name: string; line: number }[] = [];

  private constructor(readonly file: string) {}

  /** Reads a file; a missing or unreadable file is a ConfigError. */
  static readFile(path: string): PyConfigParser {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new ConfigError(path, null, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return PyConfigParser.parse(decodeConfigFile(path, bytes), path);
  }

  static parse(text: string, file: string): PyConfigParser {
    const p = new PyConfigParser(file);
    p.read(text);
    return p;
  }

  /** Sections in file order, without DEFAULT. */
  sections(): IniSection[] {
    return [...this.sectionMap.values()];
  }

  /**
   * carbon's OrderedConfigParser.sections(): every line that, stripped, starts with `[` and ends
   * with `]`, in file order — which includes [DEFAULT] and skips a header with text after its `]`.
   * storage-schemas.conf and storage-aggregation.conf are walked in this order.
   */
  orderedSectionHeaders(): readonly { name: string; line: number }[] {
    return this.headerLines;
  }

  hasSection(name: string): boolean {
    return this.sectionMap.has(name);
  }

  section(name: string): IniSection | undefined {
    return this.sectionMap.get(name);
  }

  /**
   * ConfigParser.items(section): DEFAULT keys then the section's, interpolated. Works for
   * 'DEFAULT' too (its own keys), as Python's does.
   */
  items(sectionName: string): { name: string; value: string; line: number }[] {
    const merged = new Map(this.defaults);
    if (sectionName !== DEFAULT_SECTION) {
      const sect = this.sectionMap.get(sectionName);
      if (!sect) throw new ConfigError(this.file, null, `no section [${sectionName}]`);
      for (const [k, v] of sect.options) merged.set(k, v);
    }
    return [...merged.values()].map((o) => ({ name: o.name, value: this.interpolate(sectionName, o, merged), line: o.line }));
  }

  private interpolate(section: string, opt: IniOption, map: Map<string, IniOption>): string {
    const out: string[] = [];
    const walk = (rest: string, depth: number): void => {
      if (depth > MAX_INTERPOLATION_DEPTH) {
        throw new ConfigError(this.file, opt.line, `${opt.name}: value in [${section}] recurses too deeply through %(...)s references (more than ${MAX_INTERPOLATION_DEPTH})`);
      }
      while (rest) {
        const p = rest.indexOf('%');
        if (p < 0) {
          out.push(rest);
          return;
        }
        if (p > 0) {
          out.push(rest.slice(0, p));
          rest = rest.slice(p);
        }
        const c = rest[1];
        if (c === '%') {
          out.push('%');
          rest = rest.slice(2);
        } else if (c === '(') {
          const m = /^%\(([^)]+)\)s/u.exec(rest);
          if (!m) throw new ConfigError(this.file, opt.line, `${opt.name}: bad interpolation variable reference ${JSON.stringify(rest)} (write a literal % as %%)`);
          const ref = m[1]!.toLowerCase();
          rest = rest.slice(m[0].length);
          const target = map.get(ref);
          if (!target) throw new ConfigError(this.file, opt.line, `${opt.name}: %(${ref})s refers to a key that is not in [${section}] or [DEFAULT]`);
          if (target.raw.includes('%')) walk(target.raw, depth + 1);
          else out.push(target.raw);
        } else {
          throw new ConfigError(this.file, opt.line, `${opt.name}: '%' must be followed by '%' or '(', found: ${JSON.stringify(rest)} (write a literal % as %%)`);
        }
      }
    };
    walk(opt.raw, 1);
    return out.join('');
  }

  private read(text: string): void {
    // Python reads text files with universal newlines: \r\n and \r end lines too.
    const lines = text.replace(/\r\n?/g, '\n').split(/(?<=\n)/);
    // Values are lists of lines until the end, as in Python (joined in one pass afterwards).
    const pending = new Map<IniOption, string[]>();
    const seenSections = new Set<string>();
    let cursect: Map<string, IniOption> | null = null;
    let sectName: string | null = null;
    let optName: string | null = null;
    let indentLevel = 0;
    const errors: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const lineno = i + 1;
      const line = lines[i]!;
      const stripped = pyStrip(line);
      if (stripped.startsWith('[') && stripped.endsWith(']')) this.headerLines.push({ name: stripped.slice(1, -1), line: lineno });
      const isComment = stripped.startsWith('#') || stripped.startsWith(';');
      const value = isComment ? '' : stripped;
      if (!value) {
        if (!isComment && cursect && optName) {
          const o = cursect.get(optName);
          if (o) pending.get(o)!.push('');
        }
        continue;
      }
      let indent = 0;
      while (indent < line.length && pyIsSpace(line[indent]!)) indent++;
      if (cursect && optName && indent > indentLevel) {
        pending.get(cursect.get(optName)!)!.push(value);
        continue;
      }
      indentLevel = indent;
      const sm = SECTION_RE.exec(value);
      if (sm) {
        sectName = sm[1]!;
        if (sectName === DEFAULT_SECTION) {
          cursect = this.defaults;
        } else {
          const existing = this.sectionMap.get(sectName);
          if (existing) {
            if (seenSections.has(sectName)) throw new ConfigError(this.file, lineno, `section [${sectName}] appears twice`);
            cursect = existing.options;
          } else {
            const s: IniSection = { name: sectName, line: lineno, options: new Map() };
            this.sectionMap.set(sectName, s);
            cursect = s.options;
          }
          seenSections.add(sectName);
        }
        optName = null;
        continue;
      }
      if (!cursect) throw new ConfigError(this.file, lineno, `a key before the first [section] header: ${JSON.stringify(pyStrip(line))}`);
      const om = OPTION_RE.exec(value);
      if (!om || !om[1]) {
        errors.push(`${this.file}:${lineno}: not a [section], 'key = value' or an indented continuation: ${JSON.stringify(stripped)}`);
        if (!om) continue;
      }
      const name = pyStrip(om[1]!).toLowerCase();
      const key = `${sectName}\u0000${name}`;
      if (seenSections.has(key)) throw new ConfigError(this.file, lineno, `key '${name}' appears twice in [${sectName}]`);
      seenSections.add(key);
      const opt: IniOption = { name, raw: '', line: lineno };
      cursect.set(name, opt);
      pending.set(opt, [pyStrip(om[3]!)]);
      optName = name;
    }
    // Join multi-line values: '\n'-joined, trailing whitespace (the blank lines) removed.
    for (const [opt, parts] of pending) {
      (opt as { raw: string }).raw = parts.join('\n').replace(/[\s\x1c-\x1f\x85]+$/u, '');
    }
    if (errors.length > 0) {
      const first = errors[0]!;
      const m = /^(.*):(\d+): (.*)$/s.exec(first)!;
      throw new ConfigError(this.file, Number(m[2]), m[3]! + (errors.length > 1 ? ` (and ${errors.length - 1} more bad lines)` : ''));
    }
  }
}
