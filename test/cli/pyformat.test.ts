import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { floatRepr, formatFixed, formatGeneral, jsonFloat, pyStrRepr } from '../../src/cli/whisper/pyformat.js';
import { optparseInt, pyFloat, pyInt } from '../../src/cli/whisper/pynumber.js';
import { FIXTURES } from './golden-harness.js';

interface FormatVector {
  hex: string;
  repr: string;
  f: string;
  f3: string;
  g: string;
  g35: string;
}

const vectors = JSON.parse(readFileSync(join(FIXTURES, 'float-formats.json'), 'utf8')) as FormatVector[];

describe('Python float formatting (vectors recorded from CPython)', () => {
  test.each(vectors.map((v) => [v.repr, v] as const))('%s', (_name, v) => {
    const x = Buffer.from(v.hex, 'hex').readDoubleBE(0);
    expect(floatRepr(x)).toBe(v.repr);
    expect(formatFixed(x)).toBe(v.f);
    expect(formatFixed(x, 3)).toBe(v.f3);
    expect(formatGeneral(x)).toBe(v.g);
    expect(formatGeneral(x, 35, 10)).toBe(v.g35);
  });

  test('half-way cases round to even on the exact binary value', () => {
    expect(formatFixed(0.0078125)).toBe('0.007812'); // exactly ...125: tie, round to even
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(3.5, 0)).toBe('4');
    expect(formatFixed(2.675, 2)).toBe('2.67'); // 2.67499999... in binary
  });

  test('non-finite values', () => {
    expect(formatFixed(NaN)).toBe('nan');
    expect(formatGeneral(-Infinity, 35, 10)).toBe('      -inf');
    expect(floatRepr(Infinity)).toBe('inf');
    expect(jsonFloat(NaN)).toBe('NaN');
    expect(jsonFloat(-Infinity)).toBe('-Infinity');
  });

  test('str repr picks quotes and escapes like Python', () => {
    expect(pyStrRepr('abc')).toBe("'abc'");
    expect(pyStrRepr("it's")).toBe('"it\'s"');
    expect(pyStrRepr('a\'b"c')).toBe("'a\\'b\"c'");
    expect(pyStrRepr('tab\there\\')).toBe("'tab\\there\\\\'");
  });
});

describe('Python int()/float() and optparse integer parsing', () => {
  test('int() accepts whitespace, signs and digit underscores only', () => {
    expect(pyInt(' 42 ')).toBe(42);
    expect(pyInt('-7')).toBe(-7);
    expect(pyInt('1_000')).toBe(1000);
    expect(pyInt('1__0')).toBeUndefined();
    expect(pyInt('12.5')).toBeUndefined();
    expect(pyInt('')).toBeUndefined();
  });

  test('optparse int: 0x hex, 0b binary, leading-zero octal', () => {
    expect(optparseInt('0x10')).toBe(16);
    expect(optparseInt('0b101')).toBe(5);
    expect(optparseInt('010')).toBe(8);
    expect(optparseInt('0')).toBe(0);
    expect(optparseInt('09')).toBeUndefined();
    expect(optparseInt('-0x10')).toBeUndefined();
  });

  test('float() syntax', () => {
    expect(pyFloat('1.')).toBe(1);
    expect(pyFloat('.5')).toBe(0.5);
    expect(pyFloat(' 1e3 ')).toBe(1000);
    expect(pyFloat('-Infinity')).toBe(-Infinity);
    expect(Number.isNaN(pyFloat('nan'))).toBe(true);
    expect(pyFloat('1_0.5')).toBe(10.5);
    expect(pyFloat('0x10')).toBeUndefined();
    expect(pyFloat('abc')).toBeUndefined();
    expect(pyFloat('')).toBeUndefined();
  });
});
