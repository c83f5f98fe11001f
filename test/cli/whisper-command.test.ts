// `carbon-ts whisper <tool>` and the whisper-* alias names reach the right tool with argv untouched.
import { Command } from 'commander';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { registerWhisperCommands } from '../../src/cli/whisper.js';
import { WHISPER_TOOLS, toolForName } from '../../src/cli/whisper/tools.js';

const PYTHON_TOOLS = ['create', 'update', 'fetch', 'info', 'dump', 'resize', 'set-aggregation-method', 'set-xfilesfactor', 'merge', 'fill', 'diff'];

test('every Python tool has a carbon-ts tool, found by any of its names', () => {
  expect([...WHISPER_TOOLS.keys()].sort()).toEqual([...PYTHON_TOOLS].sort());
  for (const name of PYTHON_TOOLS) {
    const tool = WHISPER_TOOLS.get(name);
    expect(toolForName(`whisper-${name}`)).toBe(tool);
    expect(toolForName(`whisper-${name}.py`)).toBe(tool);
    expect(toolForName(name)).toBe(tool);
  }
  expect(toolForName('whisper-nosuch')).toBeUndefined();
});

let written = '';
let errors = '';

beforeEach(() => {
  written = '';
  errors = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    errors += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function runCli(...args: string[]): Promise<void> {
  const program = new Command('carbon-ts').exitOverride();
  registerWhisperCommands(program.command('whisper'));
  await program.parseAsync(['node', 'carbon-ts', 'whisper', ...args]);
}

test('options after the tool name go to the tool, including --help and a literal --', async () => {
  await runCli('info', '--help');
  expect(written).toContain('Usage: whisper-info [options] path [field]');
  expect(process.exitCode).toBe(0);

  // optparse: after `--`, "--pretty" is the path (commander alone would drop the `--`).
  written = '';
  await runCli('dump', '--', '--pretty');
  expect(errors).toBe('[ERROR] File "--pretty" does not exist!\n');
  expect(process.exitCode).toBe(1);
});
