/**
 * storage-schemas.conf, loaded and matched as carbon/storage.py's loadStorageSchemas() does:
 *
 * - sections in file order (OrderedConfigParser); the first whose `pattern` regex-SEARCHES the
 *   metric wins; an implicit final `default` schema (60 s × 10080 points) matches everything;
 * - a section without `retentions` or without a (non-empty) `pattern` is skipped and logged;
 * - each comma-separated retention goes through carbon's strict parser; one that fails stops
 *   carbon (here: ConfigError with file, line, reason);
 * - an archive list whisper would refuse (validateArchiveList) skips the section with
 *   "Invalid schemas found in <section>";
 * - an invalid regex stops carbon (ConfigError).
 *
 * The writer matches the name as it is stored: for tagged series, the tag-normalised name
 * (`name;a=1;b=2`), so patterns see the tags too. Archives are returned in file order; whisper's
 * create sorts them.
 */
import { getLogger } from '../logging.js';
import { parseCarbonRetentionDef, validateArchiveList } from '../whisper/retention.js';
import { ConfigError } from './config-error.js';
import { PyConfigParser } from './py-configparser.js';
import { compileSectionPattern, readStorageSections } from './storage-rules-common.js';

const log = getLogger('config');

/** [secondsPerPoint, points] */
export type ArchiveTuple = readonly [number, number];

export interface StorageSchema {
  readonly name: string;
  /** The Python pattern as written; null for the built-in default. */
  readonly pattern: string | null;
  readonly archives: readonly ArchiveTuple[];
}

export interface StorageSchemas {
  readonly path: string;
  /** The schemas in match order, ending with the built-in default. */
  readonly schemas: readonly StorageSchema[];
  /** First schema whose pattern re.search-es the metric (the default when none does). */
  match(metric: string): StorageSchema;
}

/** carbon's defaultSchema: 7 days of minutely points. */
export const DEFAULT_STORAGE_SCHEMA: StorageSchema = Object.freeze({ name: 'default', pattern: null, archives: Object.freeze([Object.freeze([60, 60 * 24 * 7] as const)]) });

export function loadStorageSchemas(path: string): StorageSchemas {
  const parser = PyConfigParser.readFile(path);
  return buildStorageSchemas(parser, path);
}

/** Same as loadStorageSchemas, from text (tests, tools). */
export function parseStorageSchemas(text: string, path = 'storage-schemas.conf'): StorageSchemas {
  return buildStorageSchemas(PyConfigParser.parse(text, path), path);
}

function buildStorageSchemas(parser: PyConfigParser, path: string): StorageSchemas {
  const schemas: StorageSchema[] = [];
  const regexes: RegExp[] = [];
  for (const section of readStorageSections(parser)) {
    const pattern = section.options.get('pattern');
    const retentions = section.options.get('retentions');
    if (retentions === undefined) {
      log.error(`Schema ${section.name} missing 'retentions', skipping (${path}:${section.line})`);
      continue;
    }
    const archives: [number, number][] = [];
    for (const def of retentions.split(',')) {
      try {
        const a = parseCarbonRetentionDef(def);
        archives.push([Math.trunc(a[0]), Math.trunc(a[1])]);
      } catch (e) {
        throw new ConfigError(path, section.lines.get('retentions') ?? section.line, `${(e as Error).message} in section [${pyTitle(section.name)}]: retention '${def.trim()}' is not <precision>:<duration or points>, e.g. 10s:1d`);
      }
    }
    if (!pattern) {
      log.error(`Schema ${section.name} missing 'pattern', skipping (${path}:${section.line})`);
      continue;
    }
    const regex = compileSectionPattern(path, section, pattern);
    try {
      validateArchiveList(archives.map((a) => [a[0], a[1]]));
    } catch (e) {
      log.info(`Invalid schemas found in ${section.name}: ${(e as Error).message} (${path}:${section.line})`);
      continue;
    }
    schemas.push(Object.freeze({ name: section.name, pattern, archives: Object.freeze(archives.map((a) => Object.freeze(a) as ArchiveTuple)) }));
    regexes.push(regex);
  }
  schemas.push(DEFAULT_STORAGE_SCHEMA);
  return {
    path,
    schemas,
    match(metric: string): StorageSchema {
      for (let i = 0; i < regexes.length; i++) if (regexes[i]!.test(metric)) return schemas[i]!;
      return DEFAULT_STORAGE_SCHEMA;
    },
  };
}

/** Python's str.title(), which carbon uses for the section name in this one message. */
function pyTitle(s: string): string {
  return s.toLowerCase().replace(/(^|[^\p{L}])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase());
}
