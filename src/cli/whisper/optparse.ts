// The subset of Python's optparse that the whisper-* tools use, with its exact behaviour: long
// options abbreviated to any unique prefix, `--opt=value` and `--opt value`, clustered short
// options, options interspersed with arguments, `--` ending options, and its error texts
// (usage on stderr, then "<prog>: error: <msg>", exit status 2).
import { pyStrRepr } from './pyformat.js';
import { optparseInt, pyFloat } from './pynumber.js';
import { ToolExit, type ToolIO } from './tool-io.js';

export type OptionKind = 'flag' | 'int' | 'float' | 'string' | 'choice';

export interface OptionSpec {
  long: string;
  short?: string;
  dest: string;
  kind: OptionKind;
  choices?: readonly string[];
}

export type OptionValue = boolean | number | string | undefined;

export interface ParserSpec {
  /** The program name optparse prints (basename of argv[0] in Python). */
  prog: string;
  /** The usage text as written in the tool, with %prog placeholders. */
  usage: string;
  /** Text between the usage and the "Options:" block, if the parser has a description. */
  description?: string;
  /** The lines after "Options:", as optparse renders them at its default 80 columns. */
  optionsHelp: string;
  options: readonly OptionSpec[];
}

export interface ParsedArgs {
  values: Record<string, OptionValue>;
  args: string[];
}

function expandProg(spec: ParserSpec): string {
  return spec.usage.replace(/%prog/g, spec.prog);
}

/** optparse's print_usage(): "Usage: <usage>\n" plus print()'s newline. */
export function usageText(spec: ParserSpec): string {
  return `Usage: ${expandProg(spec)}\n\n`;
}

/** optparse's print_help(). */
export function helpText(spec: ParserSpec): string {
  const description = spec.description ? `${spec.description}\n\n` : '';
  return `Usage: ${expandProg(spec)}\n\n${description}Options:\n${spec.optionsHelp}`;
}

class OptparseError extends Error {}

function convert(option: OptionSpec, optName: string, raw: string): OptionValue {
  switch (option.kind) {
    case 'int': {
      const value = optparseInt(raw);
      if (value === undefined) throw new OptparseError(`option ${optName}: invalid integer value: ${pyStrRepr(raw)}`);
      return value;
    }
    case 'float': {
      const value = pyFloat(raw);
      if (value === undefined) throw new OptparseError(`option ${optName}: invalid floating-point value: ${pyStrRepr(raw)}`);
      return value;
    }
    case 'choice': {
      const choices = option.choices ?? [];
      if (!choices.includes(raw)) {
        throw new OptparseError(`option ${optName}: invalid choice: ${pyStrRepr(raw)} (choose from ${choices.map(pyStrRepr).join(', ')})`);
      }
      return raw;
    }
    default:
      return raw;
  }
}

function matchLong(spec: ParserSpec, typed: string): string {
  const longs = ['--help', ...spec.options.map((o) => o.long)];
  if (longs.includes(typed)) return typed;
  const possibilities = longs.filter((l) => l.startsWith(typed));
  if (possibilities.length === 1) return possibilities[0];
  if (possibilities.length === 0) throw new OptparseError(`no such option: ${typed}`);
  possibilities.sort();
  throw new OptparseError(`ambiguous option: ${typed} (${possibilities.join(', ')}?)`);
}

/**
 * Parses argv as optparse would. Prints help and ends with status 0 on -h/--help, prints usage and
 * the error and ends with status 2 on bad options (both by throwing ToolExit).
 */
export function parseOptions(spec: ParserSpec, argv: readonly string[], io: ToolIO): ParsedArgs {
  const values: Record<string, OptionValue> = {};
  const args: string[] = [];
  const rargs = [...argv];
  const byLong = new Map(spec.options.map((o) => [o.long, o]));
  const byShort = new Map(spec.options.filter((o) => o.short).map((o) => [o.short as string, o]));
  const showHelp = (): never => {
    io.stdout(helpText(spec));
    throw new ToolExit(0);
  };
  try {
    while (rargs.length > 0) {
      const arg = rargs.shift() as string;
      if (arg === '--') {
        args.push(...rargs);
        break;
      }
      if (arg.startsWith('--')) {
        const eq = arg.indexOf('=');
        const typed = eq >= 0 ? arg.slice(0, eq) : arg;
        const name = matchLong(spec, typed);
        if (name === '--help') showHelp();
        const option = byLong.get(name) as OptionSpec;
        if (option.kind === 'flag') {
          if (eq >= 0) throw new OptparseError(`${name} option does not take a value`);
          values[option.dest] = true;
        } else {
          let raw: string;
          if (eq >= 0) raw = arg.slice(eq + 1);
          else if (rargs.length > 0) raw = rargs.shift() as string;
          else throw new OptparseError(`${name} option requires 1 argument`);
          values[option.dest] = convert(option, name, raw);
        }
      } else if (arg.startsWith('-') && arg !== '-') {
        for (let i = 1; i < arg.length; i++) {
          const opt = '-' + arg[i];
          if (opt === '-h') showHelp();
          const option = byShort.get(opt);
          if (!option) throw new OptparseError(`no such option: ${opt}`);
          if (option.kind === 'flag') {
            values[option.dest] = true;
            continue;
          }
          let raw: string;
          if (i + 1 < arg.length) raw = arg.slice(i + 1);
          else if (rargs.length > 0) raw = rargs.shift() as string;
          else throw new OptparseError(`${opt} option requires 1 argument`);
          values[option.dest] = convert(option, opt, raw);
          break;
        }
      } else {
        args.push(arg);
      }
    }
  } catch (err) {
    if (err instanceof OptparseError) {
      io.stderr(usageText(spec) + `${spec.prog}: error: ${err.message}\n`);
      throw new ToolExit(2);
    }
    throw err;
  }
  return { values, args };
}

/** optparse's parser.error(msg) called by the tool itself. */
export function parserError(spec: ParserSpec, message: string, io: ToolIO): never {
  io.stderr(usageText(spec) + `${spec.prog}: error: ${message}\n`);
  throw new ToolExit(2);
}

/** The tool's `option_parser.print_help(); sys.exit(1)`. */
export function helpAndExit(spec: ParserSpec, io: ToolIO, code = 1): never {
  io.stdout(helpText(spec));
  throw new ToolExit(code);
}
