import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/cache/token-bucket.js';

describe('TokenBucket (carbon util.TokenBucket)', () => {
  it('starts full, drains, refills at the fill rate up to capacity', () => {
    let now = 100;
    const b = new TokenBucket(3, 2, () => now);
    expect(b.drain()).toBe(true);
    expect(b.drain(2)).toBe(true);
    expect(b.drain()).toBe(false);
    expect(b.secondsUntil(1)).toBeCloseTo(0.5);
    now += 0.25;
    expect(b.tokens).toBeCloseTo(0.5);
    expect(b.drain()).toBe(false);
    now += 0.25;
    expect(b.drain()).toBe(true);
    now += 100;
    expect(b.tokens).toBe(3);
  });

  it('shutdown rate change moves tokens by the capacity delta', () => {
    let now = 0;
    const b = new TokenBucket(10, 10, () => now);
    b.drain(4);
    b.setCapacityAndFillRate(2, 2);
    expect(b.tokens).toBe(-2); // 6 + (2 - 10): carbon lets the bucket go negative
    expect(b.secondsUntil(1)).toBeCloseTo(1.5);
    now = 1.5;
    expect(b.drain()).toBe(true);
  });
});
