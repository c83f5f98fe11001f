/** TCP plaintext (`metric value timestamp\n`), carbon's MetricLineReceiver. */
import { LINE_BAD_TIMESTAMP, LINE_BAD_UTF8, LINE_OK, LINE_TOO_LONG, LineStreamParser } from '../protocol/line-parser.js';
import { carbonLogLine } from '../protocol/python-text.js';
import { reportBadInput } from './bad-input.js';
import type { StreamProtocol } from './stream-decoder.js';

const DROP_REASONS: Record<number, string> = {
  [LINE_TOO_LONG]: 'line longer than 16384 bytes',
  [LINE_BAD_UTF8]: 'line is not valid UTF-8',
  [LINE_BAD_TIMESTAMP]: 'timestamp is NaN or infinite',
};

export const lineProtocol: StreamProtocol = {
  className: 'MetricLineReceiver',
  createDecoder(peer, acceptor) {
    const parser = new LineStreamParser(acceptor, (line) =>
      reportBadInput('invalidLines', `invalid line received from client ${peer}, ignoring [${carbonLogLine(line)}]`),
    );
    return {
      feed(chunk, out) {
        const status = parser.feed(chunk, out);
        return status === LINE_OK ? undefined : DROP_REASONS[status];
      },
    };
  },
};
