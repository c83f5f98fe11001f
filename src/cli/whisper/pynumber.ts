// Python's int(text, radix) and float(text) string conversions, which the Python tools apply to
// their arguments (optparse's int type, whisper.update's float(value) and int(timestamp)).

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Python int(text, radix) for radix 2, 8, 10 or 16; undefined where Python raises ValueError. */
export function pyInt(text: string, radix: 2 | 8 | 10 | 16 = 10): number | undefined {
  let s = text.trim().toLowerCase();
  let negative = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  let underscoreAllowed = false;
  if (prefix && s.startsWith(prefix)) {
    s = s.slice(2);
    underscoreAllowed = true; // int('0x_1f', 16) is valid
  }
  if (s === '') return undefined;
  let value = 0n;
  const big = BigInt(radix);
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '_') {
      if (!underscoreAllowed || i === s.length - 1) return undefined;
      underscoreAllowed = false;
      continue;
    }
    const digit = DIGITS.indexOf(ch);
    if (digit < 0 || digit >= radix) return undefined;
    value = value * big + BigInt(digit);
    underscoreAllowed = true;
  }
  const n = Number(value);
  return negative ? -n : n;
}

const FLOAT_SYNTAX = /^[+-]?(?:(?:\d(?:_?\d)*)(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:e[+-]?\d(?:_?\d)*)?$/i;
const FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Python float(text); undefined where Python raises ValueError. */
export function pyFloat(text: string): number | undefined {
  const s = text.trim();
  const special = FLOAT_SPECIAL.exec(s);
  if (special) {
    if (special[2].toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!FLOAT_SYNTAX.test(s)) return undefined;
  return Number(s.replace(/_/g, ''));
}

/** optparse's integer option type: 0x → hex, 0b → binary, a leading 0 → octal, else decimal. */
export function optparseInt(text: string): number | undefined {
  const head = text.slice(0, 2).toLowerCase();
  if (head === '0x') return pyInt(text, 16);
  if (head === '0b') return pyInt(text.slice(2) || '0', 2);
  if (text.startsWith('0')) return pyInt(text, 8);
  return pyInt(text, 10);
}
