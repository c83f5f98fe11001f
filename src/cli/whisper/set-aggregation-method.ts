// whisper-set-aggregation-method path <method> [xFilesFactor]
import { closeSync, openSync } from 'node:fs';
import { AGGREGATION_METHODS, info, setAggregationMethod } from './engine.js';
import { helpAndExit, helpText, parseOptions, type ParserSpec } from './optparse.js';
import { exitOnWhisperException, isOSError } from './py-errors.js';
import { pyFloat } from './pynumber.js';
import { ToolExit, runToolBody, type WhisperTool } from './tool-io.js';
import { InvalidAggregationMethod, InvalidXFilesFactor } from '../../whisper/errors.js';

const SPEC: ParserSpec = {
  prog: 'whisper-set-aggregation-method',
  usage: `%prog path <${AGGREGATION_METHODS.join('|')}> [xFilesFactor]`,
  optionsHelp: '  -h, --help  show this help message and exit\n',
  options: [],
};

/**
 * The library takes a number; Python takes the argument string and calls float() on it only after
 * opening the file, reading its header and checking the method, so a bad number is reported in
 * that order.
 */
function checkUnparsableXff(path: string, method: string, xffText: string): never {
  closeSync(openSync(path, 'r+'));
  info(path);
  if (!(AGGREGATION_METHODS as readonly string[]).includes(method)) {
    throw new InvalidAggregationMethod(`Unrecognized aggregation method: ${method}`);
  }
  throw new InvalidXFilesFactor(`Invalid xFilesFactor ${xffText}, not a float`);
}

export const whisperSetAggregationMethod: WhisperTool = (argv, io) =>
  runToolBody('whisper-set-aggregation-method', io, async () => {
    const { args } = parseOptions(SPEC, argv, io);
    if (args.length < 2) helpAndExit(SPEC, io);
    const [path, method] = args;
    const xffText = args.length === 3 ? args[2] : undefined;
    let old: string;
    try {
      let xff: number | undefined;
      if (xffText !== undefined) {
        xff = pyFloat(xffText);
        if (xff === undefined) checkUnparsableXff(path, method, xffText);
      }
      old = setAggregationMethod(path, method, xff);
    } catch (err) {
      if (isOSError(err)) {
        io.stderr(`[ERROR] File '${path}' does not exist!\n\n`);
        io.stdout(helpText(SPEC));
        throw new ToolExit(1);
      }
      exitOnWhisperException(err, path);
    }
    io.stdout(`Updated aggregation method: ${path} (${old} -> ${method})\n`);
    return 0;
  });
