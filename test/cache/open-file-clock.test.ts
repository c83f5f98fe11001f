import { describe, expect, it } from 'vitest';
import { OpenFileClock } from '../../src/cache/open-file-clock.js';

describe('OpenFileClock', () => {
  it('keeps the files it holds when series are written cyclically: capacity / N of the writes hit', () => {
    const closed: string[] = [];
    const clock = new OpenFileClock(3, (p) => closed.push(p), 60_000);
    const names = ['a', 'b', 'c', 'd', 'e'];
    let hits = 0;
    for (let cycle = 0; cycle < 10; cycle++) {
      for (const n of names) {
        if (clock.has(n)) hits++;
        if (!clock.touch(n, cycle * 1000)) expect(['d', 'e']).toContain(n);
      }
    }
    // a, b, c stay open from the first cycle on; d and e are closed by the caller after each write.
    expect(hits).toBe(3 * 9);
    expect(closed).toEqual([]);
    expect(clock.size).toBe(3);
    expect(clock.touch('d', 9_500)).toBe(false);
  });

  it('gives the place of a file not written for idleMs to a new one, and closes it', () => {
    const closed: string[] = [];
    const clock = new OpenFileClock(2, (p) => closed.push(p), 1000);
    expect(clock.touch('a', 0)).toBe(true);
    expect(clock.touch('b', 0)).toBe(true);
    expect(clock.touch('a', 900)).toBe(true);
    expect(clock.touch('c', 950)).toBe(false); // the hand looks at a: written 50 ms ago
    expect(clock.touch('c', 1100)).toBe(true); // then at b: idle for 1100 ms
    expect(closed).toEqual(['b']);
    expect(clock.touch('b', 1200)).toBe(false); // a (written at 900) and c are in use
    expect(clock.touch('b', 1300)).toBe(false);
    expect(clock.touch('b', 2000)).toBe(true); // a is idle now
    expect(closed).toEqual(['b', 'a']);
    expect(clock.size).toBe(2);
  });

  it('forgets files without closing them, and never closes a file twice', () => {
    const closed: string[] = [];
    const clock = new OpenFileClock(2, (p) => closed.push(p), 0);
    clock.touch('a', 0);
    clock.touch('b', 0);
    clock.forget('a');
    expect(clock.size).toBe(1);
    clock.touch('c', 1);
    expect(closed).toEqual([]);
    clock.touch('a', 2);
    expect(closed).toEqual(['b']);
    for (let i = 0; i < 100; i++) clock.touch(`x${i}`, 3 + i);
    expect(new Set(closed).size).toBe(closed.length);
    expect(clock.size).toBe(2);
  });
});
