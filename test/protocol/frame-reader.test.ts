import { describe, expect, it } from 'vitest';
import { FRAME_TOO_LONG, FRAMES_OK, FRAMES_STOPPED, FrameReader, frameWithLength } from '../../src/protocol/frame-reader.js';

describe('length-prefixed frame reader', () => {
  const frames = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(70_000, 7), Buffer.from('last')];
  const stream = Buffer.concat(frames.map(frameWithLength));

  it('yields the same frames however the stream is cut', () => {
    for (const step of [1, 3, 4, 5, 1000, 65536, stream.length]) {
      const r = new FrameReader(100_000);
      const got: Buffer[] = [];
      const statuses = new Set<number>();
      for (let i = 0; i < stream.length; i += step) statuses.add(r.feed(stream.subarray(i, i + step), (f) => void got.push(Buffer.from(f))));
      expect([...statuses]).toEqual([FRAMES_OK]);
      expect(got).toEqual(frames);
      expect(r.pendingBytes).toBe(0);
    }
  });

  it('allows a frame of exactly the maximum and refuses one byte more as soon as the prefix is read', () => {
    const r = new FrameReader(10);
    const got: Buffer[] = [];
    expect(r.feed(frameWithLength(Buffer.alloc(10)), (f) => void got.push(f))).toBe(FRAMES_OK);
    expect(got.length).toBe(1);
    expect(r.feed(Buffer.from([0, 0, 0, 11]), () => undefined)).toBe(FRAME_TOO_LONG);
    expect(r.rejectedLength).toBe(11);
    expect(new FrameReader(10).feed(Buffer.from([0xff, 0xff, 0xff, 0xff]), () => undefined)).toBe(FRAME_TOO_LONG);
  });

  it('processes the frames before an oversized one and stops when the handler asks', () => {
    const got: string[] = [];
    const data = Buffer.concat([frameWithLength(Buffer.from('ok')), Buffer.from([0, 1, 0, 0])]);
    expect(new FrameReader(100).feed(data, (f) => void got.push(f.toString()))).toBe(FRAME_TOO_LONG);
    expect(got).toEqual(['ok']);
    expect(new FrameReader(100).feed(stream.subarray(0, 10), () => false)).toBe(FRAMES_STOPPED);
  });
});

describe('length-prefixed frame reader on random cuts', () => {
  it('yields every frame intact whatever the read sizes, frames spanning many reads included', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 50; round++) {
      const frames = Array.from({ length: 1 + rand(30) }, (_, i) => Buffer.alloc(rand(5) === 0 ? rand(20_000) : rand(40), (round + i) % 251));
      const stream = Buffer.concat(frames.map(frameWithLength));
      const r = new FrameReader(1 << 20);
      const got: Buffer[] = [];
      for (let i = 0; i < stream.length; ) {
        const step = 1 + rand(rand(4) === 0 ? 9 : 30_000);
        expect(r.feed(stream.subarray(i, i + step), (f) => void got.push(Buffer.from(f)))).toBe(FRAMES_OK);
        i += step;
      }
      expect(got).toEqual(frames);
      expect(r.pendingBytes).toBe(0);
    }
  });

  it('refuses an oversized length whose prefix was cut across reads', () => {
    const r = new FrameReader(10);
    expect(r.feed(Buffer.from([0, 0]), () => undefined)).toBe(FRAMES_OK);
    expect(r.feed(Buffer.from([0, 11, 1, 2]), () => undefined)).toBe(FRAME_TOO_LONG);
    expect(r.rejectedLength).toBe(11);
  });
});
