/**
 * Python's `float(x)` for text, which carbon applies to every value and timestamp it receives.
 * It is more permissive than JavaScript's Number() in some ways (digit-group underscores,
 * `inf`/`infinity`/`nan` in any case, non-ASCII decimal digits) and stricter in others (no hex,
 * no binary, no `Infinity` only via the `inf` prefix rule, empty text is an error).
 */
import { isPyWhitespace } from './python-text.js';

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;
const UNICODE_DIGIT = /^\p{Nd}$/u;

/** The ASCII whitespace Py_ISSPACE() knows, which float() strips after its Unicode transform. */
function isAsciiSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Value of a Unicode decimal digit. Unicode assigns every Nd digit in contiguous runs of ten that
 * start at zero, so the position inside its run gives the value.
 */
function unicodeDigitValue(cp: number): number {
  let k = 0;
  while (UNICODE_DIGIT.test(String.fromCodePoint(cp - k - 1))) k++;
  return k % 10;
}

/**
 * Python `float(text)`; `undefined` where Python raises ValueError. Overflow gives ±Infinity as in
 * Python (`float('1e999') == inf`).
 */
export function parsePyFloat(text: string): number | undefined {
  // 1. _PyUnicode_TransformDecimalAndSpaceToASCII: non-ASCII digits → ASCII, non-ASCII spaces → ' ',
  //    anything else non-ASCII makes the text invalid.
  let s = text;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x7f) {
      s = '';
      for (const ch of text) {
        const cp = ch.codePointAt(0)!;
        if (cp < 0x7f) s += ch;
        else if (isPyWhitespace(cp)) s += ' ';
        else if (UNICODE_DIGIT.test(ch)) s += String.fromCharCode(0x30 + unicodeDigitValue(cp));
        else return undefined;
      }
      break;
    }
  }
  // 2. Strip ASCII whitespace.
  let a = 0;
  let b = s.length;
  while (a < b && isAsciiSpace(s.charCodeAt(a))) a++;
  while (b > a && isAsciiSpace(s.charCodeAt(b - 1))) b--;
  if (a === b) return undefined;
  s = s.slice(a, b);
  // 3. Underscores only between two digits, then removed.
  if (s.includes('_')) {
    let prev = -1;
    let kept = '';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x5f) {
        if (!(prev >= 0x30 && prev <= 0x39)) return undefined;
      } else {
        if (prev === 0x5f && !(c >= 0x30 && c <= 0x39)) return undefined;
        kept += s[i];
      }
      prev = c;
    }
    if (prev === 0x5f) return undefined;
    s = kept;
  }
  if (DECIMAL.test(s)) return Number(s);
  const m = SPECIAL.exec(s);
  if (!m) return undefined;
  if (m[2].toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Fast path for the common plaintext number: `[+-]digits[.digits][e[+-]digits]` in ASCII bytes.
 * Returns the correctly rounded value, or `undefined` when the bytes are anything else (or too
 * long for exact arithmetic), in which case the caller uses parsePyFloat on the text.
 * Exactness: a mantissa of at most 15 digits is an exact double and so is 10^k for k <= 22, so one
 * multiplication or division rounds correctly (Clinger's fast path).
 */
export function parseSimpleFloatBytes(buf: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  let negative = false;
  let c = buf[i];
  if (c === 0x2d || c === 0x2b) {
    negative = c === 0x2d;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  while (i < end && (c = buf[i]) >= 0x30 && c <= 0x39) {
    mantissa = mantissa * 10 + (c - 0x30);
    digits++;
    i++;
  }
  if (i < end && buf[i] === 0x2e) {
    i++;
    while (i < end && (c = buf[i]) >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      fractionDigits++;
      i++;
    }
  }
  if (digits === 0 || digits > 15) return undefined;
  let exponent = 0;
  if (i < end && (buf[i] | 0x20) === 0x65) {
    i++;
    let expNegative = false;
    if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) {
      expNegative = buf[i] === 0x2d;
      i++;
    }
    const expStart = i;
    while (i < end && (c = buf[i]) >= 0x30 && c <= 0x39 && i - expStart < 5) {
      exponent = exponent * 10 + (c - 0x30);
      i++;
    }
    if (i === expStart) return undefined;
    if (expNegative) exponent = -exponent;
  }
  if (i !== end) return undefined;
  const scale = exponent - fractionDigits;
  let v: number;
  if (scale === 0) v = mantissa;
  else if (scale > 0 && scale <= 22) v = mantissa * POW10[scale];
  else if (scale < 0 && scale >= -22) v = mantissa / POW10[-scale];
  else return undefined;
  return negative ? -v : v;
}
