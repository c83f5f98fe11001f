/**
 * Comparison of the decoder and the payload extraction with what carbon did, shared by the
 * interop tests (live Python) and the fixture tests (test/fixtures/pickle, from
 * scripts/gen-pickle-fixtures.py).
 */
import { MetricBatch } from '../../../src/pipeline/batch.js';
import { PickleDecodeError } from '../../../src/protocol/errors.js';
import { decodePickle } from '../../../src/protocol/pickle-decoder.js';
import { extractPicklePoints, PICKLE_POINTS_OK } from '../../../src/protocol/pickle-points.js';
import type { PyValue } from '../../../src/protocol/pickle-values.js';
import { AcceptPath } from '../../../src/receivers/accept-path.js';
import { diffValue, type Tagged } from './python-oracle.js';

/** What carbon's SafeUnpickler does with a pickle: a value, or an exception class and whether MetricPickleReceiver catches it. */
export type Outcome = { ok: Tagged } | { error: string; caught: boolean };

/** What carbon's MetricPickleReceiver did with a frame. */
export interface ReceiverObservation {
  points: [string, number | string, number | string][];
  logs: string[];
  dropped: boolean;
}

/** The decoder's value or its PickleDecodeError. */
export function decodeOutcome(data: Buffer): { value?: PyValue; error?: PickleDecodeError } {
  try {
    return { value: decodePickle(data) };
  } catch (err) {
    if (err instanceof PickleDecodeError) return { error: err };
    throw err;
  }
}

/** The first difference between our decoder and carbon's SafeUnpickler on `data`, or undefined. */
export function compareDecoder(data: Buffer, expected: Outcome): string | undefined {
  const got = decodeOutcome(data);
  // MemoryError depends on the machine (CPython allocates the memo up to a huge PUT index).
  if ('error' in expected && expected.error === 'MemoryError') return undefined;
  if ('ok' in expected) {
    if (got.error) return `python decoded it, we raised ${got.error.pythonError}: ${got.error.message}`;
    return diffValue(got.value!, expected.ok);
  }
  if (!got.error) return `python raised ${expected.error}, we decoded it`;
  if (got.error.dropsConnection === expected.caught) {
    return `python raised ${expected.error} (caught=${expected.caught}), we raised ${got.error.pythonError} (drops=${got.error.dropsConnection})`;
  }
  return undefined;
}

/** Our decoder + extraction on one frame, observed like the Python harness observes carbon (now = 1.5e9). */
export function runPicklePayload(data: Buffer): ReceiverObservation {
  const accept = new AcceptPath({ now: () => 1.5e9 });
  const out = new MetricBatch(4);
  const logs: string[] = [];
  let dropped = false;
  try {
    const payload = decodePickle(data);
    const r = extractPicklePoints(payload, accept, out, (m) => logs.push(`Error decoding pickle: ${m}`));
    dropped = r.status !== PICKLE_POINTS_OK;
  } catch (err) {
    if (!(err instanceof PickleDecodeError)) throw err;
    if (err.dropsConnection) dropped = true;
    else logs.push(`invalid pickle received from peer, error: "${err.message}", ignoring`);
  }
  const points: ReceiverObservation['points'] = [];
  const show = (x: number): number | string => (Number.isFinite(x) ? x : x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan');
  for (let i = 0; i < out.length; i++) points.push([out.names[i], show(out.timestamps[i]), show(out.values[i])]);
  return { points, logs, dropped };
}

/** Points and drops must agree exactly; of the log lines, their number and the "Error decoding pickle" texts. */
export function compareReceiver(ours: ReceiverObservation, carbon: ReceiverObservation): string | undefined {
  if (ours.dropped !== carbon.dropped) return `dropped: ours ${ours.dropped}, carbon ${carbon.dropped}`;
  if (JSON.stringify(ours.points) !== JSON.stringify(carbon.points)) return `points: ours ${JSON.stringify(ours.points)}, carbon ${JSON.stringify(carbon.points)}`;
  if (ours.logs.length !== carbon.logs.length) return `log lines: ours ${JSON.stringify(ours.logs)}, carbon ${JSON.stringify(carbon.logs)}`;
  const decoding = (logs: string[]): string => JSON.stringify(logs.filter((l) => l.startsWith('Error decoding')));
  if (decoding(ours.logs) !== decoding(carbon.logs)) return `element errors: ours ${decoding(ours.logs)}, carbon ${decoding(carbon.logs)}`;
  return undefined;
}
