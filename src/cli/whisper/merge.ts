// whisper-merge [--from T] [--until T] from_path to_path — errors from merge() are not caught.
import { existsSync } from 'node:fs';
import { merge } from './engine.js';
import { helpAndExit, parseOptions, type ParserSpec } from './optparse.js';
import { uncaught } from './py-errors.js';
import { SystemExitMessage, runToolBody, type WhisperTool } from './tool-io.js';

const SPEC: ParserSpec = {
  prog: 'whisper-merge',
  usage: '%prog [options] from_path to_path',
  optionsHelp:
    '  -h, --help     show this help message and exit\n' +
    '  --from=_FROM   Begining of interval, unix timestamp (default: epoch)\n' +
    '  --until=UNTIL  End of interval, unix timestamp (default: now)\n',
  options: [
    { long: '--from', dest: 'from', kind: 'int' },
    { long: '--until', dest: 'until', kind: 'int' },
  ],
};

export const whisperMerge: WhisperTool = (argv, io) =>
  runToolBody('whisper-merge', io, async () => {
    const { values, args } = parseOptions(SPEC, argv, io);
    if (args.length < 2) helpAndExit(SPEC, io);
    const [pathFrom, pathTo] = args;
    for (const filename of [pathFrom, pathTo]) {
      if (!existsSync(filename)) throw new SystemExitMessage(`[ERROR] File "${filename}" does not exist!`);
    }
    const timeFrom = typeof values.from === 'number' ? values.from : null;
    const timeTo = typeof values.until === 'number' ? values.until : null;
    try {
      merge(pathFrom, pathTo, timeFrom, timeTo, Math.trunc(io.now()));
    } catch (err) {
      throw uncaught(err);
    }
    return 0;
  });
