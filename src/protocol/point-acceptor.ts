import type { MetricBatch } from '../pipeline/batch.js';

/**
 * What a parser hands every well-formed point to: carbon's common accept path (filters, NaN
 * values, `-1` timestamps, resolution rounding), implemented by the receivers. Parsers stay pure
 * but still stop at the exact point where carbon's `int(timestamp)` raises, because what happens
 * next (connection dropped, rest of a datagram lost, line logged) depends on the protocol.
 */
export interface PointAcceptor {
  /**
   * Appends the point to `out` if it passes the filters; returns one of the ACCEPT_* codes.
   * `nameId`: the name's interner slot, carried along in `out.nameIds` (-1 or omitted: none).
   */
  accept(out: MetricBatch, name: string, value: number, timestamp: number, nameId?: number): AcceptStatus;
}

/** The point was accepted into the batch, or filtered out (blacklist, whitelist, NaN value). */
export const ACCEPT_OK = 0;
/** `int(nan)` raised ValueError in carbon. */
export const ACCEPT_TIMESTAMP_NAN = 1;
/** `int(inf)` raised OverflowError in carbon. */
export const ACCEPT_TIMESTAMP_INFINITE = 2;
export type AcceptStatus = typeof ACCEPT_OK | typeof ACCEPT_TIMESTAMP_NAN | typeof ACCEPT_TIMESTAMP_INFINITE;
