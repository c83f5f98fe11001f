import { InvalidConfiguration, WhisperValueError, ZeroDivision } from './errors.js';
import type { ArchiveSpec } from './format.js';

/** Python `whisper.UnitMultipliers`, in the order getUnitString tests them. */
export const UNIT_MULTIPLIERS: ReadonlyArray<readonly [string, number]> = [
  ['seconds', 1],
  ['minutes', 60],
  ['hours', 3600],
  ['days', 86400],
  ['weeks', 86400 * 7],
  ['years', 86400 * 365],
];

/** carbon.util.UnitMultipliers: single letters only. */
const CARBON_UNIT_MULTIPLIERS: ReadonlyMap<string, number> = new Map([
  ['s', 1],
  ['m', 60],
  ['h', 3600],
  ['d', 86400],
  ['w', 86400 * 7],
  ['y', 86400 * 365],
]);

// Python `re.match(r'^(\d+)([a-z]+)$')`: `$` also matches before a final newline.
const NUMBER_WITH_UNIT = /^(\d+)([a-z]+)\n?$/;
// Python `str.isdigit()` for the ASCII inputs config files contain.
const ALL_DIGITS = /^\d+$/;

/** Python `whisper.getUnitString`: the first full unit name that starts with `s`. */
export function getUnitString(s: string): string {
  for (const [unit] of UNIT_MULTIPLIERS) if (unit.startsWith(s)) return unit;
  throw new WhisperValueError(`Invalid unit '${s}'`);
}

function unitSeconds(s: string): number {
  const unit = getUnitString(s);
  return UNIT_MULTIPLIERS.find(([u]) => u === unit)![1];
}

function pyFloorDivide(a: number, b: number): number {
  if (b === 0) throw new ZeroDivision('integer division or modulo by zero');
  return Math.floor(a / b);
}

/**
 * The part both parsers share: `<number>` or `<number><unit>` for the
 * precision, then the same for the point count, whose unit form is divided
 * by the precision with `divide`.
 */
function parseRetentionParts(
  precisionPart: string,
  pointsPart: string,
  unitSecondsOf: (unit: string) => number,
  divide: (seconds: number, precision: number) => number,
): ArchiveSpec {
  let precision: number;
  if (ALL_DIGITS.test(precisionPart)) {
    precision = Number(precisionPart);
  } else {
    const m = NUMBER_WITH_UNIT.exec(precisionPart);
    if (!m) throw new WhisperValueError(`Invalid precision specification '${precisionPart}'`);
    precision = Number(m[1]) * unitSecondsOf(m[2]);
  }
  let points: number;
  if (ALL_DIGITS.test(pointsPart)) {
    points = Number(pointsPart);
  } else {
    const m = NUMBER_WITH_UNIT.exec(pointsPart);
    if (!m) throw new WhisperValueError(`Invalid retention specification '${pointsPart}'`);
    points = divide(Number(m[1]) * unitSecondsOf(m[2]), precision);
  }
  return [precision, points];
}

/**
 * The whisper module's lenient parser (`whisper.parseRetentionDef`): splits on
 * the first ':' only, accepts unit prefixes (`min`, `sec`, `hours`), and a
 * unit-form point count is floor-divided by the precision.
 */
export function parseRetentionDef(retentionDef: string): ArchiveSpec {
  const trimmed = pyStrip(retentionDef);
  const colon = trimmed.indexOf(':');
  if (colon < 0) throw new WhisperValueError(`Invalid retention definition '${retentionDef}'`);
  return parseRetentionParts(trimmed.slice(0, colon), trimmed.slice(colon + 1), unitSeconds, pyFloorDivide);
}

/**
 * carbon's stricter parser (`carbon.util.parseRetentionDef`, used for
 * storage-schemas.conf): exactly one ':', units only `s m h d w y`, and the
 * unit-form point count divided with true division then truncated, as
 * carbon's `Archive(secondsPerPoint, int(points))` does.
 */
export function parseCarbonRetentionDef(retentionDef: string): ArchiveSpec {
  const parts = pyStrip(retentionDef).split(':');
  if (parts.length < 2) throw new WhisperValueError(`not enough values to unpack (expected 2, got ${parts.length})`);
  if (parts.length > 2) throw new WhisperValueError('too many values to unpack (expected 2)');
  return parseRetentionParts(parts[0], parts[1], carbonUnitSeconds, (seconds, precision) => {
    if (precision === 0) throw new ZeroDivision('division by zero');
    return Math.trunc(seconds / precision);
  });
}

function carbonUnitSeconds(unit: string): number {
  const seconds = CARBON_UNIT_MULTIPLIERS.get(unit);
  if (seconds === undefined) throw new WhisperValueError(`Invalid unit '${unit}'`);
  return seconds;
}

/** Python `str.strip()` (ASCII whitespace and the Unicode spaces config files may hold). */
function pyStrip(s: string): string {
  return s.replace(/^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+$/g, '');
}

function tupleRepr(a: ArchiveSpec): string {
  return `(${a[0]}, ${a[1]})`;
}

/**
 * Python `whisper.validateArchiveList`: sorts `archiveList` IN PLACE by
 * secondsPerPoint (as Python does, so create() writes sorted archives) and
 * throws InvalidConfiguration with Python's messages. Only adjacent pairs are
 * checked; a single archive is never checked.
 */
export function validateArchiveList(archiveList: ArchiveSpec[]): void {
  if (archiveList.length === 0) throw new InvalidConfiguration('You must specify at least one archive configuration!');
  archiveList.sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < archiveList.length - 1; i++) {
    const archive = archiveList[i];
    const next = archiveList[i + 1];
    if (!(archive[0] < next[0])) {
      throw new InvalidConfiguration(
        'A Whisper database may not be configured having two archives with the same precision ' +
          `(archive${i}: ${tupleRepr(archive)}, archive${i + 1}: ${tupleRepr(next)})`,
      );
    }
    if (archive[0] === 0) throw new ZeroDivision('integer division or modulo by zero');
    if (next[0] % archive[0] !== 0) {
      throw new InvalidConfiguration(
        "Higher precision archives' precision must evenly divide all lower precision archives' precision " +
          `(archive${i}: ${archive[0]}, archive${i + 1}: ${next[0]})`,
      );
    }
    const retention = archive[0] * archive[1];
    const nextRetention = next[0] * next[1];
    if (!(nextRetention > retention)) {
      throw new InvalidConfiguration(
        'Lower precision archives must cover larger time intervals than higher precision archives ' +
          `(archive${i}: ${retention} seconds, archive${i + 1}: ${nextRetention} seconds)`,
      );
    }
    const pointsPerConsolidation = Math.floor(next[0] / archive[0]);
    if (!(archive[1] >= pointsPerConsolidation)) {
      throw new InvalidConfiguration(
        'Each archive must have at least enough points to consolidate to the next archive ' +
          `(archive${i + 1} consolidates ${pointsPerConsolidation} of archive${i}'s points but it has only ${archive[1]} total points)`,
      );
    }
  }
}
