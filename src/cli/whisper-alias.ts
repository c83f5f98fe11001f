#!/usr/bin/env node
// Entry point for the whisper-create, whisper-fetch, ... aliases: the tool is chosen by the name
// this script was started as, so existing scripts calling the Python tools keep working.
import { basename } from 'node:path';
import { processToolIO } from './whisper/tool-io.js';
import { WHISPER_TOOLS, toolForName } from './whisper/tools.js';

const invokedAs = basename(process.argv[1] ?? '');
const tool = toolForName(invokedAs);
if (tool === undefined) {
  const names = [...WHISPER_TOOLS.keys()].map((n) => `whisper-${n}`).join(', ');
  process.stderr.write(`${invokedAs}: unknown whisper tool name; link this script as one of: ${names}\n`);
  process.exitCode = 2;
} else {
  process.exitCode = await tool(process.argv.slice(2), processToolIO());
}
