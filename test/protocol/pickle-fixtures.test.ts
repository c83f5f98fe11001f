import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareDecoder, compareReceiver, runPicklePayload, type Outcome, type ReceiverObservation } from './helpers/pickle-compare.js';

/** Made by scripts/gen-pickle-fixtures.py with Python's pickle and carbon's own SafeUnpickler / MetricPickleReceiver. */
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/pickle/cases.json', import.meta.url), 'utf8')) as {
  decoder: { proto: number; hex: string; expected: Outcome }[];
  payloads: { proto: number; hex: string; expected: ReceiverObservation }[];
};

describe('pickle fixtures from the reference (protocols 0-5)', () => {
  it('decodes every fixture pickle as carbon SafeUnpickler did, with the same error handling', () => {
    expect(fixtures.decoder.length).toBeGreaterThan(500);
    const failures = fixtures.decoder.map((c) => [c, compareDecoder(Buffer.from(c.hex, 'hex'), c.expected)] as const).filter(([, d]) => d);
    expect(failures.map(([c, d]) => `proto ${c.proto} ${c.hex}: ${d}`)).toEqual([]);
  });

  it('extracts every fixture payload as carbon MetricPickleReceiver did', () => {
    expect(fixtures.payloads.length).toBeGreaterThan(100);
    const failures = fixtures.payloads.map((c) => [c, compareReceiver(runPicklePayload(Buffer.from(c.hex, 'hex')), c.expected)] as const).filter(([, d]) => d);
    expect(failures.map(([c, d]) => `proto ${c.proto} ${c.hex}: ${d}`)).toEqual([]);
  });
});
