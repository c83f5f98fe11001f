import { describe, expect, it } from 'vitest';
import { OpenFileClock } from '../../src/cache/open-file-clock.js';

describe('OpenFileClock', () => {
  it('holds at most its capacity, closing files not written since the hand last passed', () => {
    const closed: string[] = [];
    const clock = new OpenFileClock(3, (p) => closed.push(p));
    for (const p of ['a', 'b', 'c']) clock.touch(p);
    expect(closed).toEqual([]);
    clock.touch('a'); // a is marked: the hand passes it and takes b
    clock.touch('d');
    expect(closed).toEqual(['b']);
    expect(clock.size).toBe(3);
    clock.touch('e'); // hand at c (unmarked) → c
    expect(closed).toEqual(['b', 'c']);
    clock.touch('f'); // a's mark was cleared on the first pass → a
    expect(closed).toEqual(['b', 'c', 'a']);
    clock.touch('d');
    clock.touch('e');
    clock.touch('g'); // d and e marked → f
    expect(closed).toEqual(['b', 'c', 'a', 'f']);
    expect(clock.size).toBe(3);
  });

  it('forgets files without closing them, and never closes a file twice', () => {
    const closed: string[] = [];
    const clock = new OpenFileClock(2, (p) => closed.push(p));
    clock.touch('a');
    clock.touch('b');
    clock.forget('a');
    clock.touch('c');
    expect(closed).toEqual([]);
    clock.touch('a');
    expect(closed).toEqual(['b']);
    for (let i = 0; i < 100; i++) clock.touch(`x${i}`);
    expect(new Set(closed).size).toBe(closed.length);
    expect(clock.size).toBe(2);
  });
});
