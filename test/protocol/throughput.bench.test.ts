/**
 * Throughput figures for the README/report; skipped unless CARBON_TS_BENCH=1 (timing has no place
 * in the test suite). Run: CARBON_TS_BENCH=1 npx vitest run test/protocol/throughput.bench.test.ts
 */
import { describe, expect, it } from 'vitest';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { LineStreamParser } from '../../src/protocol/line-parser.js';
import { decodePickle } from '../../src/protocol/pickle-decoder.js';
import { encodePickle } from '../../src/protocol/pickle-encoder.js';
import { extractStandardPickleFrame } from '../../src/protocol/pickle-fast-path.js';
import { extractPicklePoints } from '../../src/protocol/pickle-points.js';
import { tuple } from '../../src/protocol/pickle-values.js';
import { AcceptPath } from '../../src/receivers/accept-path.js';

describe.skipIf(!process.env.CARBON_TS_BENCH)('protocol throughput', () => {
  it('plaintext lines into a batch', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `servers.host${i % 500}.cpu.core${i % 8}.user ${(i * 0.37).toFixed(2)} ${1700000000 + (i % 60)}\n`).join('');
    const chunks: Buffer[] = [];
    const data = Buffer.from(lines);
    for (let i = 0; i < data.length; i += 65536) chunks.push(data.subarray(i, i + 65536));
    const parser = new LineStreamParser(new AcceptPath(), () => undefined);
    const out = new MetricBatch(4096);
    let points = 0;
    const rounds = 300;
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) {
      for (const c of chunks) {
        out.clear();
        parser.feed(c, out);
        points += out.length;
      }
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`line parser: ${(points / s / 1e6).toFixed(2)}M lines/s (${points} lines, ${s.toFixed(2)} s)`);
    expect(points).toBe(rounds * 10_000);
  });

  it('pickle frames of 500 points', () => {
    const frame = encodePickle(Array.from({ length: 500 }, (_, i) => tuple(`servers.host${i}.cpu.user`, tuple(1700000000 + i, i * 0.5))));
    const accept = new AcceptPath();
    const out = new MetricBatch(1024);
    const frames = 5000;
    const t0 = process.hrtime.bigint();
    for (let f = 0; f < frames; f++) {
      out.clear();
      extractPicklePoints(decodePickle(frame), accept, out, () => undefined);
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`pickle, general decoder: ${(frames / s).toFixed(0)} frames/s of 500 points = ${((frames * 500) / s / 1e6).toFixed(2)}M points/s (frame ${frame.length} bytes)`);
    expect(out.length).toBe(500);
    const t1 = process.hrtime.bigint();
    for (let f = 0; f < frames; f++) {
      out.clear();
      extractStandardPickleFrame(frame, accept, out);
    }
    const s1 = Number(process.hrtime.bigint() - t1) / 1e9;
    console.log(`pickle, receiver fast path: ${(frames / s1).toFixed(0)} frames/s of 500 points = ${((frames * 500) / s1 / 1e6).toFixed(2)}M points/s`);
    expect(out.length).toBe(500);
  });
});
