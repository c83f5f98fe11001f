import { readFileSync } from 'node:fs';
import { compilePythonRegex } from '../regex/python-regex.js';
import type { Destination } from '../pipeline/route/destination.js';
import { DestinationParseError } from '../pipeline/route/errors.js';
import { ConfigError } from './config-error.js';
import { PyConfigParser } from './py-configparser.js';
import { pyBoolean } from './python-values.js';
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

/** A relay-rules.conf carbon would refuse to start with: file, line (when known) and reason. */
export class RelayRulesError extends ConfigError {}

/** One parsed file: the ConfigParser view plus carbon's OrderedConfigParser section order. */
class RulesFile {
  constructor(readonly ini: PyConfigParser) {}

  has(section: string, option: string): boolean {
    if (section === 'DEFAULT') return this.ini.defaults.has(option);
    return this.ini.hasSection(section) && (this.ini.section(section)!.options.has(option) || this.ini.defaults.has(option));
  }

  /** ConfigParser.get (interpolated). */
  get(section: string, option: string): string {
    return this.ini.items(section).find((o) => o.name === option)!.value;
  }

  getBoolean(section: string, option: string, line: number): boolean {
    const v = this.get(section, option);
    const b = pyBoolean(v);
    if (b === null) throw new RelayRulesError(this.ini.file, line, `section ${section}: ${option}: Not a boolean: ${v}`);
    return b;
  }
}

// ---- loadRelayRules ----

/** Parses relay-rules.conf text; `file` names it in errors. */
export function parseRelayRules(text: string, file: string): RelayRule[] {
  const rf = new RulesFile(PyConfigParser.parse(text, file));
  const rules: RelayRule[] = [];
  let defaultRule: RelayRule | null = null;
  // carbon walks OrderedConfigParser.sections(): every `[...]` line in file order, [DEFAULT] included.
  for (const { name, line } of rf.ini.orderedSectionHeaders()) {
    if (!rf.has(name, 'destinations')) {
      throw new RelayRulesError(file, line, `section ${name} does not define a 'destinations' list`);
    }
    const destinations = rf
      .get(name, 'destinations')
      .split(',')
      .map((d) => {
        try {
          return parseDestination(d);
        } catch (err) {
          if (err instanceof DestinationParseError) throw new RelayRulesError(file, line, `section ${name}: ${err.message}`);
          throw err;
        }
      });
    if (rf.has(name, 'pattern')) {
      if (rf.has(name, 'default')) {
        throw new RelayRulesError(file, line, `section ${name} contains both 'pattern' and 'default'. You must use one or the other.`);
      }
      const pattern = rf.get(name, 'pattern');
      let regex: RegExp;
      try {
        regex = compilePythonRegex(pattern, 'i', 'search');
      } catch (err) {
        throw new RelayRulesError(file, line, `section ${name}: pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`);
      }
      const continueMatching = rf.has(name, 'continue') ? rf.getBoolean(name, 'continue', line) : false;
      rules.push({ name, line, regex, pattern, destinations, continueMatching });
      continue;
    }
    if (rf.has(name, 'default')) {
      if (!rf.getBoolean(name, 'default', line)) continue;
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
