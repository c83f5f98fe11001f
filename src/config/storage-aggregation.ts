/**
 * storage-aggregation.conf, loaded and matched as carbon/storage.py's loadAggregationSchemas() does:
 *
 * - sections in file order; the first whose `pattern` regex-searches the metric wins, and an implicit
 *   final default leaves both values to whisper (xFilesFactor 0.5, average);
 * - a matching section that omits `xFilesFactor` or `aggregationMethod` yields null for it (whisper's
 *   default) — it does not fall through to later sections;
 * - an xFilesFactor that is not a float skips the section ("Invalid schemas found in …"); one outside
 *   [0, 1] or an unknown aggregationMethod stops carbon (AssertionError) — here a ConfigError;
 * - a section without a pattern is skipped; an invalid regex is a ConfigError;
 * - a missing or unreadable file means only the default (logged), as in carbon.
 */
import { accessSync, constants } from 'node:fs';
import { getLogger } from '../logging.js';
import { AGGREGATION_METHODS } from '../whisper/format.js';
import { ConfigError } from './config-error.js';
import { PyConfigParser } from './py-configparser.js';
import { pyFloat } from './python-values.js';
import { compileSectionPattern, readStorageSections } from './storage-rules-common.js';

const log = getLogger('config');

export interface AggregationSchema {
  readonly name: string;
  readonly pattern: string | null;
  /** null = whisper's default (0.5). */
  readonly xFilesFactor: number | null;
  /** null = whisper's default (average). */
  readonly aggregationMethod: string | null;
}

export interface StorageAggregation {
  readonly path: string;
  readonly schemas: readonly AggregationSchema[];
  match(metric: string): AggregationSchema;
}

export const DEFAULT_AGGREGATION_SCHEMA: AggregationSchema = Object.freeze({ name: 'default', pattern: null, xFilesFactor: null, aggregationMethod: null });

export function loadStorageAggregation(path: string): StorageAggregation {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    log.info(`${path} not found or wrong perms, ignoring.`);
    return build([], [], path);
  }
  return parse(PyConfigParser.readFile(path), path);
}

/** Same as loadStorageAggregation, from text. */
export function parseStorageAggregation(text: string, path = 'storage-aggregation.conf'): StorageAggregation {
  return parse(PyConfigParser.parse(text, path), path);
}

function parse(parser: PyConfigParser, path: string): StorageAggregation {
  const schemas: AggregationSchema[] = [];
  const regexes: RegExp[] = [];
  for (const section of readStorageSections(parser)) {
    const pattern = section.options.get('pattern');
    const xffText = section.options.get('xfilesfactor');
    const method = section.options.get('aggregationmethod') ?? null;
    let xFilesFactor: number | null = null;
    if (xffText !== undefined) {
      xFilesFactor = pyFloat(xffText);
      if (xFilesFactor === null) {
        log.info(`Invalid schemas found in ${section.name}. (${path}:${section.lines.get('xfilesfactor')}: xFilesFactor '${xffText}' is not a number)`);
        continue;
      }
      if (!(xFilesFactor >= 0 && xFilesFactor <= 1)) {
        throw new ConfigError(path, section.lines.get('xfilesfactor') ?? section.line, `[${section.name}] xFilesFactor must be between 0 and 1, got '${xffText}'`);
      }
    }
    if (method !== null && !(AGGREGATION_METHODS as readonly string[]).includes(method)) {
      throw new ConfigError(path, section.lines.get('aggregationmethod') ?? section.line, `[${section.name}] aggregationMethod must be one of ${AGGREGATION_METHODS.join(', ')}, got '${method}'`);
    }
    if (!pattern) {
      log.error(`Section missing 'pattern': ${section.name} (${path}:${section.line})`);
      continue;
    }
    regexes.push(compileSectionPattern(path, section, pattern));
    schemas.push(Object.freeze({ name: section.name, pattern, xFilesFactor, aggregationMethod: method }));
  }
  return build(schemas, regexes, path);
}

function build(schemas: AggregationSchema[], regexes: RegExp[], path: string): StorageAggregation {
  const all = [...schemas, DEFAULT_AGGREGATION_SCHEMA];
  return {
    path,
    schemas: all,
    match(metric: string): AggregationSchema {
      for (let i = 0; i < regexes.length; i++) if (regexes[i]!.test(metric)) return schemas[i]!;
      return DEFAULT_AGGREGATION_SCHEMA;
    },
  };
}
