import { readFileSync } from 'node:fs';
import { compilePythonRegex } from '../regex/python-regex.js';
import { pyRepr, pyStrip } from '../protocol/python-text.js';
import type { Destination } from '../pipeline/route/destination.js';
import { DestinationParseError, RoutingConfigError } from '../pipeline/route/errors.js';
import { parseDestination } from '../pipeline/route/parse-destination.js';

/**
 * relay-rules.conf, read once at relay start as carbon/relayrules.py `loadRelayRules` reads it:
 *
 *     [name]                    sections in file order
 *     pattern = <python regex>  case-insensitive, unanchored (re.search)
 *     destinations = h:p[:i], …  required in every section
 *     continue = true           keep matching later rules (default false)
 *     [default]
 *     default = true            exactly one; matches everything; always evaluated last
 *
 * Quirks kept: `default = false` sections are ignored; a section with both pattern and default is an
 * error; the file goes through Python's ConfigParser (`#`/`;` comment lines, `=` or `:`, indented
 * continuation lines, case-insensitive keys, `%` interpolation so a literal `%` is written `%%`, a
 * [DEFAULT] section whose keys every section inherits — and which is itself a rule, as in carbon).
 */
export interface RelayRule {
  /** Section name. */
  readonly name: string;
  /** 1-based line of the section header. */
  readonly line: number;
  /** Compiled pattern; null for the default rule. */
  readonly regex: RegExp | null;
  readonly pattern: string | null;
  readonly destinations: readonly Destination[];
  readonly continueMatching: boolean;
}

