// Iteration order of a CPython (3.7-3.13) `set` built from a list of
// non-negative integers smaller than 2**61-1 (for which hash(v) == v).
//
// Why it matters: when update_many propagates into a lower archive that is
// still empty, the first interval in *set iteration order* that propagates is
// written to slot 0 and becomes that archive's base; every later slot is
// placed relative to it. Emulating the order keeps files byte-identical.
//
// Arithmetic stays in doubles: 5*i+1+perturb exceeds 2^31, so no bitwise ops.

const LINEAR_PROBES = 9;
const PERTURB_SHIFT_DIVISOR = 32; // perturb >>= 5
const MIN_SIZE = 8;
const SMALL_TABLE = new Float64Array(MIN_SIZE);
/** The input without runs of equal values (reused between calls). */
let DISTINCT = new Float64Array(64);

function insertClean(table: Float64Array, size: number, v: number): void {
  let perturb = v;
  let i = v % size;
  for (;;) {
    if (Number.isNaN(table[i])) {
      table[i] = v;
      return;
    }
    if (i + LINEAR_PROBES <= size - 1) {
      for (let j = 1; j <= LINEAR_PROBES; j++) {
        if (Number.isNaN(table[i + j])) {
          table[i + j] = v;
          return;
        }
      }
    }
    perturb = Math.floor(perturb / PERTURB_SHIFT_DIVISOR);
    i = (i * 5 + 1 + perturb) % size;
  }
}

/**
 * Returns the distinct values of `values[0..count)` in the order CPython's
 * `for x in set(values)` visits them. Empty table slots are NaN.
 */
export function cpythonSetOrder(input: ArrayLike<number>, inputCount = input.length): number[] {
  // Adding a value equal to the one just added changes nothing (not even the resize count), so
  // runs of equal values count once: a batch of sorted points gives a run per lower interval.
  if (DISTINCT.length < inputCount) DISTINCT = new Float64Array(Math.max(inputCount, DISTINCT.length * 2));
  const values = DISTINCT;
  let count = 0;
  for (let n = 0; n < inputCount; n++) if (n === 0 || input[n] !== input[n - 1]) values[count++] = input[n];
  // Common case on the write path: every point falls in one lower interval.
  if (count === 1) return [values[0]];
  let size = MIN_SIZE;
  let table = SMALL_TABLE.fill(Number.NaN); // reused until the set outgrows 8 slots
  let used = 0;
  for (let n = 0; n < count; n++) {
    const v = values[n];
    let perturb = v;
    let i = v % size;
    let placed = false;
    let found = false;
    for (;;) {
      const probes = i + LINEAR_PROBES <= size - 1 ? LINEAR_PROBES : 0;
      for (let k = i; k <= i + probes; k++) {
        const slot = table[k];
        if (Number.isNaN(slot)) {
          table[k] = v;
          used++;
          placed = true;
          break;
        }
        if (slot === v) {
          found = true;
          break;
        }
      }
      if (placed || found) break;
      perturb = Math.floor(perturb / PERTURB_SHIFT_DIVISOR);
      i = (i * 5 + 1 + perturb) % size;
    }
    if (placed && !(used * 5 < (size - 1) * 3)) {
      const minUsed = used <= 50000 ? used * 4 : used * 2;
      let newSize = MIN_SIZE;
      while (newSize <= minUsed) newSize *= 2;
      const old = table;
      size = newSize;
      table = new Float64Array(size).fill(Number.NaN);
      for (let k = 0; k < old.length; k++) if (!Number.isNaN(old[k])) insertClean(table, size, old[k]);
    }
  }
  const order: number[] = [];
  for (let k = 0; k < size; k++) if (!Number.isNaN(table[k])) order.push(table[k]);
  return order;
}
