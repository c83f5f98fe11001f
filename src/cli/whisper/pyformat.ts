// Python's number formatting, reproduced exactly so the tools print the same bytes as the Python
// whisper-* scripts: repr()/str() of a float, '%f', '%g' and '%W.Pg', and json.dumps of a float.
// Fixed-precision formats round the exact binary value half-to-even, as CPython does; JavaScript's
// toFixed/toPrecision round ties away from zero and switch to exponent notation at other
// thresholds, so they cannot be used directly.

/** The exact decimal value of a finite double: |x| = digits × 10^pow10, digits without sign. */
interface ExactDecimal {
  negative: boolean;
  digits: string;
  pow10: number;
}

function exactDecimal(x: number): ExactDecimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const negative = hi >>> 31 === 1;
  const biasedExp = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp2: number;
  if (biasedExp === 0) {
    exp2 = -1074; // subnormal (or zero)
  } else {
    mantissa |= 1n << 52n;
    exp2 = biasedExp - 1075;
  }
  if (mantissa === 0n) return { negative, digits: '0', pow10: 0 };
  if (exp2 >= 0) return { negative, digits: (mantissa << BigInt(exp2)).toString(), pow10: 0 };
  // m / 2^k = m × 5^k / 10^k
  return { negative, digits: (mantissa * 5n ** BigInt(-exp2)).toString(), pow10: exp2 };
}

/** Keeps the first `keep` digits of a digit string, rounding the rest half-to-even. May grow by one digit on carry. */
function roundDigits(digits: string, keep: number): string {
  if (keep >= digits.length) return digits;
  if (keep < 0) return '0';
  const head = digits.slice(0, keep);
  const rest = digits.slice(keep);
  let roundUp: boolean;
  if (rest[0] > '5') roundUp = true;
  else if (rest[0] < '5') roundUp = false;
  else if (/[1-9]/.test(rest.slice(1))) roundUp = true;
  else roundUp = head.length > 0 && (head.charCodeAt(head.length - 1) - 48) % 2 === 1;
  if (!roundUp) return head.length > 0 ? head : '0';
  if (head.length === 0) return '1';
  const bumped = (BigInt(head) + 1n).toString();
  return bumped.padStart(head.length, '0');
}

function nonFinite(x: number): string | undefined {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return undefined;
}

/** Python `'%.<precision>f' % x`. */
export function formatFixed(x: number, precision = 6): string {
  const special = nonFinite(x);
  if (special !== undefined) return special;
  const { negative, digits: raw, pow10 } = exactDecimal(x);
  const fracDigits = -pow10;
  // At least two integer-position digits so rounding always has a head to carry into.
  let digits = raw.padStart(fracDigits + 2, '0');
  if (fracDigits <= precision) {
    digits += '0'.repeat(precision - fracDigits);
  } else {
    digits = roundDigits(digits, digits.length - (fracDigits - precision));
  }
  let intPart = digits.slice(0, digits.length - precision).replace(/^0+(?=\d)/, '');
  if (intPart === '') intPart = '0';
  const fracPart = digits.slice(digits.length - precision);
  return (negative ? '-' : '') + intPart + (precision > 0 ? '.' + fracPart : '');
}

function exponentSuffix(exp: number): string {
  return 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
}

/** Python `'%<width>.<precision>g' % x` (no flags): right-aligned in `width`. */
export function formatGeneral(x: number, precision = 6, width = 0): string {
  const special = nonFinite(x);
  let text: string;
  if (special !== undefined) {
    text = special;
  } else {
    const p = precision === 0 ? 1 : precision;
    const { negative, digits: raw, pow10 } = exactDecimal(x);
    let mantissa: string;
    let exp: number;
    if (raw === '0') {
      mantissa = '0'.repeat(p);
      exp = 0;
    } else {
      exp = raw.length - 1 + pow10;
      mantissa = roundDigits(raw, p);
      if (mantissa.length > p) {
        mantissa = mantissa.slice(0, p);
        exp += 1;
      }
      mantissa = mantissa.padEnd(p, '0');
    }
    let body: string;
    if (exp >= -4 && exp < p) {
      if (exp >= 0) {
        const intPart = mantissa.slice(0, exp + 1).padEnd(exp + 1, '0');
        const frac = mantissa.slice(exp + 1).replace(/0+$/, '');
        body = intPart + (frac ? '.' + frac : '');
      } else {
        body = ('0.' + '0'.repeat(-exp - 1) + mantissa).replace(/0+$/, '');
      }
    } else {
      const frac = mantissa.slice(1).replace(/0+$/, '');
      body = mantissa[0] + (frac ? '.' + frac : '') + exponentSuffix(exp);
    }
    text = (negative ? '-' : '') + body;
  }
  return text.padStart(width, ' ');
}

/** Python `repr(x)` / `str(x)` for a float: shortest round-trip digits, '.0' on integral values. */
export function floatRepr(x: number): string {
  const special = nonFinite(x);
  if (special !== undefined) return special;
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e');
  const exp = Number(expText);
  const digits = mant.replace('.', '');
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      return sign + intPart + '.' + (frac || '0');
    }
    return sign + '0.' + '0'.repeat(-exp - 1) + digits;
  }
  return sign + digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '') + exponentSuffix(exp);
}

/** json.dumps of a Python float (allow_nan=True): repr, with NaN/Infinity spelled as JSON extensions. */
export function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return floatRepr(x);
}

/** Python `str(v)` for a value that is a float or None. */
export function optionalFloatStr(v: number | null): string {
  return v === null ? 'None' : floatRepr(v);
}

/** Python `repr(s)` of a str: single quotes unless the text holds ' and no ", with Python's escapes. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}
