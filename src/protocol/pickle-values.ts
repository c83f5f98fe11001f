/**
 * The Python values the restricted unpickler builds and the pickle encoder writes. Nothing else
 * can come out of a pickle here: no classes, no callables, no sets.
 *
 * Mapping: None → null; bool → boolean; int → number when it is a safe integer, else bigint;
 * float → number; str → string; bytes → Uint8Array; list → Array; tuple → PyTuple; dict → Map.
 * Decoded ints and floats are both plain numbers (every consumer applies float() to them); the
 * encoder writes a number as a Python float and a bigint as a Python int.
 */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict;

/** A Python dict. Keys compare as JavaScript Map keys do (tuple keys by identity). */
export type PyDict = Map<PyValue, PyValue>;

/** A Python tuple: immutable and distinguishable from a list. */
export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}

  get length(): number {
    return this.items.length;
  }
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
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  return 'dict';
}

/**
 * What Python's `iter(v)` yields, or `undefined` for a non-iterable: list and tuple items, dict
 * keys, the characters of a str, the byte values of a bytes object.
 */
export function pyIterate(v: PyValue): readonly PyValue[] | undefined {
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple) return v.items;
  if (v instanceof Map) return Array.from(v.keys());
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof Uint8Array) return Array.from(v);
  return undefined;
}
