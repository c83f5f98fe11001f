// merge, diff and whisper-fill's logic on a fixed scenario; expected digests and
// diff rows were produced by python3-whisper 1.1.4 and /usr/bin/whisper-fill
// (time.time() frozen at NOW + 0.25) on the same calls.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveLayoutMismatch, WhisperValueError, create, diff, fillArchives, merge, updateMany } from '../../src/whisper/index.js';

const T0 = 1699999800;
const NOW = T0 + 10;
let dir: string;
const f = (name: string): string => path.join(dir, `${name}.wsp`);
const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-mdf-'));
  for (const [name, method] of [['a', 'average'], ['b', 'sum'], ['c', 'max']]) create(f(name), [[60, 30], [300, 30]], 0.5, method);
  updateMany(f('a'), Array.from({ length: 15 }, (_, i) => [T0 - 1700 + 120 * i, i] as const), NOW);
  updateMany(f('b'), Array.from({ length: 30 }, (_, i) => [T0 - 1750 + 60 * i, i * 1.5] as const), NOW);
  updateMany(f('c'), [[T0 - 1500, 0], [T0 - 1440, 2], [T0 - 600, 3], [T0 - 60, 4]], NOW);
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('diff, fill and merge match python3-whisper', () => {
  it('diff lists differing slots per archive, finest first, each coarser archive only older time', () => {
    const rows0: [number, number | null, number | null][] = [];
    for (let i = 0; i < 29; i++) rows0.push([1699998060 + 60 * i, i % 2 === 0 ? i / 2 : null, (i + 1) * 1.5]);
    expect(diff(f('a'), f('b'), false, null, NOW)).toEqual([
      { archive: 0, diffs: rows0, total: 29 },
      { archive: 1, diffs: [[1699998000, null, 15.0]], total: 1 },
    ]);
    expect(diff(f('a'), f('b'), true, null, NOW).map((d) => [d.archive, d.diffs.length, d.total])).toEqual([
      [0, 15, 15],
      [1, 0, 0],
    ]);
  });

  it('fillArchives fills only the gaps (None or 0.0) of the destination', () => {
    fillArchives(f('b'), f('c'), NOW + 0.25, NOW + 0.25);
    expect(sha256(f('c'))).toBe('e9468bc9003082ffce7693cc35d15a5d982aa72078739c39cf644fb298cff1cd');
  });

  it('merge overwrites with every non-empty source slot, optionally within a time range', () => {
    merge(f('b'), f('a'), null, null, NOW);
    expect(sha256(f('a'))).toBe('8d22f7b9e2fa0d7d9cce4cb183779511822071550bc7776a1c726e0e5d50fe30');
    merge(f('a'), f('b'), T0 - 900, T0 - 300, NOW);
    expect(sha256(f('b'))).toBe('0254131379266ff24dff6fb71011340d5296ec071b12474cee0345439c9a2496');
  });

  it('refuses different layouts and inverted ranges with Python\'s exceptions', () => {
    create(f('other'), [[60, 31], [300, 30]]);
    expect(() => merge(f('other'), f('a'), null, null, NOW)).toThrow(ArchiveLayoutMismatch);
    expect(() => merge(f('other'), f('a'), null, null, NOW)).toThrow(
      `${f('other')} and ${f('a')} archive configurations are unalike. Resize the input before merging`,
    );
    expect(() => diff(f('a'), f('other'), false, null, NOW)).toThrow('Resize the input before diffing');
    expect(() => merge(f('b'), f('a'), NOW, NOW - 10, NOW)).toThrow(WhisperValueError);
  });
});
