import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, readWhisper, sendTcp, sleep, startDaemon, tempDir, writeConfig } from '../helpers/daemon.js';

/**
 * A full disk under a running carbon-ts cache: LOCAL_DATA_DIR on a 64 KiB tmpfs (16 pages; a
 * 1-hour-by-minute Whisper file takes one). Needs root to mount; CI runs as root.
 */
const dir = tempDir('carbon-ts-disk-full-');
const disk = join(dir, 'disk');
mkdirSync(disk);
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk], { stdio: 'ignore' });
  mounted = true;
} catch {
  // not permitted here: the suite says so below
}

afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', disk], { stdio: 'ignore' });
  cleanup(dir);
});

const now = () => Math.floor(Date.now() / 1000);

describe.skipIf(!mounted)('carbon-ts cache on a full disk (tmpfs mounted; needs root)', () => {
  it('keeps writing existing series, keeps the points of new ones, and creates them once there is room', async () => {
    const data = join(disk, 'whisper');
    const conf = writeConfig(
      dir,
      { cache: { ...baseOptions(dir), LOCAL_DATA_DIR: data, LOG_UPDATES: 'False' } },
      { 'storage-schemas.conf': '[default]\npattern = .*\nretentions = 60s:1h\n' },
    );
    const d = await startDaemon('cache', conf, dir);
    try {
      const t = now() - (now() % 60) - 600;
      await sendTcp(d.ports.line!, [0, 1, 2, 3].map((i) => `old.s${i} 1 ${t}\n`).join(''));
      const oldFile = (i: number) => join(data, 'old', `s${i}.wsp`);
      for (let k = 0; k < 100 && ![0, 1, 2, 3].every((i) => existsSync(oldFile(i))); k++) await sleep(100);
      // Fill what is left of the disk.
      const ballast = join(disk, 'ballast');
      for (let kb = 64; kb > 0; kb -= 4) {
        try {
          writeFileSync(ballast, Buffer.alloc(kb * 1024));
          break;
        } catch {
          rmSync(ballast, { force: true });
        }
      }
      await sendTcp(
        d.ports.line!,
        [0, 1, 2, 3].map((i) => `old.s${i} 2 ${t + 60}\n`).join('') + [0, 1, 2, 3, 4, 5].map((i) => `new.s${i} ${10 + i} ${t}\nnew.s${i} ${20 + i} ${t + 60}\n`).join(''),
      );
      await sleep(2500);
      // Existing files were allocated in full: they are still written.
      for (const i of [0, 1, 2, 3]) expect(readWhisper(oldFile(i), t - 60, t + 120)).toEqual([[t, 1], [t + 60, 2]]);
      for (const i of [0, 1, 2, 3, 4, 5]) expect(existsSync(join(data, 'new', `s${i}.wsp`))).toBe(false);
      expect(d.logs()).toContain('no space left on device for new series');
      // More points for a waiting series join it.
      await sendTcp(d.ports.line!, `new.s0 30 ${t + 120}\n`);
      rmSync(ballast);
      // Retried every 10 s.
      const newFile = (i: number) => join(data, 'new', `s${i}.wsp`);
      for (let k = 0; k < 150 && ![0, 1, 2, 3, 4, 5].every((i) => existsSync(newFile(i))); k++) await sleep(100);
      await sleep(300);
      expect(await d.stop()).toBe(0);
      for (const i of [0, 1, 2, 3, 4, 5]) {
        const expected: Array<[number, number]> = [
          [t, 10 + i],
          [t + 60, 20 + i],
        ];
        if (i === 0) expected.push([t + 120, 30]);
        expect(readWhisper(newFile(i), t - 60, t + 180)).toEqual(expected);
      }
    } finally {
      await d.stop('SIGKILL');
    }
  }, 40_000);
});
