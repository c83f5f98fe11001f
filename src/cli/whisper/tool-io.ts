// What a whisper tool runs against: output sinks and the clock, so tests can run a tool
// in-process with captured output and a pinned clock, and the CLI can run it on the real process.
import { uncaught } from './py-errors.js';
import { SystemExitMessage, ToolExit } from './tool-errors.js';

/** Set to an epoch time (seconds, may be fractional) to pin the tools' clock, as the golden fixtures do. */
export const PINNED_NOW_ENV = 'CARBON_TS_WHISPER_NOW';

export interface ToolIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Python's time.time(): seconds since the epoch, fractional. */
  now(): number;
  /** Progress reports for long operations; set only where someone watches (stderr is a terminal). */
  progress?: (text: string) => void;
}

export type WhisperTool = (argv: string[], io: ToolIO) => Promise<number>;

export { SystemExitMessage, ToolExit, UncaughtPythonError } from './tool-errors.js';

/** The clock the tools use: PINNED_NOW_ENV when set (tests, fixtures), else the real time. */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): () => number {
  const pinned = env[PINNED_NOW_ENV];
  if (pinned !== undefined && pinned.trim() !== '' && Number.isFinite(Number(pinned))) {
    const value = Number(pinned);
    return () => value;
  }
  return () => Date.now() / 1000;
}

/** A ToolIO on the real process streams. */
export function processToolIO(): ToolIO {
  // The Python tools restore SIGPIPE's default action: `whisper-dump x | head` ends quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(141);
    throw err;
  });
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    now: clockFromEnv(),
    progress: process.stderr.isTTY ? (text) => process.stderr.write(text) : undefined,
  };
}

/** Runs a tool body, turning ToolExit/SystemExitMessage/UncaughtPythonError into output and an exit status. */
export async function runToolBody(tool: string, io: ToolIO, body: () => Promise<number | void>): Promise<number> {
  try {
    return (await body()) ?? 0;
  } catch (err) {
    if (err instanceof ToolExit) return err.code;
    if (err instanceof SystemExitMessage) {
      io.stderr(err.message + '\n');
      return 1;
    }
    const python = uncaught(err);
    io.stderr(`Traceback (most recent call last):\n  File "/usr/bin/${tool}", in <module>\n${python.pythonType}: ${python.message}\n`);
    return 1;
  }
}