export class RelayRulesError extends RoutingConfigError {
  override name = 'RelayRulesError';
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`);
  }
}

// ---- Python ConfigParser (3.11, defaults: strict, BasicInterpolation, empty lines in values) ----

interface Section {
  readonly name: string;
  readonly line: number;
  readonly options: Map<string, string[]>;
}

interface ParsedIni {
  readonly defaults: Section;
  readonly sections: Map<string, Section>;
  /** OrderedConfigParser's section list: every stripped line that looks like `[...]`, in file order. */
  readonly ordered: Array<{ name: string; line: number }>;
}

const COMMENT_PREFIXES = ['#', ';'];
const SECTION_HEADER = /^\[(.+)\]/u;
const OPTION_LINE = /^(.*?)\s*(=|:)\s*(.*)$/u;
const NON_SPACE = /\S/u;
const BOOLEAN_STATES: Record<string, boolean> = { '1': true, yes: true, true: true, on: true, '0': false, no: false, false: false, off: false };

function parseIni(text: string, file: string): ParsedIni {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const defaults: Section = { name: 'DEFAULT', line: 0, options: new Map() };
  const sections = new Map<string, Section>();
  const ordered: Array<{ name: string; line: number }> = [];
  const added = new Set<string>();
  let current: Section | null = null;
  let optionName: string | null = null;
  let indentLevel = 0;
  const parseErrors: string[] = [];

  lines.forEach((raw, i) => {
    const lineno = i + 1;
    const stripped = pyStrip(raw);
    if (stripped.startsWith('[') && stripped.endsWith(']')) ordered.push({ name: stripped.slice(1, -1), line: lineno });
    const isComment = COMMENT_PREFIXES.some((p) => stripped.startsWith(p));
    const value = isComment ? '' : stripped;
    if (value === '') {
      if (!isComment && current && optionName !== null) current.options.get(optionName)?.push('');
      return;
    }
    const firstNonSpace = NON_SPACE.exec(raw);
    const indent = firstNonSpace ? firstNonSpace.index : 0;
    if (current && optionName !== null && indent > indentLevel) {
      current.options.get(optionName)!.push(value);
      return;
    }
    indentLevel = indent;
    const header = SECTION_HEADER.exec(value);
    if (header) {
      const name = header[1];
      const existing = sections.get(name);
      if (existing) {
        if (added.has(name)) throw new RelayRulesError(file, lineno, `section ${pyRepr(name)} already exists`);
        current = existing;
      } else if (name === 'DEFAULT') {
        current = defaults;
      } else {
        current = { name, line: lineno, options: new Map() };
        sections.set(name, current);
      }
      added.add(name);
      optionName = null;
      return;
    }
    if (!current) throw new RelayRulesError(file, lineno, `file contains no section headers (line ${pyRepr(raw)})`);
    const opt = OPTION_LINE.exec(value);
    if (!opt || opt[1] === '') {
      parseErrors.push(`[line ${lineno}]: ${pyRepr(raw)}`);
      if (!opt) return;
    }
    optionName = opt[1].trimEnd().toLowerCase();
    const addedKey = `${current.name}\u0000${optionName}`;
    if (added.has(addedKey)) {
      throw new RelayRulesError(file, lineno, `option ${pyRepr(optionName)} in section ${pyRepr(current.name)} already exists`);
    }
    added.add(addedKey);
    current.options.set(optionName, [pyStrip(opt[3])]);
  });
  if (parseErrors.length > 0) throw new RelayRulesError(file, null, `source contains parsing errors: ${parseErrors.join('; ')}`);
  return { defaults, sections, ordered };
}

function sectionOf(ini: ParsedIni, name: string): Section | undefined {
  return name === 'DEFAULT' ? ini.defaults : ini.sections.get(name);
}

function hasOption(ini: ParsedIni, section: string, option: string): boolean {
  const s = sectionOf(ini, section);
  if (!s) return false;
  return s.options.has(option) || ini.defaults.options.has(option);
}

function rawValue(ini: ParsedIni, section: Section, option: string): string | undefined {
  const v = section.options.get(option) ?? ini.defaults.options.get(option);
  return v === undefined ? undefined : v.join('\n').trimEnd();
}

const MAX_INTERPOLATION_DEPTH = 10;

/** ConfigParser.get with BasicInterpolation: `%%` → `%`, `%(name)s` → another option of the section. */
function getOption(ini: ParsedIni, file: string, section: Section, option: string): string {
  const out: string[] = [];
  const expand = (rest: string, depth: number): void => {
    if (depth > MAX_INTERPOLATION_DEPTH) {
      throw new RelayRulesError(file, section.line, `value of ${option} in [${section.name}]: interpolation too deep`);
    }
    while (rest.length > 0) {
      const p = rest.indexOf('%');
      if (p < 0) {
        out.push(rest);
        return;
      }
      out.push(rest.slice(0, p));
      rest = rest.slice(p);
      const c = rest.charAt(1);
      if (c === '%') {
        out.push('%');
        rest = rest.slice(2);
      } else if (c === '(') {
        const m = /^%\(([^)]+)\)s/.exec(rest);
        if (!m) throw new RelayRulesError(file, section.line, `[${section.name}] ${option}: bad interpolation variable reference ${pyRepr(rest)}`);
        const name = m[1].toLowerCase();
        rest = rest.slice(m[0].length);
        const v = rawValue(ini, section, name);
        if (v === undefined) {
          throw new RelayRulesError(file, section.line, `[${section.name}] ${option}: bad interpolation, no option ${pyRepr(name)} (write a literal % as %%)`);
        }
        if (v.includes('%')) expand(v, depth + 1);
        else out.push(v);
      } else {
        throw new RelayRulesError(file, section.line, `[${section.name}] ${option}: '%' must be followed by '%' or '(', found: ${pyRepr(rest)} (write a literal % as %%)`);
      }
    }
  };
  expand(rawValue(ini, section, option) ?? '', 1);
  return out.join('');
}

function getBoolean(ini: ParsedIni, file: string, section: Section, option: string): boolean {
  const v = getOption(ini, file, section, option);
  const b = BOOLEAN_STATES[v.toLowerCase()];
  if (b === undefined) throw new RelayRulesError(file, section.line, `[${section.name}] ${option}: not a boolean: ${v}`);
  return b;
}

// ---- loadRelayRules ----

/** Parses relay-rules.conf text; `file` names it in errors. */
export function parseRelayRules(text: string, file: string): RelayRule[] {
  const ini = parseIni(text, file);
  const rules: RelayRule[] = [];
  let defaultRule: RelayRule | null = null;
  for (const { name, line } of ini.ordered) {
    const section = sectionOf(ini, name);
    if (!section || !hasOption(ini, name, 'destinations')) {
      throw new RelayRulesError(file, line, `section ${name} does not define a 'destinations' list`);
    }
    const destinations = getOption(ini, file, section, 'destinations')
      .split(',')
      .map((d) => {
        try {
          return parseDestination(d);
        } catch (err) {
          if (err instanceof DestinationParseError) throw new RelayRulesError(file, line, `section ${name}: ${err.message}`);
          throw err;
        }
      });
    if (hasOption(ini, name, 'pattern')) {
      if (hasOption(ini, name, 'default')) {
        throw new RelayRulesError(file, line, `section ${name} contains both 'pattern' and 'default'. You must use one or the other.`);
      }
      const pattern = getOption(ini, file, section, 'pattern');
      let regex: RegExp;
      try {
        regex = compilePythonRegex(pattern, 'i', 'search');
      } catch (err) {
        throw new RelayRulesError(file, line, `section ${name}: pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`);
      }
      const continueMatching = hasOption(ini, name, 'continue') ? getBoolean(ini, file, section, 'continue') : false;
      rules.push({ name, line, regex, pattern, destinations, continueMatching });
      continue;
    }
    if (hasOption(ini, name, 'default')) {
      if (!getBoolean(ini, file, section, 'default')) continue;
      if (defaultRule) throw new RelayRulesError(file, line, 'Only one default rule can be specified');
      defaultRule = { name, line, regex: null, pattern: null, destinations, continueMatching: false };
    }
  }
  if (!defaultRule) {
    throw new RelayRulesError(
      file,
      null,
      "No default rule defined. You must specify exactly one rule with 'default = true' instead of a pattern.",
    );
  }
  rules.push(defaultRule);
  return rules;
}

/** Reads and parses a relay-rules.conf file (carbon: "Could not read rules file" when missing). */
export function loadRelayRules(path: string): RelayRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RelayRulesError(path, null, `Error: Missing config file or wrong perms (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  return parseRelayRules(text, path);
}
