/** carbon's wire protocols, without sockets: parsers and encoders other parts of carbon-ts use. */
export { ACCEPT_OK, ACCEPT_TIMESTAMP_INFINITE, ACCEPT_TIMESTAMP_NAN, type AcceptStatus, type PointAcceptor } from './point-acceptor.js';
export { PickleDecodeError, PickleEncodeError, ProtobufDecodeError, UnsafePickleError } from './errors.js';
export { DEFAULT_MAX_FRAME_LENGTH, FRAME_TOO_LONG, FRAMES_OK, FRAMES_STOPPED, FrameReader, frameWithLength, type FrameFeedStatus, type FrameHandler } from './frame-reader.js';
export {
  DATAGRAM_BAD_UTF8,
  DATAGRAM_OK,
  DATAGRAM_TRUNCATED_BY_INFINITE_TIMESTAMP,
  LINE_BAD_TIMESTAMP,
  LINE_BAD_UTF8,
  LINE_OK,
  LINE_TOO_LONG,
  LineStreamParser,
  MAX_DATAGRAM_LENGTH,
  MAX_LINE_LENGTH,
  parseDatagram,
  parseLineText,
} from './line-parser.js';
export { decodePickle } from './pickle-decoder.js';
export { encodePickle, encodePickleFrame, type PicklableValue } from './pickle-encoder.js';
export { extractStandardPickleFrame } from './pickle-fast-path.js';
export { extractPicklePoints, PICKLE_POINTS_DROP_CONNECTION, PICKLE_POINTS_OK, type PicklePointsResult } from './pickle-points.js';
export { PyTuple, pyIterate, pyTypeName, tuple, type PyDict, type PyValue } from './pickle-values.js';
export { decodeProtobufPayload, encodeProtobufPayload } from './protobuf.js';
export { parsePyFloat, parseSimpleFloatBytes } from './python-float.js';
export { carbonLogLine, isPyWhitespace, pyRepr, pySplit, pySplitLines, pyStrip } from './python-text.js';
