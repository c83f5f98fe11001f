// whisper-resize's one addition to the Python tool's output: progress lines for large files,
// only on the progress sink (a terminal's stderr), never on stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { PROGRESS_MIN_POINTS, whisperResize } from '../../src/cli/whisper/resize.js';
import { create, fetch, updateMany } from '../../src/whisper/index.js';

const NOW = 1_700_000_000;
let dir: string | undefined;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function resize(path: string, withProgressSink: boolean) {
  let stdout = '';
  let stderr = '';
  const progress: string[] = [];
  const exit = await whisperResize([path, '10s:2d', '1m:30d', '--nobackup'], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    now: () => NOW,
    progress: withProgressSink ? (t) => progress.push(t) : undefined,
  });
  return { exit, stdout, stderr, progress };
}

test('a large resize reports each phase on the progress sink and keeps stdout identical to Python', async () => {
  dir = mkdtempSync(join(tmpdir(), 'carbon-ts-resize-'));
  const quiet = join(dir, 'quiet.wsp');
  const loud = join(dir, 'loud.wsp');
  for (const path of [quiet, loud]) {
    create(path, [[10, PROGRESS_MIN_POINTS], [60, 50_000]], 0.5, 'average');
    updateMany(path, Array.from({ length: 500 }, (_, i) => [NOW - 10 * i, i] as const), NOW);
  }
  const withoutSink = await resize(quiet, false);
  const withSink = await resize(loud, true);
  expect(withSink.exit).toBe(0);
  expect(withSink.stdout.replaceAll('loud', 'quiet')).toBe(withoutSink.stdout);
  expect(withSink.stderr).toBe('');
  expect(withSink.progress.map((l) => l.replace(/, [\d.]+s elapsed\n$/, ''))).toEqual([
    'whisper-resize: read archive 1 of 2 (50000 slots)',
    'whisper-resize: read archive 2 of 2 (100000 slots)',
    'whisper-resize: migrated archive 1 of 2 (84 points)',
    'whisper-resize: migrated archive 2 of 2 (500 points)',
  ]);
  expect(withoutSink.progress).toEqual([]);
  expect(fetch(loud, NOW - 100, NOW, NOW)?.values).toEqual(fetch(quiet, NOW - 100, NOW, NOW)?.values);
});

test('a small resize reports nothing even on a terminal', async () => {
  dir = mkdtempSync(join(tmpdir(), 'carbon-ts-resize-'));
  const path = join(dir, 'small.wsp');
  create(path, [[60, 60]], 0.5, 'average');
  const run = await resize(path, true);
  expect(run.exit).toBe(0);
  expect(run.progress).toEqual([]);
});
