/**
 * What storage-schemas.conf and storage-aggregation.conf share in carbon/storage.py: sections
 * walked in OrderedConfigParser order, each section's options (with [DEFAULT]'s) interpolated, and a
 * `pattern` compiled with Python's re and tested with re.search.
 */
import { compilePythonRegex } from '../regex/python-regex.js';
import { PythonRegexError } from '../regex/python-regex-error.js';
import { ConfigError } from './config-error.js';
import { PyConfigParser } from './py-configparser.js';

export interface StorageSection {
  name: string;
  line: number;
  /** Lower-cased key → interpolated value. */
  options: Map<string, string>;
  /** Lower-cased key → line. */
  lines: Map<string, number>;
}

export function readStorageSections(parser: PyConfigParser): StorageSection[] {
  const out: StorageSection[] = [];
  for (const header of parser.orderedSectionHeaders()) {
    if (header.name !== 'DEFAULT' && !parser.hasSection(header.name)) {
      throw new ConfigError(parser.file, header.line, `[${header.name}] looks like a section header but continues the value above it (indented); carbon stops here`);
    }
    const options = new Map<string, string>();
    const lines = new Map<string, number>();
    for (const item of parser.items(header.name)) {
      options.set(item.name, item.value);
      lines.set(item.name, item.line);
    }
    out.push({ name: header.name, line: header.line, options, lines });
  }
  return out;
}

/** re.compile(pattern) as carbon does at load; an invalid pattern stops carbon, so it is a ConfigError. */
export function compileSectionPattern(file: string, section: StorageSection, pattern: string): RegExp {
  try {
    return compilePythonRegex(pattern);
  } catch (e) {
    if (e instanceof PythonRegexError) {
      throw new ConfigError(file, section.lines.get('pattern') ?? section.line, `[${section.name}] pattern: ${e.message}`);
    }
    throw e;
  }
}
