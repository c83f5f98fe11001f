import type { MetricBatch } from '../pipeline/batch.js';
import type { PointAcceptor } from '../protocol/point-acceptor.js';

/**
 * The protocol half of a TCP metric connection: turns each read into points. Returns `undefined`
 * to keep the connection, or the reason carbon would drop it (the points already in `out` are
 * delivered first, as carbon had processed them).
 */
export interface StreamDecoder {
  feed(chunk: Buffer, out: MetricBatch): string | undefined;
}

/** Makes the decoder for a new connection; `peer` is `host:port` for log messages. */
export type StreamDecoderFactory = (peer: string, acceptor: PointAcceptor) => StreamDecoder;

/** A TCP metric protocol: the name carbon logs for its connections, and its decoder. */
export interface StreamProtocol {
  /** Carbon's protocol class name, e.g. `MetricLineReceiver`. */
  readonly className: string;
  readonly createDecoder: StreamDecoderFactory;
}
