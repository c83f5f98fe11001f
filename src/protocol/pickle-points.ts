/**
 * Carbon's reading of a decoded pickle payload `[(metric, (timestamp, value)), ...]`
 * (MetricPickleReceiver.stringReceived), element by element:
 * - iterating the payload: list/tuple items, dict keys, str characters, bytes values; anything
 *   else is a TypeError that drops the connection;
 * - unpacking each element as `(metric, (timestamp, value))`: failure is logged as
 *   `Error decoding pickle: <exc>` and the element skipped;
 * - `float()` of timestamp then value: ValueError/TypeError skip silently, OverflowError (an int
 *   too large for a float) drops the connection;
 * - a metric that is not a str drops the connection (`.encode` AttributeError);
 * - then the accept path, where a NaN/inf timestamp drops the connection.
 */
import type { MetricBatch } from '../pipeline/batch.js';
import { latin1 } from './bytes.js';
import { ACCEPT_OK, type PointAcceptor } from './point-acceptor.js';
import { type PyValue, pyIterate, pyTypeName } from './pickle-values.js';
import { parsePyFloat } from './python-float.js';

/** Every element was handled (accepted, filtered, logged or skipped). */
export const PICKLE_POINTS_OK = 0;
/** Carbon would have dropped the connection at this element; `fatalReason` says why. */
export const PICKLE_POINTS_DROP_CONNECTION = 1;
export type PicklePointsStatus = typeof PICKLE_POINTS_OK | typeof PICKLE_POINTS_DROP_CONNECTION;

export interface PicklePointsResult {
  status: PicklePointsStatus;
  fatalReason?: string;
}

/** Receives the text of carbon's `Error decoding pickle: ...` message for a skipped element. */
export type ElementErrorHandler = (message: string) => void;

/** Python `a, b = v` for a two-element target; the pair, or the error message Python gives. */
function unpackPair(v: PyValue): readonly PyValue[] | string {
  const items = pyIterate(v);
  if (!items) return `cannot unpack non-iterable ${pyTypeName(v)} object`;
  if (items.length < 2) return `not enough values to unpack (expected 2, got ${items.length})`;
  if (items.length > 2) return 'too many values to unpack (expected 2)';
  return items;
}

/** Sentinels for pyFloatOf: skip the element, or drop the connection. */
const SKIP = Symbol('skip');
const OVERFLOW = Symbol('overflow');

/** Python float(v) for a decoded pickle value. */
function pyFloatOf(v: PyValue): number | typeof SKIP | typeof OVERFLOW {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') {
    const f = Number(v);
    return Number.isFinite(f) ? f : OVERFLOW;
  }
  if (typeof v === 'string') return parsePyFloat(v) ?? SKIP;
  if (v instanceof Uint8Array) {
    // float(bytes) parses the bytes as ASCII text, without the Unicode digit transform.
    for (const b of v) if (b >= 0x80) return SKIP;
    return parsePyFloat(latin1(v)) ?? SKIP;
  }
  return SKIP;
}

/** Feeds the payload's points to the accept path into `out`, following carbon's per-element rules. */
export function extractPicklePoints(payload: PyValue, acceptor: PointAcceptor, out: MetricBatch, onElementError: ElementErrorHandler): PicklePointsResult {
  const elements = pyIterate(payload);
  if (!elements) return { status: PICKLE_POINTS_DROP_CONNECTION, fatalReason: `'${pyTypeName(payload)}' object is not iterable` };
  for (const raw of elements) {
    const outer = unpackPair(raw);
    if (typeof outer === 'string') {
      onElementError(outer);
      continue;
    }
    const inner = unpackPair(outer[1]);
    if (typeof inner === 'string') {
      onElementError(inner);
      continue;
    }
    const timestamp = pyFloatOf(inner[0]);
    if (timestamp === OVERFLOW) return { status: PICKLE_POINTS_DROP_CONNECTION, fatalReason: 'int too large to convert to float' };
    if (timestamp === SKIP) continue;
    const value = pyFloatOf(inner[1]);
    if (value === OVERFLOW) return { status: PICKLE_POINTS_DROP_CONNECTION, fatalReason: 'int too large to convert to float' };
    if (value === SKIP) continue;
    const metric = outer[0];
    if (typeof metric !== 'string') {
      return { status: PICKLE_POINTS_DROP_CONNECTION, fatalReason: `'${pyTypeName(metric)}' object has no attribute 'encode'` };
    }
    const status = acceptor.accept(out, metric, value, timestamp);
    if (status !== ACCEPT_OK) {
      return { status: PICKLE_POINTS_DROP_CONNECTION, fatalReason: Number.isNaN(timestamp) ? 'cannot convert float NaN to integer' : 'cannot convert float infinity to integer' };
    }
  }
  return { status: PICKLE_POINTS_OK };
}
