import { describe, expect, it } from 'vitest';
import {
  carbonChPosition,
  carbonHash,
  fnv1a32,
  fnv1aChPosition,
  murmur3x86_32,
} from '../../src/pipeline/route/hash-functions.js';

// Values from spec/carbon.md §4.3, produced by carbon's hashing.py (and the mmh3 module).
describe('carbon ring hash functions', () => {
  it('carbon_ch is the first 16 bits of md5', () => {
    expect(carbonChPosition('foo')).toBe(44221);
    expect(carbonChPosition('foo.bar')).toBe(1273);
    expect(carbonChPosition("('10.0.0.1', 'a'):0")).toBe(31534);
  });
  it('fnv1a_ch folds 32-bit FNV-1a', () => {
    expect(fnv1a32('foo')).toBe(2851307223);
    expect(fnv1aChPosition('foo')).toBe(55076);
  });
  it('mmh3_ch is signed murmur3 x86_32 seed 0', () => {
    expect(murmur3x86_32('foo')).toBe(-156908512);
    expect(murmur3x86_32('foo.bar')).toBe(-154558337);
    expect(murmur3x86_32("('10.0.0.1', 'a')")).toBe(-2120485382);
    expect(murmur3x86_32('')).toBe(0);
  });
  it('hashes UTF-8 bytes of non-ASCII keys and falls back to carbon_ch for unknown types', () => {
    expect(carbonHash('été.temp', 'carbon_ch')).toBe(carbonChPosition('été.temp'));
    expect(carbonHash('x', 'bogus')).toBe(carbonChPosition('x'));
    const long = 'é'.repeat(3000);
    expect(fnv1a32(long)).toBe(fnv1a32(long));
  });
});
