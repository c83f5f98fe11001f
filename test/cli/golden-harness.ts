// Replays the golden cases recorded from the Python tools (scripts/gen-whisper-fixtures.py)
// against carbon-ts's tools in-process, in a scratch directory, with the clock pinned.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolForName } from '../../src/cli/whisper/tools.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'whisper');

export interface GoldenCase {
  name: string;
  tool: string;
  args: string[];
  now: number;
  files: [string, string][];
  env: Record<string, string>;
  stdout: string;
  stderr: string;
  exit: number;
  after: Record<string, string>;
}

export interface ToolRun {
  stdout: string;
  stderr: string;
  exit: number;
  after: Record<string, string>;
}

export function loadCases(): GoldenCase[] {
  return (JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as { cases: GoldenCase[] }).cases;
}

/** A Python traceback is compared by its last line (the exception), the rest names Python frames. */
export function comparableStderr(stderr: string): string {
  if (!stderr.startsWith('Traceback (most recent call last):')) return stderr;
  const lines = stderr.trimEnd().split('\n');
  return 'Traceback ... ' + lines[lines.length - 1];
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export async function runCase(c: GoldenCase): Promise<ToolRun> {
  const tool = toolForName(c.tool);
  if (!tool) throw new Error(`no carbon-ts tool for ${c.tool}`);
  const dir = mkdtempSync(join(tmpdir(), 'carbon-ts-golden-'));
  const cwd = process.cwd();
  const savedTz = process.env.TZ;
  try {
    for (const [src, dst] of c.files) copyFileSync(join(FIXTURES, 'input', src), join(dir, dst));
    process.env.TZ = c.env.TZ ?? 'UTC';
    process.chdir(dir);
    let stdout = '';
    let stderr = '';
    const exit = await tool(c.args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      now: () => c.now,
    });
    process.chdir(cwd);
    const after: Record<string, string> = {};
    for (const f of readdirSync(dir).sort()) after[f] = sha256(join(dir, f));
    return { stdout, stderr, exit, after };
  } finally {
    process.chdir(cwd);
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
    rmSync(dir, { recursive: true, force: true });
  }
}
