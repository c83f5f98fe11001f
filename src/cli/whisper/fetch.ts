// whisper-fetch [--from T] [--until T] [--json] [--pretty [-t FMT]] [--drop nulls|zeroes|empty] path
import { fetch, type FetchResult } from './engine.js';
import { helpAndExit, parseOptions, type ParserSpec } from './optparse.js';
import { isOSError, isWhisperException, osErrorText, uncaught } from './py-errors.js';
import { floatRepr, formatFixed } from './pyformat.js';
import { pyCtime, pyStrftime } from './pytime.js';
import { OutputBuffer } from './output-buffer.js';
import { SystemExitMessage, runToolBody, type WhisperTool } from './tool-io.js';

const DROP_FILTERS: Record<string, (v: number | null) => boolean> = {
  zeroes: (v) => v !== 0,
  nulls: (v) => v !== null,
  empty: (v) => v !== 0 && v !== null,
};

const SPEC: ParserSpec = {
  prog: 'whisper-fetch',
  usage: '%prog [options] path',
  optionsHelp:
    '  -h, --help            show this help message and exit\n' +
    '  --from=_FROM          Unix epoch time of the beginning of your requested\n' +
    '                        interval (default: 24 hours ago)\n' +
    '  --until=UNTIL         Unix epoch time of the end of your requested interval\n' +
    '                        (default: now)\n' +
    '  --json                Output results in JSON form\n' +
    '  --pretty              Show human-readable timestamps instead of unix times\n' +
    '  -t TIME_FORMAT, --time-format=TIME_FORMAT\n' +
    '                        Time format to use with --pretty; see time.strftime()\n' +
    "  --drop=DROP           Specify 'nulls' to drop all null values. Specify\n" +
    "                        'zeroes' to drop all zero values. Specify 'empty' to\n" +
    '                        drop both null and zero values\n',
  options: [
    { long: '--from', dest: 'from', kind: 'int' },
    { long: '--until', dest: 'until', kind: 'int' },
    { long: '--json', dest: 'json', kind: 'flag' },
    { long: '--pretty', dest: 'pretty', kind: 'flag' },
    { long: '--time-format', short: '-t', dest: 'timeFormat', kind: 'string' },
    { long: '--drop', dest: 'drop', kind: 'choice', choices: ['zeroes', 'nulls', 'empty'] },
  ],
};

/** Python str(list) of floats/None, with 'None' then replaced by 'null' as the tool does. */
function valuesJson(values: (number | null)[]): string {
  return '[' + values.map((v) => (v === null ? 'null' : floatRepr(v))).join(', ') + ']';
}

export const whisperFetch: WhisperTool = (argv, io) =>
  runToolBody('whisper-fetch', io, async () => {
    const now = Math.trunc(io.now());
    const { values: opts, args } = parseOptions(SPEC, argv, io);
    if (args.length !== 1) helpAndExit(SPEC, io);
    const path = args[0];
    const fromTime = typeof opts.from === 'number' ? opts.from : now - 86400;
    const untilTime = typeof opts.until === 'number' ? opts.until : now;
    let data: FetchResult | null;
    try {
      data = fetch(path, fromTime, untilTime, now);
    } catch (err) {
      if (isWhisperException(err)) throw new SystemExitMessage(`[ERROR] ${err.message}`);
      if (isOSError(err)) throw new SystemExitMessage(`[ERROR] ${osErrorText(err, path)}`);
      throw uncaught(err, path);
    }
    if (data === null) throw new SystemExitMessage('No data in selected timerange');
    let values = data.values;
    if (typeof opts.drop === 'string') values = values.filter(DROP_FILTERS[opts.drop]);
    const [start, end, step] = data.timeInfo;
    if (opts.json === true) {
      io.stdout(`{\n    "start" : ${start},\n    "end" : ${end},\n    "step" : ${step},\n    "values" : ${valuesJson(values)}\n  }\n`);
      return 0;
    }
    const out = new OutputBuffer(io);
    const timeFormat = typeof opts.timeFormat === 'string' && opts.timeFormat !== '' ? opts.timeFormat : undefined;
    let t = start;
    for (const value of values) {
      let timestr: string;
      if (opts.pretty === true) timestr = timeFormat !== undefined ? pyStrftime(timeFormat, t) : pyCtime(t);
      else timestr = String(t);
      out.write(`${timestr}\t${value === null ? 'None' : formatFixed(value)}\n`);
      t += step;
    }
    out.flush();
    return 0;
  });
