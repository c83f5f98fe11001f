/**
 * A Whisper file cut short after an intact header (a full disk, a crash). Python's whisper writes
 * into it anyway (seek past the end grows the file); the daemon's store extends it to its whole
 * length first and writes, and tells its caller. The bytes must be what python3-whisper makes of
 * the same file.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptWhisperFile, WhisperStore } from '../../src/whisper/index.js';
import { runPython } from '../protocol/helpers/python-oracle.js';

const dir = mkdtempSync(join(tmpdir(), 'whisper-short-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a Whisper file shorter than its header says', () => {
  it('is extended and written as python3-whisper writes it; without onShortFile it is refused', () => {
    const minute = Math.floor(Date.now() / 1000 / 60) * 60;
    // Which points archive 0 still holds, and so how far Python's writes reach, depends on the second
    // of the minute: several of them.
    for (const second of [0, 13, 29, 47, 59]) check(minute + second);
  });
});

/** One `now`: the cut-short files, ours and python3-whisper's, compared. */
function check(now: number): void {
  // Every archive-0 point within its 600 s whatever the second of the minute.
  const base = now - (now % 60) - 500;
  // 10s:60 and 60s:60 (1480 bytes); points for archive 0 and, older than its 600 s, archive 1 only.
  const points: [number, number][] = [];
  for (let i = 0; i < 40; i++) points.push([base + i * 10, i + 0.5]);
  for (let i = 0; i < 20; i++) points.push([base - 3000 + i * 60, 100 + i]);
  const full = join(dir, `full-${now}.wsp`);
  runPython(`import whisper, json; whisper.create(${JSON.stringify(full)}, [(10, 60), (60, 60)]); print(json.dumps(1))`);
  for (const size of [1000, 1479, 400]) {
    const ours = join(dir, `ours-${now}-${size}.wsp`);
    const theirs = join(dir, `py-${now}-${size}.wsp`);
    copyFileSync(full, ours);
    copyFileSync(full, theirs);
    truncateSync(ours, size);
    truncateSync(theirs, size);

    const refused = new WhisperStore();
    expect(() => refused.updateMany(ours, Float64Array.from(points, (p) => p[0]), Float64Array.from(points, (p) => p[1]), points.length, now)).toThrow(
      CorruptWhisperFile,
    );
    refused.close(ours);
    expect(statSync(ours).size).toBe(size);

    const seen: [number, number][] = [];
    const store = new WhisperStore({ onShortFile: (_p, from, to) => seen.push([from, to]) });
    store.updateMany(ours, Float64Array.from(points, (p) => p[0]), Float64Array.from(points, (p) => p[1]), points.length, now);
    store.close(ours);
    expect(seen).toEqual([[size, 1480]]);
    expect(statSync(ours).size).toBe(1480);

    const py = runPython<{ error: string | null }>(`
import whisper, json
err = None
try:
  whisper.update_many(${JSON.stringify(theirs)}, ${JSON.stringify(points)}, now=${now})
except Exception as e:
  err = type(e).__name__
print(json.dumps({"error": err}))
`);
    if (size >= 1000) {
      // Python's update succeeds and grows the file as far as its last write: the same bytes, its
      // file ending where its writes ended (what lies beyond reads as empty slots here).
      expect(py.error).toBeNull();
      const pyBytes = readFileSync(theirs);
      expect(pyBytes.length).toBeGreaterThanOrEqual(size);
      const ourBytes = readFileSync(ours);
      expect(ourBytes.subarray(0, pyBytes.length).equals(pyBytes), `size ${size}`).toBe(true);
      expect(ourBytes.subarray(pyBytes.length).every((byte) => byte === 0)).toBe(true);
    } else {
      // Python fails half way (reading archive 1's first slot past the end: struct.error) after
      // writing archive 0; here the update is whole. Compare with Python on the file at full length.
      expect(py.error).toBe('error');
      const repaired = join(dir, `py-full-${now}-${size}.wsp`);
      copyFileSync(full, repaired);
      truncateSync(repaired, size);
      truncateSync(repaired, 1480);
      runPython(`import whisper, json; whisper.update_many(${JSON.stringify(repaired)}, ${JSON.stringify(points)}, now=${now}); print(json.dumps(1))`);
      expect(readFileSync(ours).equals(readFileSync(repaired))).toBe(true);
    }
  }
}
