/**
 * The Python values the restricted unpickler builds and the pickle encoder writes. Nothing else
 * can come out of a pickle here: no classes, no callables.
 *
 * Mapping: None → null; bool → boolean; int → number when it is a safe integer, else bigint;
 * float → number; str → string; bytes → Uint8Array; bytearray → PyByteArray; list → Array;
 * tuple → PyTuple; dict → Map; set and frozenset → PySet (the decoder builds these last two kinds
 * because carbon's unpickler does: a sender may pickle its points as a set).
 * Decoded ints and floats are both plain numbers (every consumer applies float() to them); the
 * encoder writes a number as a Python float and a bigint as a Python int.
 */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PySet;

/** A Python dict. Keys compare as JavaScript Map keys do (tuple keys by identity). */
export type PyDict = Map<PyValue, PyValue>;

/** A Python tuple: immutable and distinguishable from a list. */
export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}

  get length(): number {
    return this.items.length;
  }
}

/** A Python bytearray (protocol 5's BYTEARRAY8): bytes that can change, so not hashable. */
export class PyByteArray extends Uint8Array {}

/**
 * A Python set or frozenset: its items in the order they came (Python iterates a set in hash order,
 * which varies between processes; no sender can rely on it). A set pickled by Python holds each item
 * once; one made by hand may repeat an item, which is kept here where Python would keep one copy
 * (for points the outcome is the same: a point stored twice). Comparing items as Python does would
 * mean hashing nested tuples, which a hostile pickle can make exponential.
 */
export class PySet {
  readonly items: PyValue[] = [];

  constructor(readonly frozen: boolean) {}

  get length(): number {
    return this.items.length;
  }
}

/**
 * Tuples and frozensets already found hashable: they cannot change, so a hostile pickle that uses
 * one big tuple as a key or set item many times (a memo reference each) costs one walk, not one
 * walk per use.
 */
const knownHashable = new WeakSet<PyTuple | PySet>();

/** Values looked at by firstUnhashable since the process started (tests check the work stays linear). */
export const hashChecks = { visited: 0 };

/** The first value inside `v` that Python cannot hash (a list, dict, set or bytearray), if any. */
export function firstUnhashable(v: PyValue): PyValue | undefined {
  const seen = new Set<PyTuple | PySet>();
  const todo: PyValue[] = [v];
  while (todo.length) {
    const x = todo.pop()!;
    hashChecks.visited++;
    if (Array.isArray(x) || x instanceof Map || x instanceof PyByteArray || (x instanceof PySet && !x.frozen)) return x;
    if ((x instanceof PyTuple || x instanceof PySet) && !seen.has(x) && !knownHashable.has(x)) {
      seen.add(x);
      for (const item of x.items) todo.push(item);
    }
  }
  for (const x of seen) knownHashable.add(x);
  return undefined;
}

/** Builds a tuple: `tuple('m', tuple(1700000000, 1.5))`. */
export function tuple(...items: PyValue[]): PyTuple {
  return new PyTuple(items);
}

/** Python's type name of a value, as error messages show it. */
export function pyTypeName(v: PyValue): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (v instanceof PyByteArray) return 'bytearray';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PySet) return v.frozen ? 'frozenset' : 'set';
  return 'dict';
}

/**
 * What Python's `iter(v)` yields, or `undefined` for a non-iterable: list, tuple and set items,
 * dict keys, the characters of a str, the byte values of a bytes object.
 */
export function pyIterate(v: PyValue): readonly PyValue[] | undefined {
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple || v instanceof PySet) return v.items;
  if (v instanceof Map) return Array.from(v.keys());
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof Uint8Array) return Array.from(v);
  return undefined;
}
