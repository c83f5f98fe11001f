import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createWhisperBackend } from '../../src/cache/whisper-backend.js';
import { fetch } from '../../src/whisper/index.js';
import { defaultWhisperOptions } from '../helpers/writer-options.js';

const dir = mkdtempSync(join(tmpdir(), 'whisper-backend-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Descriptors this process holds on files under `root`. */
function openUnder(root: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(root)) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

describe('the writer backend', () => {
  it('keeps at most WHISPER_MAX_OPEN_FILES files open, and every point lands whether its file was open or not', () => {
    const data = join(dir, 'capped');
    const backend = createWhisperBackend({ ...defaultWhisperOptions(data), collectUpdateLog: false, maxOpenFiles: 3 });
    const now = Math.floor(Date.now() / 1000);
    const t = now - (now % 60) - 600;
    for (let i = 0; i < 10; i++) {
      expect(backend.createWithPoints(join(data, `s${i}.wsp`), [[60, 60]], undefined, undefined, Float64Array.of(t), Float64Array.of(i), 1)).toBe(true);
      expect(openUnder(data)).toBeLessThanOrEqual(3);
    }
    for (let i = 0; i < 10; i++) backend.updateMany(join(data, `s${i}.wsp`), Float64Array.of(t + 60), Float64Array.of(100 + i), 1);
    expect(openUnder(data)).toBeLessThanOrEqual(3);
    expect(openUnder(data)).toBeGreaterThan(0);
    // An existing file is left alone by createWithPoints.
    expect(backend.createWithPoints(join(data, 's0.wsp'), [[60, 60]], undefined, undefined, Float64Array.of(t), Float64Array.of(9), 1)).toBe(false);
    backend.close();
    expect(openUnder(data)).toBe(0);
    for (let i = 0; i < 10; i++) {
      const got = fetch(join(data, `s${i}.wsp`), t - 60, t + 120, now)!;
      expect(got.values.filter((v) => v !== null)).toEqual([i, 100 + i]);
    }
  });

  it('without a setting keeps every file it writes open (up to the descriptor limit)', () => {
    const data = join(dir, 'auto');
    const backend = createWhisperBackend({ ...defaultWhisperOptions(data), collectUpdateLog: false });
    const t = Math.floor(Date.now() / 1000) - 600;
    for (let i = 0; i < 20; i++) backend.createWithPoints(join(data, `s${i}.wsp`), [[60, 60]], undefined, undefined, Float64Array.of(t), Float64Array.of(i), 1);
    expect(openUnder(data)).toBe(20);
    backend.close();
  });
});
