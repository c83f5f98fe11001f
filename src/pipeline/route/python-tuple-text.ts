import { pyRepr } from '../../protocol/python-text.js';

/**
 * Python's `str()` of a `(host, instance)` tuple — the text carbon hashes for ring positions
 * (`"%s:%d" % (key, i)` and FastHashRing's `str(n)`), e.g. `('10.0.0.1', 'a')`, `('h', None)`:
 * each string as repr() shows it (quote choice and escapes matter to the hash).
 */
export function pythonNodeTupleText(host: string, instance: string | null): string {
  return `(${pyRepr(host)}, ${instance === null ? 'None' : pyRepr(instance)})`;
}
