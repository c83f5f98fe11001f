import type { Command } from 'commander';
import { processToolIO } from './whisper/tool-io.js';
import { WHISPER_TOOLS } from './whisper/tools.js';

/**
 * Registers `carbon-ts whisper <tool> [args...]`. Each tool parses its own arguments exactly as the
 * Python optparse/argparse script does, so commander passes everything after the tool name through
 * untouched (including -h/--help, which the tool answers with Python's help text).
 */
export function registerWhisperCommands(whisper: Command): void {
  for (const [name, tool] of WHISPER_TOOLS) {
    whisper
      .command(name)
      .description(`same arguments and output as whisper-${name}`)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[args...]')
      .action(async (_args: string[], _opts: unknown, command: Command) => {
        process.exitCode = await tool(rawArgsAfter(command, name), processToolIO());
      });
  }
}

/**
 * The arguments after the tool's name exactly as typed: commander would drop a `--`, which
 * optparse keeps meaningful (everything after it is positional). Read from the root command's
 * raw argv (commander keeps it as `rawArgs`, untyped), falling back to what commander parsed.
 */
function rawArgsAfter(command: Command, name: string): string[] {
  let root: Command = command;
  while (root.parent) root = root.parent;
  const raw = (root as unknown as { rawArgs?: string[] }).rawArgs ?? process.argv;
  const whisperAt = raw.indexOf('whisper', 2);
  const toolAt = whisperAt >= 0 ? raw.indexOf(name, whisperAt + 1) : -1;
  return toolAt >= 0 ? raw.slice(toolAt + 1) : command.args;
}
