// whisper-update path ts:value [ts:value...] (1.1.4: at least one point; `N:` means now).
// One point goes through update() (future or too old is an error); several through update_many().
import { closeSync, openSync } from 'node:fs';
import { info, update, updateMany } from './engine.js';
import { helpAndExit, parseOptions, type ParserSpec } from './optparse.js';
import { exitOnWhisperException } from './py-errors.js';
import { pyStrRepr } from './pyformat.js';
import { pyFloat, pyInt } from './pynumber.js';
import { UncaughtPythonError, runToolBody, type WhisperTool } from './tool-io.js';

const SPEC: ParserSpec = {
  prog: 'whisper-update',
  usage: '%prog [options] path timestamp:value [timestamp:value]*',
  optionsHelp: '  -h, --help  show this help message and exit\n',
  options: [],
};

function unpackPair(parts: string[]): [string, string] {
  if (parts.length < 2) throw new UncaughtPythonError('ValueError', `not enough values to unpack (expected 2, got ${parts.length})`);
  if (parts.length > 2) throw new UncaughtPythonError('ValueError', 'too many values to unpack (expected 2)');
  return [parts[0], parts[1]];
}

function toFloat(text: string): number {
  const value = pyFloat(text);
  if (value === undefined) throw new UncaughtPythonError('ValueError', `could not convert string to float: ${pyStrRepr(text)}`);
  return value;
}

function toInt(text: string): number {
  const value = pyInt(text, 10);
  if (value === undefined) throw new UncaughtPythonError('ValueError', `invalid literal for int() with base 10: ${pyStrRepr(text)}`);
  return value;
}

export const whisperUpdate: WhisperTool = (argv, io) =>
  runToolBody('whisper-update', io, async () => {
    const now = Math.trunc(io.now());
    const { args } = parseOptions(SPEC, argv, io);
    if (args.length < 2) helpAndExit(SPEC, io);
    const path = args[0];
    const datapoints = args.slice(1).map((p) => p.split('N:').join(`${now}:`).split(':'));
    try {
      if (datapoints.length === 1) {
        const [timestampText, valueText] = unpackPair(datapoints[0]);
        // update(): float(value), then open the file and read the header, then int(timestamp).
        const value = toFloat(valueText);
        const timestamp = pyInt(timestampText, 10);
        if (timestamp === undefined) {
          closeSync(openSync(path, 'r+'));
          info(path);
          toInt(timestampText);
        }
        update(path, value, timestamp as number, now);
      } else {
        const points = datapoints.map((parts): [number, number] => {
          const [t, v] = unpackPair(parts);
          return [toInt(t), toFloat(v)];
        });
        updateMany(path, points, now);
      }
    } catch (err) {
      exitOnWhisperException(err, path);
    }
    return 0;
  });
