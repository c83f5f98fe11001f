import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, readdirSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PointChunk } from '../../src/relay/queue/point-chunk.js';
import { DestinationSpill } from '../../src/relay/spill/destination-spill.js';
import { SpillBudget } from '../../src/relay/spill/spill-budget.js';
import { numberedBatch, range, tempDir } from './helpers.js';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function newSpill(dir: string, budget = new SpillBudget(1 << 30), segmentBytes = 4096) {
  const s = new DestinationSpill(dir, budget, segmentBytes);
  const report = s.open();
  return { s, report, budget };
}

/** Reads (and commits) everything left, returning the values in order. */
function drain(s: DestinationSpill): number[] {
  const out: number[] = [];
  for (;;) {
    const c = new PointChunk(100);
    if (s.peek(c) === 0) return out;
    for (let i = 0; i < c.length; i++) out.push(c.values[i]!);
    s.commit();
  }
}

function fill(s: DestinationSpill, first: number, count: number, per = 50): void {
  const b = numberedBatch(first, count);
  for (let i = 0; i < count; i += per) expect(s.append(b, i, Math.min(count, i + per))).toBe(true);
}

describe('DestinationSpill', () => {
  it('replays records in order across segments and deletes replayed segments', () => {
    const d = tempDir('spill-');
    dirs.push(d);
    const { s, budget } = newSpill(d.path);
    fill(s, 0, 2000);
    s.flush();
    expect(readdirSync(d.path).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(3);
    expect(s.points).toBe(2000);
    expect(drain(s)).toEqual(range(0, 2000));
    expect(s.points).toBe(0);
    expect(readdirSync(d.path).filter((f) => f.endsWith('.seg'))).toEqual([]);
    expect(budget.used).toBe(0);
    s.close();
  });

  it('resumes at the cursor after close and reopen, without replaying committed records', () => {
    const d = tempDir('spill-');
    dirs.push(d);
    const a = newSpill(d.path).s;
    fill(a, 0, 1000);
    const c = new PointChunk(100);
    const got: number[] = [];
    for (let k = 0; k < 5; k++) {
      c.reset();
      a.peek(c);
      for (let i = 0; i < c.length; i++) got.push(c.values[i]!);
      a.commit();
    }
    c.reset();
    a.peek(c); // read but not committed: must come again
    a.close();
    const { s: b, report } = newSpill(d.path);
    expect(report.points).toBe(750);
    expect(got).toEqual(range(0, 250));
    expect(drain(b)).toEqual(range(250, 750));
    b.close();
  });

  it('keeps the good records of a segment torn mid-record and logs the damage', () => {
    const d = tempDir('spill-');
    dirs.push(d);
    const a = newSpill(d.path, undefined, 1 << 20).s;
    fill(a, 0, 500);
    a.close();
    const seg = readdirSync(d.path).find((f) => f.endsWith('.seg'))!;
    const path = join(d.path, seg);
    const size = statSync(path).size;
    truncateSync(path, size - 100); // crash in the middle of the last record
    appendFileSync(join(d.path, '0000000000000099.seg'), Buffer.from('garbage!')); // not a segment at all
    const { s: b, report } = newSpill(d.path, undefined, 1 << 20);
    expect(report.corruptSegments).toBe(2);
    expect(report.points).toBe(450);
    expect(drain(b)).toEqual(range(0, 450));
    expect(readdirSync(d.path)).toContain('0000000000000099.seg.corrupt');
    b.close();
  });

  it('detects a flipped byte by its checksum and keeps the records before it', () => {
    const d = tempDir('spill-');
    dirs.push(d);
    const a = newSpill(d.path, undefined, 1 << 20).s;
    fill(a, 0, 300, 100);
    a.close();
    const seg = join(d.path, readdirSync(d.path).find((f) => f.endsWith('.seg'))!);
    const bytes = readFileSync(seg);
    bytes[bytes.length - 50] ^= 0xff; // inside the third record
    writeFileSync(seg, bytes);
    const { s: b, report } = newSpill(d.path, undefined, 1 << 20);
    expect(report.corruptSegments).toBe(1);
    expect(drain(b)).toEqual(range(0, 200));
    b.close();
  });

  it('refuses records beyond the shared byte budget', () => {
    const d = tempDir('spill-');
    dirs.push(d);
    const budget = new SpillBudget(5000);
    const { s } = newSpill(d.path, budget);
    const b = numberedBatch(0, 1000);
    let accepted = 0;
    for (let i = 0; i < 1000; i += 50) if (s.append(b, i, i + 50)) accepted += 50;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(1000);
    expect(budget.isFull).toBe(true);
    expect(budget.used).toBeLessThanOrEqual(5000);
    expect(drain(s).length).toBe(accepted);
    expect(budget.hasRoom).toBe(true);
    s.close();
  });
});

describe('DestinationSpill reading the segment being written', () => {
  it('replays records as they are appended (no fsync per catch-up), and resumes after reopen', () => {
    const d = tempDir('spill-');
    dirs.push(d);
    const { s } = newSpill(d.path, undefined, 1 << 20);
    const got: number[] = [];
    for (let round = 0; round < 10; round++) {
      fill(s, round * 100, 100);
      got.push(...drain(s));
      expect(readdirSync(d.path).filter((f) => f.endsWith('.seg')).length).toBeLessThanOrEqual(1);
    }
    expect(got).toEqual(range(0, 1000));
    fill(s, 1000, 200);
    s.close();
    const { s: again, report } = newSpill(d.path, undefined, 1 << 20);
    expect(report.points).toBe(200);
    expect(drain(again)).toEqual(range(1000, 200));
    again.close();
  });
});

/** A 64 KiB tmpfs for the full-disk case (needs root, which CI has; skipped where mount is refused). */
function smallDisk(): { path: string; remove(): void } | null {
  const d = tempDir('spill-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', d.path], { stdio: 'ignore' });
  } catch {
    d.remove();
    return null;
  }
  return {
    path: d.path,
    remove: () => {
      execFileSync('umount', ['-l', d.path], { stdio: 'ignore' });
      d.remove();
    },
  };
}

const disk = smallDisk();
afterAll(() => disk?.remove());

describe.skipIf(disk === null)('DestinationSpill on a full disk (tmpfs; needs root)', () => {
  it('keeps what it could not write, writes it once there is room, and replays every point exactly once', () => {
    const path = join(disk!.path, 'spill');
    const { s } = newSpill(path, new SpillBudget(1 << 30), 4096); // small segments: a flush writes several, and may fail after some
    const ballast = join(disk!.path, 'ballast');
    writeFileSync(ballast, Buffer.alloc(52 * 1024));
    let total = 0;
    let failures = 0;
    // 100 points at a time until the disk is full, then two more rounds that can only be buffered.
    while (failures < 3 && total < 50_000) {
      fill(s, total, 100);
      total += 100;
      try {
        s.flush();
      } catch (e) {
        expect(String(e)).toContain('ENOSPC');
        failures++;
      }
    }
    expect(failures).toBe(3);
    expect(s.points).toBe(total);
    unlinkSync(ballast);
    s.flush();
    expect(drain(s)).toEqual(range(0, total));
    s.close();
  });
});
