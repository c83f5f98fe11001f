import { encodeProtobufPayload } from '../../protocol/protobuf.js';
import type { PointRun } from './point-run.js';

/**
 * carbon.proto's Payload for points [start, end) with Int32StringReceiver's 4-byte big-endian
 * length prefix, as carbon's CarbonProtobufClientProtocol sends it: points of one name grouped under
 * one Metric in first-appearance order, timestamp = int(ts). The payload encoding is the protocol
 * module's (shared with the receiver side).
 */
export function encodeProtobufFrame(run: PointRun, start: number, end: number): Buffer {
  const payload =
    start === 0
      ? encodeProtobufPayload(run.names, run.timestamps, run.values, end)
      : encodeProtobufPayload(run.names.slice(start, end), run.timestamps.subarray(start, end), run.values.subarray(start, end));
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload], 4 + payload.length);
}
