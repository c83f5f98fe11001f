import { describe, expect, it } from 'vitest';
import { NameInterner } from '../../src/protocol/name-interner.js';

describe('NameInterner', () => {
  it('returns the same string object for the same bytes, and exactly latin1 of the bytes', () => {
    const it1 = new NameInterner(64);
    const buf = Buffer.from('xx carbon.agents.a.cpu yy carbon.agents.a.cpu');
    const a = it1.latin1(buf, 3, 22);
    const b = it1.latin1(buf, 26, 45);
    expect(a).toBe('carbon.agents.a.cpu');
    expect(b).toBe(a);
    expect(it1.slotOf(buf, 3, 22)).toBe(it1.slotOf(buf, 26, 45));
    expect(it1.nameAt(it1.slotOf(buf, 3, 22))).toBe(a);
  });

  it('never confuses names, whatever the collisions and evictions in a tiny table', () => {
    const it1 = new NameInterner(4);
    let s = 1;
    const rnd = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
    const long = 'x'.repeat(70);
    for (let round = 0; round < 5000; round++) {
      const len = rnd(4) === 0 ? 57 + rnd(20) : rnd(12);
      const bytes = Buffer.alloc(len);
      for (let k = 0; k < len; k++) bytes[k] = rnd(4) === 0 ? 0x80 + rnd(128) : 0x61 + rnd(3);
      const padded = Buffer.concat([Buffer.from('ab'), bytes, Buffer.from(long)]);
      expect(it1.latin1(padded, 2, 2 + len)).toBe(bytes.toString('latin1'));
    }
  });

  it('grows while names miss and keeps answering exactly', () => {
    const it1 = new NameInterner(1 << 12, 512);
    const names = Array.from({ length: 1500 }, (_, k) => Buffer.from(`grow.g${k % 7}.s${k}.value`));
    const texts = names.map((b) => b.toString('latin1'));
    let wrong = 0;
    // Enough lookups for several review windows.
    for (let round = 0; round < 320; round++) {
      for (let k = 0; k < names.length; k++) if (it1.latin1(names[k]!, 0, names[k]!.length) !== texts[k]) wrong++;
    }
    expect(wrong).toBe(0);
    expect(it1.capacity).toBeGreaterThan(1024);
    expect(it1.capacity).toBeLessThanOrEqual(1 << 12);
    const slot = it1.slotOf(names[42]!, 0, names[42]!.length);
    expect(it1.nameAt(slot)).toBe(names[42]!.toString());
  });

  it('keeps a tag with each name: 0 for a new name, moved with the name when the table grows', () => {
    const it1 = new NameInterner(1 << 14, 64);
    const names = Array.from({ length: 3000 }, (_, k) => Buffer.from(`tag.g${k % 7}.s${k}`));
    const tagged = new Map<string, number>();
    // 120 rounds: enough review windows for the table to grow to a size that holds every name.
    for (let round = 0; round < 120; round++) {
      for (let k = 0; k < names.length; k++) {
        const slot = it1.slotOf(names[k]!, 0, names[k]!.length);
        const name = it1.nameAt(slot);
        const want = tagged.get(name);
        const tag = it1.tagOf(slot);
        // Either the name kept its slot record (and its tag) or it came back as new (tag 0).
        if (tag !== 0) expect(tag).toBe(want);
        if (tag === 0) {
          it1.setTag(slot, k + 1);
          tagged.set(name, k + 1);
        }
      }
    }
    expect(it1.capacity).toBeGreaterThanOrEqual(4096);
    // Most names kept their tags through the growth (only names evicted from a full set lose them).
    const kept = names.filter((b, k) => it1.tagOf(it1.slotOf(b, 0, b.length)) === k + 1).length;
    expect(kept).toBeGreaterThan(names.length * 0.9);
    const slot = it1.slotOf(names[5]!, 0, names[5]!.length);
    it1.setTag(slot, 6);
    const owner = {};
    it1.claimTags(owner);
    expect(it1.tagOf(slot)).toBe(0);
    it1.setTag(slot, 9);
    it1.claimTags(owner); // the same owner keeps its tags
    expect(it1.tagOf(slot)).toBe(9);
  });

  it('does not cache names over 256 bytes', () => {
    const it1 = new NameInterner(16);
    const buf = Buffer.from('n'.repeat(300));
    expect(it1.slotOf(buf, 0, 300)).toBe(-1);
    expect(it1.latin1(buf, 0, 300)).toBe('n'.repeat(300));
  });
});
