// whisper-create path def [def...] | --estimate def [def...]
import { existsSync, statSync, unlinkSync } from 'node:fs';
import { create, parseRetentionDef, type ArchiveSpec } from './engine.js';
import { helpAndExit, parseOptions, usageText, type ParserSpec } from './optparse.js';
import { exitOnWhisperException, uncaught } from './py-errors.js';
import { formatFixed } from './pyformat.js';
import { ToolExit, runToolBody, type WhisperTool } from './tool-io.js';

export const RETENTION_USAGE_EXAMPLES = `
timePerPoint and timeToStore specify lengths of time, for example:

60:1440      60 seconds per datapoint, 1440 datapoints = 1 day of retention
15m:8        15 minutes per datapoint, 8 datapoints = 2 hours of retention
1h:7d        1 hour per datapoint, 7 days of retention
12h:2y       12 hours per datapoint, 2 years of retention
`;

const SPEC: ParserSpec = {
  prog: 'whisper-create',
  usage:
    '%prog path timePerPoint:timeToStore [timePerPoint:timeToStore]*\n' +
    '%prog --estimate timePerPoint:timeToStore [timePerPoint:timeToStore]*\n' +
    RETENTION_USAGE_EXAMPLES,
  optionsHelp:
    '  -h, --help            show this help message and exit\n' +
    '  --xFilesFactor=XFILESFACTOR\n' +
    '  --aggregationMethod=AGGREGATIONMETHOD\n' +
    '                        Function to use when aggregating values (average, sum,\n' +
    '                        last, max, min, avg_zero, absmax, absmin)\n' +
    '  --overwrite           \n' +
    "  --estimate            Don't create a whisper file, estimate storage\n" +
    '                        requirements based on archive definitions\n' +
    '  --sparse              Create new whisper as sparse file\n' +
    '  --fallocate           Create new whisper and use fallocate\n',
  options: [
    { long: '--xFilesFactor', dest: 'xFilesFactor', kind: 'float' },
    { long: '--aggregationMethod', dest: 'aggregationMethod', kind: 'string' },
    { long: '--overwrite', dest: 'overwrite', kind: 'flag' },
    { long: '--estimate', dest: 'estimate', kind: 'flag' },
    { long: '--sparse', dest: 'sparse', kind: 'flag' },
    { long: '--fallocate', dest: 'fallocate', kind: 'flag' },
  ],
};

/** whisper-create's byte_format(): bytes/KB/MB then GB, 3 decimals. */
function byteFormat(bytes: number): string {
  let num = bytes;
  for (const unit of ['bytes', 'KB', 'MB']) {
    if (num < 1024.0) return formatFixed(num, 3) + unit;
    num /= 1024.0;
  }
  return formatFixed(num, 3) + 'GB';
}

function parseDef(def: string): ArchiveSpec {
  try {
    return parseRetentionDef(def);
  } catch (err) {
    throw uncaught(err);
  }
}

export const whisperCreate: WhisperTool = (argv, io) =>
  runToolBody('whisper-create', io, async () => {
    const { values, args: parsedArgs } = parseOptions(SPEC, argv, io);
    let args = parsedArgs;
    if (values.estimate === true) {
      if (args.length === 0) {
        io.stdout(usageText(SPEC));
        throw new ToolExit(1);
      }
      if (args.length === 1 && args[0].indexOf(',') > 0) args = args[0].split(',');
      let archives = 0;
      let totalPoints = 0;
      for (const def of args) {
        const [precision, points] = parseDef(def);
        io.stdout(`Archive ${archives}: ${points} points of ${precision}s precision\n`);
        archives += 1;
        totalPoints += points;
      }
      const size = 16 + archives * 12 + totalPoints * 12;
      const diskSize = Math.ceil(size / 4096.0) * 4096;
      io.stdout(`\nEstimated Whisper DB Size: ${byteFormat(size)} (${diskSize} bytes on disk with 4k blocks)\n\n`);
      for (const x of [1, 5, 10, 50, 100, 500]) {
        io.stdout(`Estimated storage requirement for ${x}k metrics: ${byteFormat(x * 1000 * diskSize)}\n`);
      }
      return 0;
    }
    if (args.length < 2) helpAndExit(SPEC, io);
    const path = args[0];
    const archives = args.slice(1).map(parseDef);
    if (existsSync(path) && values.overwrite === true) {
      io.stdout(`Overwriting existing file: ${path}\n`);
      unlinkSync(path);
    }
    try {
      create(
        path,
        archives,
        typeof values.xFilesFactor === 'number' ? values.xFilesFactor : 0.5,
        typeof values.aggregationMethod === 'string' ? values.aggregationMethod : 'average',
        values.sparse === true,
        values.fallocate === true,
      );
    } catch (err) {
      exitOnWhisperException(err, path);
    }
    io.stdout(`Created: ${path} (${statSync(path).size} bytes)\n`);
    return 0;
  });
