// whisper-dump [--pretty] [-t FMT] path: the header as read without validation (unknown
// aggregation types shown as 'average'), then every slot of every archive, empty ones included.
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { AGGREGATION_TYPE_TO_METHOD } from '../../whisper/format.js';
import { parseOptions, parserError, type ParserSpec } from './optparse.js';
import { uncaught } from './py-errors.js';
import { formatGeneral } from './pyformat.js';
import { pyCtime, pyStrftime } from './pytime.js';
import { OutputBuffer } from './output-buffer.js';
import { SystemExitMessage, UncaughtPythonError, runToolBody, type WhisperTool } from './tool-io.js';

const SPEC: ParserSpec = {
  prog: 'whisper-dump',
  usage: '%prog path',
  optionsHelp:
    '  -h, --help            show this help message and exit\n' +
    '  --pretty              Show human-readable timestamps instead of unix times\n' +
    '  -t TIME_FORMAT, --time-format=TIME_FORMAT\n' +
    '                        Time format to use with --pretty; see time.strftime()\n',
  options: [
    { long: '--pretty', dest: 'pretty', kind: 'flag' },
    { long: '--time-format', short: '-t', dest: 'timeFormat', kind: 'string' },
  ],
};

interface RawArchive {
  offset: number;
  secondsPerPoint: number;
  points: number;
}

/** whisper-dump's own header reader raises CorruptWhisperFile with one argument, a TypeError in 1.1.4. */
const CORRUPT_WITHOUT_PATH = new UncaughtPythonError(
  'TypeError',
  "CorruptWhisperFile.__init__() missing 1 required positional argument: 'path'",
);

function readWholeFile(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (fstatSync(fd).isDirectory()) throw new UncaughtPythonError('OSError', '[Errno 19] No such device');
    if (size === 0) throw new UncaughtPythonError('ValueError', 'cannot mmap an empty file');
    const buf = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return buf.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

export const whisperDump: WhisperTool = (argv, io) =>
  runToolBody('whisper-dump', io, async () => {
    const { values, args } = parseOptions(SPEC, argv, io);
    if (args.length !== 1) parserError(SPEC, 'require one input file name', io);
    const path = args[0];
    if (!existsSync(path)) throw new SystemExitMessage(`[ERROR] File "${path}" does not exist!`);
    let map: Buffer;
    try {
      map = readWholeFile(path);
    } catch (err) {
      throw uncaught(err, path);
    }
    const out = new OutputBuffer(io);
    try {
      if (map.length < 16) throw CORRUPT_WITHOUT_PATH;
      const aggregationType = map.readUInt32BE(0);
      const maxRetention = map.readUInt32BE(4);
      const xFilesFactor = map.readFloatBE(8);
      const archiveCount = map.readUInt32BE(12);
      const archives: RawArchive[] = [];
      for (let i = 0; i < archiveCount; i++) {
        const at = 16 + 12 * i;
        if (at + 12 > map.length) throw CORRUPT_WITHOUT_PATH;
        archives.push({ offset: map.readUInt32BE(at), secondsPerPoint: map.readUInt32BE(at + 4), points: map.readUInt32BE(at + 8) });
      }
      out.write('Meta data:\n');
      out.write(`  aggregation method: ${AGGREGATION_TYPE_TO_METHOD.get(aggregationType) ?? 'average'}\n`);
      out.write(`  max retention: ${maxRetention}\n`);
      out.write(`  xFilesFactor: ${formatGeneral(xFilesFactor)}\n\n`);
      archives.forEach((a, i) => {
        out.write(`Archive ${i} info:\n  offset: ${a.offset}\n  seconds per point: ${a.secondsPerPoint}\n`);
        out.write(`  points: ${a.points}\n  retention: ${a.secondsPerPoint * a.points}\n  size: ${a.points * 12}\n\n`);
      });
      const pretty = values.pretty === true;
      const timeFormat = typeof values.timeFormat === 'string' && values.timeFormat !== '' ? values.timeFormat : undefined;
      archives.forEach((a, i) => {
        out.write(`Archive ${i} data:\n`);
        let offset = a.offset;
        for (let point = 0; point < a.points; point++) {
          if (offset + 12 > map.length) throw new UncaughtPythonError('struct.error', 'unpack requires a buffer of 12 bytes');
          const timestamp = map.readUInt32BE(offset);
          const value = map.readDoubleBE(offset + 4);
          let timestr: string;
          if (pretty) timestr = timeFormat !== undefined ? pyStrftime(timeFormat, timestamp) : pyCtime(timestamp);
          else timestr = String(timestamp);
          out.write(`${point}: ${timestr}, ${formatGeneral(value, 35, 10)}\n`);
          offset += 12;
        }
      });
    } finally {
      out.flush();
    }
    return 0;
  });
