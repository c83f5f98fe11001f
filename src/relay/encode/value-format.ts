/**
 * Carbon's line-protocol text for a value and a timestamp, as carbon's CarbonLineClientProtocol
 * writes them: value = `("%.10f" % v).rstrip('0').rstrip('.')`, timestamp = `"%d" % ts`.
 *
 * JavaScript's toFixed differs from Python's `%.10f` in three places, handled here:
 * - exact ties (x·10¹⁰ ends in exactly .5, which happens iff x·2048 is an odd integer): Python
 *   rounds half to even, toFixed rounds half away from zero;
 * - negative zero and negatives that round to zero: Python keeps the sign (`-0`), toFixed drops it for -0;
 * - |x| ≥ 1e21: toFixed switches to exponent notation, Python prints every integer digit.
 */
export function formatCarbonValue(v: number): string {
  if (v !== v) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  // Most values are small integers (counters): their %.10f text stripped is the integer itself.
  if (a < 1e15 && Number.isInteger(a)) return neg ? `-${a}` : `${a}`;
  // Below 2^19 a double's ulp is under 1e-10, so when its shortest text has at most 10 decimals,
  // %.10f of the exact binary value rounds to that same text (padded with zeros that get stripped).
  if (a < 524288) {
    const short = `${v}`;
    if (short.indexOf('e') < 0) {
      const dot = short.indexOf('.');
      if (dot < 0 || short.length - dot - 1 <= 10) return short;
    }
  }
  let fixed: string;
  if (a >= 1e21) {
    fixed = BigInt(a).toString();
  } else {
    const scaled = a * 2048;
    if (Number.isInteger(scaled) && scaled % 2 === 1 && a < 2 ** 42) {
      fixed = tieToEven(scaled);
    } else {
      fixed = a.toFixed(10);
    }
  }
  return (neg ? '-' : '') + stripZeros(fixed);
}

/** a = odd/2048 exactly; a·10¹⁰ = odd·5¹⁰/2 = n + 0.5: round to the even n. */
function tieToEven(odd2048: number): string {
  const twice = BigInt(odd2048) * 9765625n; // 5^10
  let n = twice / 2n;
  if (n % 2n === 1n) n += 1n;
  const digits = n.toString().padStart(11, '0');
  return `${digits.slice(0, -10)}.${digits.slice(-10)}`;
}

function stripZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  if (end > 0 && s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/**
 * `"%d" % ts` for a float: truncation toward zero, all digits. Returns null for NaN/inf, where
 * Python raises (carbon would fail the whole send); callers drop and count such a point.
 */
export function formatCarbonTimestamp(ts: number): string | null {
  if (!Number.isFinite(ts)) return null;
  const t = Math.trunc(ts);
  // Above 2^53 JavaScript prints the shortest round-trip digits (…847000); Python prints them all.
  if (Math.abs(t) <= Number.MAX_SAFE_INTEGER) return t === 0 ? '0' : `${t}`;
  return BigInt(t).toString();
}
