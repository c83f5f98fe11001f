import { execFileSync } from 'node:child_process';

/** Runs /usr/bin/python3 (the interpreter that has carbon and whisper) with a script; stdin → stdout. */
export function runPython(script: string, input: string): Buffer {
  return execFileSync('/usr/bin/python3', ['-c', script], { input, maxBuffer: 256 * 1024 * 1024 });
}

/** IEEE-754 bits of a double as 16 hex digits, so NaN, inf and -0 cross to Python exactly. */
export function doubleHex(v: number): string {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(v, 0);
  return b.toString('hex');
}

export interface OraclePoints {
  names: string[];
  timestamps: Float64Array;
  values: Float64Array;
}

/** JSON lines `[name, tsHex, valueHex]` for the Python side. */
export function pointsToJson(p: OraclePoints): string {
  const rows: [string, string, string][] = [];
  for (let i = 0; i < p.names.length; i++) rows.push([p.names[i]!, doubleHex(p.timestamps[i]!), doubleHex(p.values[i]!)]);
  return JSON.stringify(rows);
}

export const PY_LOAD_POINTS = `
import sys, json, struct
def d(h): return struct.unpack('>d', bytes.fromhex(h))[0]
rows = [(n, (d(t), d(v))) for n, t, v in json.loads(sys.stdin.read())]
`;
