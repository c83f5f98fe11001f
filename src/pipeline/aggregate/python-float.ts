/**
 * Python's float `%`: the result takes the divisor's sign (floor modulo), unlike JavaScript's `%`
 * (C fmod). carbon aligns intervals with it, so negative or fractional timestamps must use it.
 */
export function pyFloatMod(a: number, b: number): number {
  let m = a % b;
  if (m !== 0) {
    if (b < 0 !== m < 0) m += b;
  } else {
    m = b < 0 ? -0 : 0;
  }
  return m;
}
