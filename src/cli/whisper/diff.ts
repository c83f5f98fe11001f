// whisper-diff [--summary] [--ignore-empty] [--columns] [--no-headers] [--until T] [--json] path_a path_b
import { diff, type ArchiveDiff } from './engine.js';
import { helpAndExit, parseOptions, type ParserSpec } from './optparse.js';
import { uncaught } from './py-errors.js';
import { jsonFloat, optionalFloatStr } from './pyformat.js';
import { OutputBuffer } from './output-buffer.js';
import { runToolBody, type WhisperTool } from './tool-io.js';

const SPEC: ParserSpec = {
  prog: 'whisper-diff',
  usage: '%prog [options] path_a path_b',
  optionsHelp:
    '  -h, --help      show this help message and exit\n' +
    '  --summary       show summary of differences\n' +
    '  --ignore-empty  skip comparison if either value is undefined\n' +
    '  --columns       print output in simple columns\n' +
    '  --no-headers    do not print column headers\n' +
    '  --until=UNTIL   Unix epoch time of the end of your requested interval\n' +
    '                  (default: None)\n' +
    '  --json          Output results in JSON form\n',
  options: [
    { long: '--summary', dest: 'summary', kind: 'flag' },
    { long: '--ignore-empty', dest: 'ignoreEmpty', kind: 'flag' },
    { long: '--columns', dest: 'columns', kind: 'flag' },
    { long: '--no-headers', dest: 'noHeaders', kind: 'flag' },
    { long: '--until', dest: 'until', kind: 'int' },
    { long: '--json', dest: 'json', kind: 'flag' },
  ],
};

const right = (text: string | number, width: number): string => String(text).padStart(width, ' ');

/** json.dumps of a str with ensure_ascii: JSON escapes plus \uXXXX for every non-ASCII code unit. */
function jsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

const jsonValue = (v: number | null): string => (v === null ? 'null' : jsonFloat(v));

/** json.dumps(..., sort_keys=True, indent=2, separators=(',', ' : ')) of the tool's result dict. */
function diffJson(diffs: ArchiveDiff[], pathA: string, pathB: string, withPoints: boolean): string {
  const archives = diffs.map(({ archive, diffs: points, total }) => {
    const fields = [`      "archive" : ${archive}`];
    if (withPoints) {
      const entries = points.map(
        ([t, a, b]) =>
          `        {\n          "timestamp" : ${t},\n          "value_a" : ${jsonValue(a)},\n          "value_b" : ${jsonValue(b)}\n        }`,
      );
      fields.push(`      "datapoint" : ${entries.length === 0 ? '[]' : '[\n' + entries.join(',\n') + '\n      ]'}`);
    }
    fields.push(`      "points" : ${points.length}`, `      "total" : ${total}`);
    return '    {\n' + fields.join(',\n') + '\n    }';
  });
  const list = archives.length === 0 ? '[]' : '[\n' + archives.join(',\n') + '\n  ]';
  return `{\n  "archives" : ${list},\n  "path_a" : ${jsonString(pathA)},\n  "path_b" : ${jsonString(pathB)}\n}\n`;
}

export const whisperDiff: WhisperTool = (argv, io) =>
  runToolBody('whisper-diff', io, async () => {
    const { values, args } = parseOptions(SPEC, argv, io);
    if (args.length !== 2) helpAndExit(SPEC, io);
    const [pathA, pathB] = args;
    const untilTime = typeof values.until === 'number' && values.until !== 0 ? values.until : null;
    let diffs: ArchiveDiff[];
    try {
      diffs = diff(pathA, pathB, values.ignoreEmpty === true, untilTime, Math.trunc(io.now()));
    } catch (err) {
      throw uncaught(err);
    }
    const pretty = values.columns !== true;
    const headers = values.noHeaders !== true;
    const out = new OutputBuffer(io);
    if (values.summary === true) {
      if (values.json === true) {
        out.write(diffJson(diffs, pathA, pathB, false));
      } else {
        const row = (a: string | number, b: string | number, c: string | number): string =>
          pretty ? `${right(a, 7)} ${right(b, 9)} ${right(c, 9)}\n` : `${a} ${b} ${c}\n`;
        if (headers) out.write(row('archive', 'total', 'differing'));
        for (const { archive, diffs: points, total } of diffs) out.write(row(archive, total, points.length));
      }
    } else if (values.json === true) {
      out.write(diffJson(diffs, pathA, pathB, true));
    } else {
      const header = pretty
        ? (a: string) => `${right(a, 7)} ${right('timestamp', 11)} ${right('value_a', 13)} ${right('value_b', 13)}\n`
        : (a: string) => `${a} timestamp value_a value_b\n`;
      if (headers) out.write(header('archive'));
      for (const { archive, diffs: points, total } of diffs) {
        if (pretty) {
          out.write(`Archive ${archive} (${points.length} of ${total} datapoints differ)\n`);
          out.write(header(''));
        }
        for (const [t, a, b] of points) {
          out.write(
            pretty
              ? `${right('', 7)} ${right(t, 11)} ${right(optionalFloatStr(a), 13)} ${right(optionalFloatStr(b), 13)}\n`
              : `${archive} ${t} ${optionalFloatStr(a)} ${optionalFloatStr(b)}\n`,
          );
        }
      }
    }
    out.flush();
    return 0;
  });
