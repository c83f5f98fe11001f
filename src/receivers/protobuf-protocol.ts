/** TCP protobuf (4-byte length + carbon.Payload), carbon's MetricProtobufReceiver. */
import { ProtobufDecodeError } from '../protocol/errors.js';
import { FRAME_TOO_LONG, FrameReader } from '../protocol/frame-reader.js';
import { ACCEPT_OK } from '../protocol/point-acceptor.js';
import { decodeProtobufPayload } from '../protocol/protobuf.js';
import { reportBadInput } from './bad-input.js';
import type { StreamProtocol } from './stream-decoder.js';

/** MetricProtobufReceiver.MAX_LENGTH: fixed, not configurable in carbon. */
export const PROTOBUF_MAX_FRAME_LENGTH = 2 ** 20;

export const protobufProtocol: StreamProtocol = {
  className: 'MetricProtobufReceiver',
  createDecoder(peer, acceptor) {
    const frames = new FrameReader(PROTOBUF_MAX_FRAME_LENGTH);
    return {
      feed(chunk, out) {
        let dropReason: string | undefined;
        const status = frames.feed(chunk, (frame) => {
          try {
            if (decodeProtobufPayload(frame, acceptor, out) === ACCEPT_OK) return true;
            dropReason = 'timestamp is NaN or infinite';
            return false;
          } catch (err) {
            if (!(err instanceof ProtobufDecodeError)) throw err;
            reportBadInput('invalidProtobufs', `invalid protobuf received from ${peer}, ignoring`);
            return true;
          }
        });
        if (status === FRAME_TOO_LONG) return `frame length ${frames.rejectedLength} exceeds the maximum ${PROTOBUF_MAX_FRAME_LENGTH}`;
        return dropReason;
      },
    };
  },
};
