// whisper-set-xfilesfactor path xFilesFactor — the one tool written with argparse, not optparse.
import { setXFilesFactor } from './engine.js';
import { exitOnWhisperException, isOSError } from './py-errors.js';
import { floatRepr, pyStrRepr } from './pyformat.js';
import { pyFloat } from './pynumber.js';
import { ToolExit, runToolBody, type ToolIO, type WhisperTool } from './tool-io.js';

const PROG = 'whisper-set-xfilesfactor';
const USAGE = `usage: ${PROG} [-h] path xFilesFactor\n`;
const HELP =
  USAGE +
  '\nSet xFilesFactor for existing whisper file\n\n' +
  'positional arguments:\n' +
  '  path          path to whisper file\n' +
  '  xFilesFactor  new xFilesFactor, a float between 0 and 1\n\n' +
  'options:\n' +
  '  -h, --help    show this help message and exit\n';

function argparseError(io: ToolIO, message: string): never {
  io.stderr(`${USAGE}${PROG}: error: ${message}\n`);
  throw new ToolExit(2);
}

/** argparse: a '-'-prefixed argument is an option unless it looks like a negative number. */
function looksLikeNegativeNumber(arg: string): boolean {
  return /^-\d+$|^-\d*\.\d+$/.test(arg);
}

function parseArgs(argv: readonly string[], io: ToolIO): { path: string; xff: number } {
  const positionals: string[] = [];
  const unrecognized: string[] = [];
  let onlyPositionals = false;
  for (const arg of argv) {
    if (!onlyPositionals && arg === '--') {
      onlyPositionals = true;
    } else if (!onlyPositionals && arg.startsWith('-') && arg !== '-' && !looksLikeNegativeNumber(arg)) {
      if (arg === '-h' || (arg.startsWith('--') && arg.length > 2 && '--help'.startsWith(arg.split('=')[0]))) {
        io.stdout(HELP);
        throw new ToolExit(0);
      }
      unrecognized.push(arg);
    } else {
      positionals.push(arg);
    }
  }
  if (positionals.length < 2) {
    const missing = ['path', 'xFilesFactor'].slice(positionals.length);
    argparseError(io, `the following arguments are required: ${missing.join(', ')}`);
  }
  const xff = pyFloat(positionals[1]);
  if (xff === undefined) argparseError(io, `argument xFilesFactor: invalid float value: ${pyStrRepr(positionals[1])}`);
  unrecognized.push(...positionals.slice(2));
  if (unrecognized.length > 0) argparseError(io, `unrecognized arguments: ${unrecognized.join(' ')}`);
  return { path: positionals[0], xff };
}

export const whisperSetXFilesFactor: WhisperTool = (argv, io) =>
  runToolBody(PROG, io, async () => {
    const { path, xff } = parseArgs(argv, io);
    let old: number;
    try {
      old = setXFilesFactor(path, xff);
    } catch (err) {
      if (isOSError(err)) {
        io.stderr(`[ERROR] File '${path}' does not exist!\n\n`);
        io.stdout(HELP);
        throw new ToolExit(1);
      }
      exitOnWhisperException(err, path);
    }
    io.stdout(`Updated xFilesFactor: ${path} (${floatRepr(old)} -> ${floatRepr(xff)})\n`);
    return 0;
  });
