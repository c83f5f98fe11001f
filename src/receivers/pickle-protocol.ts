/** TCP pickle (4-byte length + pickle of `[(metric, (ts, value)), ...]`), carbon's MetricPickleReceiver. */
import { PickleDecodeError } from '../protocol/errors.js';
import { DEFAULT_MAX_FRAME_LENGTH, FRAME_TOO_LONG, FrameReader } from '../protocol/frame-reader.js';
import { decodePickle } from '../protocol/pickle-decoder.js';
import { extractStandardPickleFrame } from '../protocol/pickle-fast-path.js';
import { extractPicklePoints, PICKLE_POINTS_OK } from '../protocol/pickle-points.js';
import type { PyValue } from '../protocol/pickle-values.js';
import { reportBadInput } from './bad-input.js';
import type { StreamProtocol } from './stream-decoder.js';

/** The pickle protocol with PICKLE_RECEIVER_MAX_LENGTH as the frame limit. */
export function pickleProtocol(maxFrameLength = DEFAULT_MAX_FRAME_LENGTH): StreamProtocol {
  return {
    className: 'MetricPickleReceiver',
    createDecoder(peer, acceptor) {
      const frames = new FrameReader(maxFrameLength);
      const onElementError = (message: string): void => reportBadInput('pickleElementErrors', `Error decoding pickle: ${message}`);
      return {
        feed(chunk, out) {
          let dropReason: string | undefined;
          const status = frames.feed(chunk, (frame) => {
            const fast = extractStandardPickleFrame(frame, acceptor, out);
            if (fast) {
              dropReason = fast.fatalReason;
              return fast.status === PICKLE_POINTS_OK;
            }
            let payload: PyValue;
            try {
              payload = decodePickle(frame);
            } catch (err) {
              if (!(err instanceof PickleDecodeError)) throw err;
              if (err.dropsConnection) {
                dropReason = `${err.pythonError}: ${err.message}`;
                return false;
              }
              reportBadInput('invalidPickles', `invalid pickle received from ${peer}, error: "${err.message}", ignoring`);
              return true;
            }
            const result = extractPicklePoints(payload, acceptor, out, onElementError);
            if (result.status === PICKLE_POINTS_OK) return true;
            dropReason = result.fatalReason;
            return false;
          });
          if (status === FRAME_TOO_LONG) return `frame length ${frames.rejectedLength} exceeds the maximum ${maxFrameLength}`;
          return dropReason;
        },
      };
    },
  };
}
