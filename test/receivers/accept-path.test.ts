import { describe, expect, it } from 'vitest';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { AcceptPath, pointClock } from '../../src/receivers/accept-path.js';

describe('-1 timestamps', () => {
  it('pointClock follows the wall clock and never repeats a value while it stands still', () => {
    let wall = 1_700_000_000_000;
    const now = pointClock(() => wall);
    const a = now();
    const b = now();
    const c = now();
    expect(a).toBe(1_700_000_000);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    expect(c - a).toBeLessThan(1e-5);
    wall += 5;
    expect(now()).toBe(1_700_000_000.005);
  });

  it('gives each -1 point its own "now", as carbon does with time.time() per point (the first received then wins its whisper slot)', () => {
    const accept = new AcceptPath({ now: pointClock(() => 1_700_000_000_123) });
    const out = new MetricBatch(4);
    accept.accept(out, 'q.now', 1, -1);
    accept.accept(out, 'q.now', 2, -1);
    accept.accept(out, 'q.now', 3, -1.5);
    const ts = Array.from(out.timestamps.subarray(0, out.length));
    expect(new Set(ts).size).toBe(3);
    expect(ts[0]).toBe(1_700_000_000.123);
    expect(ts[1]).toBeGreaterThan(ts[0]);
    expect(ts[2]).toBeGreaterThan(ts[1]);
  });
});
