// Python number semantics the file format depends on. JavaScript's `%` is a
// remainder (sign of the dividend) and `|0`/`>>` truncate to 32 bits, both of
// which silently break slot addressing for timestamps before a base or > 2^31.

/** Python `a % n` (floor modulo: result has the sign of n). */
export function pyMod(a: number, n: number): number {
  const r = a % n;
  return r !== 0 && (r < 0) !== (n < 0) ? r + n : r;
}

/** Python `a // n` for numbers. */
export function floorDiv(a: number, n: number): number {
  return Math.floor(a / n);
}

/** Python `t - (t % step)`: the start of t's interval. */
export function alignDown(t: number, step: number): number {
  return t - pyMod(t, step);
}

/**
 * Python `int(x)` for the argument kinds the whisper API accepts: numbers are
 * truncated toward zero; strings must be integer literals.
 */
export function pyInt(x: number | string): number {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) {
      throw new Error(Number.isNaN(x) ? 'cannot convert float NaN to integer' : 'cannot convert float infinity to integer');
    }
    return Math.trunc(x);
  }
  const s = x.trim().replace(/_/g, '');
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`invalid literal for int() with base 10: '${x}'`);
  return Number.parseInt(s, 10);
}

/** Python `float(x)` for numbers and strings ("nan", "inf", "1e3", " 2.5 "). */
export function pyFloat(x: number | string): number {
  if (typeof x === 'number') return x;
  const s = x.trim().toLowerCase();
  if (/^[+-]?(nan)$/.test(s)) return Number.NaN;
  if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(e[+-]?\d+)?$/.test(s)) return Number(s.replace(/_/g, ''));
  throw new Error(`could not convert string to float: '${x}'`);
}

/** Python `repr(float)`: shortest round-trip digits, ".0" on integers, exponent form outside 1e-4..1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expPart] = x.toExponential().split('e');
  const exp = Number(expPart);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Python `str()` of a value the API returns: float repr, or "None". */
export function pyValueStr(x: number | null): string {
  return x === null ? 'None' : pyFloatRepr(x);
}
