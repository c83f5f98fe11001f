/**
 * Helpers for the pickle interop tests: run Python (the reference) and compare its values with
 * the decoder's. Python is /usr/bin/python3, which has carbon installed.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PyByteArray, PySet, PyTuple, type PyValue } from '../../../src/protocol/pickle-values.js';
import { parsePyFloat } from '../../../src/protocol/python-float.js';

export const PYTHON = '/usr/bin/python3';

/** scripts/gen-pickle-fixtures.py, whose helpers the live interop tests reuse. */
const GENERATOR = fileURLToPath(new URL('../../../scripts/gen-pickle-fixtures.py', import.meta.url));

/**
 * Python prelude for interop scripts: json, pickle, and the fixture generator's helpers —
 * enc(value) (tagged JSON), outcome(data) (what carbon's SafeUnpickler does) and
 * run_receiver(data) (what carbon's MetricPickleReceiver does).
 */
export const PY_PICKLE_HELPERS = `
import importlib.util, json, pickle
_spec = importlib.util.spec_from_file_location('gen_pickle_fixtures', ${JSON.stringify(GENERATOR)})
_gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_gen)
enc, outcome, run_receiver = _gen.enc, _gen.outcome, _gen.run_receiver
`;

/** Runs a Python script and parses its stdout as JSON. */
export function runPython<T>(script: string, input = ''): T {
  const r = spawnSync(PYTHON, ['-c', script], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export type Tagged =
  | null
  | boolean
  | Tagged[]
  | { int: string }
  | { float: string }
  | { str: string }
  | { bytes: string }
  | { tuple: Tagged[] }
  | { dict: [Tagged, Tagged][] }
  | { set: Tagged[] }
  | { frozenset: Tagged[] }
  | { bytearray: string }
  | { other: string };

/** Describes the first difference between a decoded value and Python's, or returns undefined. */
export function diffValue(js: PyValue, py: Tagged, path = '$'): string | undefined {
  if (py === null || typeof py === 'boolean') return js === py ? undefined : `${path}: ${String(js)} != ${String(py)}`;
  if (Array.isArray(py)) {
    if (!Array.isArray(js) || js.length !== py.length) return `${path}: expected list of ${py.length}`;
    for (let i = 0; i < py.length; i++) {
      const d = diffValue(js[i], py[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if ('int' in py) {
    const ok = (typeof js === 'number' && Number.isSafeInteger(js) && BigInt(js) === BigInt(py.int)) || (typeof js === 'bigint' && js === BigInt(py.int));
    return ok ? undefined : `${path}: ${String(js)} != int ${py.int}`;
  }
  if ('float' in py) {
    const want = parsePyFloat(py.float)!;
    return typeof js === 'number' && Object.is(js, want) ? undefined : `${path}: ${String(js)} != float ${py.float}`;
  }
  if ('str' in py) return js === py.str ? undefined : `${path}: ${JSON.stringify(js)} != str ${JSON.stringify(py.str)}`;
  if ('bytes' in py) return js instanceof Uint8Array && !(js instanceof PyByteArray) && Buffer.from(js).toString('hex') === py.bytes ? undefined : `${path}: bytes mismatch`;
  if ('bytearray' in py) return js instanceof PyByteArray && Buffer.from(js).toString('hex') === py.bytearray ? undefined : `${path}: bytearray mismatch`;
  if ('set' in py || 'frozenset' in py) {
    // Python iterates a set in hash order, we in the order the items came: same items, any order.
    const frozen = 'frozenset' in py;
    const want = 'set' in py ? py.set : py.frozenset;
    if (!(js instanceof PySet) || js.frozen !== frozen || js.items.length !== want.length) return `${path}: expected ${frozen ? 'frozenset' : 'set'} of ${want.length}`;
    const unmatched = [...js.items];
    for (const w of want) {
      const i = unmatched.findIndex((item) => diffValue(item, w) === undefined);
      if (i < 0) return `${path}: no item equal to ${JSON.stringify(w)}`;
      unmatched.splice(i, 1);
    }
    return undefined;
  }
  if ('tuple' in py) {
    if (!(js instanceof PyTuple)) return `${path}: expected tuple`;
    return diffValue([...js.items], py.tuple, path);
  }
  if ('dict' in py) {
    if (!(js instanceof Map) || js.size !== py.dict.length) return `${path}: expected dict of ${py.dict.length}`;
    const entries = [...js.entries()];
    for (let i = 0; i < entries.length; i++) {
      const d = diffValue(entries[i][0], py.dict[i][0], `${path}.key${i}`) ?? diffValue(entries[i][1], py.dict[i][1], `${path}.value${i}`);
      if (d) return d;
    }
    return undefined;
  }
  return `${path}: python built a ${py.other}`;
}

/** Exceptions carbon's MetricPickleReceiver catches (log and skip); anything else drops the connection. */
export const CAUGHT_BY_CARBON = ['UnpicklingError', 'ValueError', 'IndexError', 'ImportError', 'KeyError', 'EOFError', 'UnicodeDecodeError', 'ModuleNotFoundError'];
