/**
 * Fast path for the pickle frames carbon's own clients send: `pickle.dumps([(name, (ts, value)),
 * ...], protocol=2)` from carbon-relay/aggregator and most client libraries. It recognises exactly
 * the opcodes CPython writes for such a list and extracts the points without building Python
 * values. Anything else (another protocol, a memo reference, a list instead of a tuple, a string
 * value...) returns `undefined` before a single point is accepted, and the caller takes the
 * general decoder, so behaviour is the same either way.
 */
import type { MetricBatch } from '../pipeline/batch.js';
import { latin1 } from './bytes.js';
import { ACCEPT_OK, type PointAcceptor } from './point-acceptor.js';
import { PICKLE_POINTS_DROP_CONNECTION, PICKLE_POINTS_OK, type PicklePointsResult } from './pickle-points.js';
import { receivedNames } from './received-names.js';
import { pyUtf8 } from './python-text.js';

/**
 * Scratch space reused across frames (the receivers are synchronous). `names` keeps the strings of
 * the last frame until they are overwritten: a fresh array per frame was most of this path's
 * garbage (it made four times the scavenges of the plaintext path), and the strings are the
 * interner's anyway.
 */
const names: string[] = [];
/** Interner slot of each name (-1: none), for the batch's nameIds. */
let nameIds = new Int32Array(1024);
let timestamps = new Float64Array(1024);
let values = new Float64Array(1024);

function grow(): void {
  const t = new Float64Array(timestamps.length * 2);
  t.set(timestamps);
  timestamps = t;
  const v = new Float64Array(values.length * 2);
  v.set(values);
  values = v;
  const ids = new Int32Array(nameIds.length * 2);
  ids.set(nameIds);
  nameIds = ids;
}

const OK = { status: PICKLE_POINTS_OK } as const;

/**
 * Extracts a standard carbon pickle frame into `out` through the accept path, or returns
 * `undefined` (having accepted nothing) when the frame is not in the standard shape.
 */
export function extractStandardPickleFrame(frame: Uint8Array, acceptor: PointAcceptor, out: MetricBatch): PicklePointsResult | undefined {
  const end = frame.length;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  // PROTO 2, EMPTY_LIST, BINPUT 0
  if (end < 6 || frame[0] !== 0x80 || frame[1] !== 2 || frame[2] !== 0x5d || frame[3] !== 0x71 || frame[4] !== 0) return undefined;
  let pos = 5;
  let count = 0;

  /** Skips one BINPUT/LONG_BINPUT; false if something else is there. */
  const memoPut = (): boolean => {
    if (pos + 2 <= end && frame[pos] === 0x71) {
      pos += 2;
      return true;
    }
    if (pos + 5 <= end && frame[pos] === 0x72) {
      pos += 5;
      return true;
    }
    return false;
  };
  /** Reads a number opcode CPython writes for a float or a small int; NaN-boxed failure via `ok`. */
  let ok = true;
  const number = (): number => {
    const op = frame[pos];
    if (op === 0x47 && pos + 9 <= end) {
      pos += 9;
      return view.getFloat64(pos - 8, false);
    }
    if (op === 0x4b && pos + 2 <= end) {
      pos += 2;
      return frame[pos - 1];
    }
    if (op === 0x4d && pos + 3 <= end) {
      pos += 3;
      return view.getUint16(pos - 2, true);
    }
    if (op === 0x4a && pos + 5 <= end) {
      pos += 5;
      return view.getInt32(pos - 4, true);
    }
    ok = false;
    return 0;
  };
  /** One `(name, (ts, value))` element into the scratch arrays. */
  const element = (): boolean => {
    if (pos + 5 > end || frame[pos] !== 0x58) return false;
    const len = view.getUint32(pos + 1, true);
    const start = pos + 5;
    if (len > end - start) return false;
    let ascii = true;
    for (let i = start; i < start + len; i++) {
      if (frame[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    let name: string;
    let slot = -1;
    if (ascii) {
      slot = receivedNames.slotOf(frame, start, start + len);
      name = slot < 0 ? latin1(frame, start, start + len) : receivedNames.nameAt(slot);
    } else {
      try {
        name = pyUtf8.decode(frame.subarray(start, start + len));
      } catch {
        return false;
      }
    }
    pos = start + len;
    if (!memoPut()) return false;
    const ts = number();
    const value = number();
    if (!ok || frame[pos] !== 0x86) return false;
    pos++;
    if (!memoPut() || frame[pos] !== 0x86) return false;
    pos++;
    if (!memoPut()) return false;
    if (count === timestamps.length) grow();
    names[count] = name;
    nameIds[count] = slot;
    timestamps[count] = ts;
    values[count] = value;
    count++;
    return true;
  };

  for (;;) {
    if (pos >= end) return undefined;
    const op = frame[pos];
    if (op === 0x2e) break; // STOP
    if (op === 0x28) {
      // MARK element* APPENDS
      pos++;
      while (pos < end && frame[pos] !== 0x65) if (!element()) return undefined;
      if (pos >= end) return undefined;
      pos++;
    } else {
      // element APPEND
      if (!element() || frame[pos] !== 0x61) return undefined;
      pos++;
    }
  }

  for (let i = 0; i < count; i++) {
    if (acceptor.accept(out, names[i], values[i], timestamps[i], nameIds[i]) !== ACCEPT_OK) {
      const ts = timestamps[i];
      return { status: PICKLE_POINTS_DROP_CONNECTION, fatalReason: Number.isNaN(ts) ? 'cannot convert float NaN to integer' : 'cannot convert float infinity to integer' };
    }
  }
  return OK;
}
