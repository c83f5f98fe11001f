#!/usr/bin/env node
import { Command } from 'commander';
import { registerDaemonCommands } from './daemon.js';
import { registerRouteCommand } from './route.js';
import { registerWhisperCommands } from './whisper.js';

/** `carbon-ts <command>`: the daemons, the routing probe and the whisper tools in one binary. */
export function buildProgram(): Command {
  const program = new Command('carbon-ts');
  program.description("Graphite's carbon daemons and Whisper tools, in TypeScript").showHelpAfterError();
  registerDaemonCommands(program);
  registerRouteCommand(program);
  registerWhisperCommands(program.command('whisper').description('Whisper file tools (same arguments and output as whisper-*.py)'));
  return program;
}

buildProgram().parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`carbon-ts: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
