// whisper-resize path def [def...]: copies a file's data into a new archive layout.
// Output matches whisper-resize 1.1.4 on stdout; on a terminal, large migrations also report
// their progress on stderr (an addition: Python prints nothing while it works).
import { existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { create, fetch, info, parseRetentionDef, updateMany, type ArchiveInfo, type FetchResult } from './engine.js';
import { RETENTION_USAGE_EXAMPLES } from './create.js';
import { helpAndExit, helpText, parseOptions, type ParserSpec } from './optparse.js';
import { osErrorText, uncaught } from './py-errors.js';
import { ToolExit, UncaughtPythonError, runToolBody, type ToolIO, type WhisperTool } from './tool-io.js';

const SPEC: ParserSpec = {
  prog: 'whisper-resize',
  usage: '%prog path timePerPoint:timeToStore [timePerPoint:timeToStore]*\n' + RETENTION_USAGE_EXAMPLES,
  optionsHelp:
    '  -h, --help            show this help message and exit\n' +
    '  --xFilesFactor=XFILESFACTOR\n' +
    '                        Change the xFilesFactor\n' +
    '  --aggregationMethod=AGGREGATIONMETHOD\n' +
    '                        Change the aggregation function (average, sum, last,\n' +
    '                        max, min, avg_zero, absmax, absmin)\n' +
    '  --force               Perform a destructive change\n' +
    '  --newfile=NEWFILE     Create a new database file without removing the\n' +
    '                        existing one\n' +
    '  --nobackup            Delete the .bak file after successful execution\n' +
    '  --aggregate           Try to aggregate the values to fit the new archive\n' +
    '                        better. Note that this will make things slower and use\n' +
    '                        more memory.\n',
  options: [
    { long: '--xFilesFactor', dest: 'xFilesFactor', kind: 'float' },
    { long: '--aggregationMethod', dest: 'aggregationMethod', kind: 'string' },
    { long: '--force', dest: 'force', kind: 'flag' },
    { long: '--newfile', dest: 'newfile', kind: 'string' },
    { long: '--nobackup', dest: 'nobackup', kind: 'flag' },
    { long: '--aggregate', dest: 'aggregate', kind: 'flag' },
  ],
};

/** Files with at least this many slots get progress lines on a terminal. */
export const PROGRESS_MIN_POINTS = 100_000;

interface OldArchive {
  archive: ArchiveInfo;
  data: FetchResult;
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw uncaught(err);
  }
}

/** Python: print(range(a, b, c)). */
const rangeRepr = (from: number, until: number, step: number): string => `range(${from}, ${until}, ${step})`;

/**
 * whisper-resize 1.1.4's --aggregate path under Python 3: it slices a zip object (two or more
 * archives) or bisects a map object (one archive), so it always dies with a TypeError after
 * creating the new file. Reproduced as such; the stdout lines it prints first are the same.
 */
function migrateWithAggregation1_1_4(io: ToolIO, oldArchives: OldArchive[], newfile: string, now: number): never {
  io.stdout('Migrating data with aggregation...\n');
  if (oldArchives.length > 1) throw new UncaughtPythonError('TypeError', "'zip' object is not subscriptable");
  io.stdout('oldtimestamps: <map object at 0x7f0000000000>\n');
  const archive = guard(() => info(newfile))?.archives[0];
  if (archive === undefined) throw new UncaughtPythonError('TypeError', "'NoneType' object is not subscriptable");
  const step = archive.secondsPerPoint;
  const fromTime = now - archive.retention + (now % step);
  const untilTime = now + (now % step) + step;
  io.stdout(`(${fromTime},${untilTime},${step})\n`);
  io.stdout(`timepoints_to_update: ${rangeRepr(fromTime, untilTime, step)}\n`);
  throw new UncaughtPythonError('TypeError', "object of type 'map' has no len()");
}

