// whisper-set-aggregation-method path <method> [xFilesFactor]
import { AGGREGATION_METHODS, setAggregationMethod } from './engine.js';
import { helpAndExit, helpText, parseOptions, type ParserSpec } from './optparse.js';
import { exitOnWhisperException, isOSError } from './py-errors.js';
import { ToolExit, runToolBody, type WhisperTool } from './tool-io.js';

const SPEC: ParserSpec = {
  prog: 'whisper-set-aggregation-method',
  usage: `%prog path <${AGGREGATION_METHODS.join('|')}> [xFilesFactor]`,
  optionsHelp: '  -h, --help  show this help message and exit\n',
  options: [],
};

export const whisperSetAggregationMethod: WhisperTool = (argv, io) =>
  runToolBody('whisper-set-aggregation-method', io, async () => {
    const { args } = parseOptions(SPEC, argv, io);
    if (args.length < 2) helpAndExit(SPEC, io);
    const [path, method] = args;
    const xffText = args.length === 3 ? args[2] : undefined;
    let old: string;
    try {
      // Passed as typed: like Python, the library calls float() on it after checking the method.
      old = setAggregationMethod(path, method, xffText);
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
