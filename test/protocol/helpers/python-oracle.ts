/**
 * Helpers for the pickle interop tests: run Python (the reference) and compare its values with
 * the decoder's. Python is /usr/bin/python3, which has carbon installed.
 */
import { spawnSync } from 'node:child_process';
import { PyTuple, type PyValue } from '../../../src/protocol/pickle-values.js';
import { parsePyFloat } from '../../../src/protocol/python-float.js';

export const PYTHON = '/usr/bin/python3';

/** Python-side encoder of values into tagged JSON, shared by the generator scripts. */
export const PY_ENCODE = `
import json, sys, pickle, binascii
def enc(o):
    if o is None or isinstance(o, bool): return o
    if isinstance(o, int): return {"int": str(o)}
    if isinstance(o, float): return {"float": repr(o)}
    if isinstance(o, str): return {"str": o}
    if isinstance(o, bytes): return {"bytes": o.hex()}
    if isinstance(o, list): return [enc(x) for x in o]
    if isinstance(o, tuple): return {"tuple": [enc(x) for x in o]}
    if isinstance(o, dict): return {"dict": [[enc(k), enc(v)] for k, v in o.items()]}
    return {"other": type(o).__name__}
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
  if ('bytes' in py) return js instanceof Uint8Array && Buffer.from(js).toString('hex') === py.bytes ? undefined : `${path}: bytes mismatch`;
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