function migrateWithoutAggregation(io: ToolIO, oldArchives: OldArchive[], newfile: string, now: number, report?: ProgressReport): void {
  io.stdout('Migrating data without aggregation...\n');
  oldArchives.forEach(({ data }, index) => {
    const points: [number, number][] = [];
    const [start, , step] = data.timeInfo;
    data.values.forEach((v, i) => {
      if (v !== null) points.push([start + i * step, v]);
    });
    if (points.length > 0) guard(() => updateMany(newfile, points, now));
    report?.(`migrated archive ${index + 1} of ${oldArchives.length} (${points.length} points)`);
  });
}

type ProgressReport = (what: string) => void;

/** Progress lines on io.progress (a terminal) for files of PROGRESS_MIN_POINTS points or more. */
function progressFor(io: ToolIO, archives: readonly ArchiveInfo[]): ProgressReport | undefined {
  const total = archives.reduce((n, a) => n + a.points, 0);
  const sink = io.progress;
  if (sink === undefined || total < PROGRESS_MIN_POINTS) return undefined;
  const started = io.now();
  return (what) => sink(`whisper-resize: ${what}, ${(io.now() - started).toFixed(1)}s elapsed\n`);
}

export const whisperResize: WhisperTool = (argv, io) =>
  runToolBody('whisper-resize', io, async () => {
    const now = Math.trunc(io.now());
    const { values, args } = parseOptions(SPEC, argv, io);
    if (args.length < 2) helpAndExit(SPEC, io);
    const path = args[0];
    if (!existsSync(path)) {
      io.stderr(`[ERROR] File '${path}' does not exist!\n\n`);
      io.stdout(helpText(SPEC));
      throw new ToolExit(1);
    }
    const header = guard(() => info(path));
    const newArchives = args.slice(1).map((def) => guard(() => parseRetentionDef(def)));
    if (header === null) throw new UncaughtPythonError('TypeError', "'NoneType' object is not subscriptable");
    const oldByPrecision = [...header.archives].sort((a, b) => b.secondsPerPoint - a.secondsPerPoint);
    const xff = typeof values.xFilesFactor === 'number' ? values.xFilesFactor : header.xFilesFactor;
    const aggregationMethod = typeof values.aggregationMethod === 'string' ? values.aggregationMethod : header.aggregationMethod;

    const report = progressFor(io, header.archives);
    io.stdout('Retrieving all data from the archives\n');
    const oldArchives: OldArchive[] = oldByPrecision.map((archive, index) => {
      const data = guard(() => fetch(path, now - archive.retention + archive.secondsPerPoint, now, now));
      if (data === null) throw new UncaughtPythonError('TypeError', 'cannot unpack non-iterable NoneType object');
      report?.(`read archive ${index + 1} of ${oldByPrecision.length} (${archive.points} slots)`);
      return { archive, data };
    });

    let newfile: string;
    const tmpfile = path + '.tmp';
    if (typeof values.newfile !== 'string') {
      if (existsSync(tmpfile)) {
        io.stdout(`Removing previous temporary database file: ${tmpfile}\n`);
        guard(() => unlinkSync(tmpfile));
      }
      newfile = tmpfile;
    } else {
      newfile = values.newfile;
    }
    io.stdout(`Creating new whisper database: ${newfile}\n`);
    guard(() => create(newfile, newArchives, xff, aggregationMethod));
    io.stdout(`Created: ${newfile} (${guard(() => statSync(newfile).size)} bytes)\n`);

    if (values.aggregate === true) migrateWithAggregation1_1_4(io, oldArchives, newfile, now);
    migrateWithoutAggregation(io, oldArchives, newfile, now, report);

    if (typeof values.newfile === 'string') return 0;
    const backup = path + '.bak';
    io.stdout(`Renaming old database to: ${backup}\n`);
    guard(() => renameSync(path, backup));
    io.stdout(`Renaming new database to: ${path}\n`);
    try {
      renameSync(tmpfile, path);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      io.stderr(`Traceback (most recent call last):\n  File "/usr/bin/whisper-resize", in <module>\nOSError: ${osErrorText(e)}\n`);
      io.stdout('\nOperation failed, restoring backup\n');
      guard(() => renameSync(backup, path));
      throw new ToolExit(1);
    }
    if (values.nobackup === true) {
      io.stdout(`Unlinking backup: ${backup}\n`);
      guard(() => unlinkSync(backup));
    }
    return 0;
  });
