import type { FrameSlab } from './frame-slab.js';
import { encodeLineFrame } from './line.js';
import { encodePickleFrame } from './pickle.js';
import type { PointRun } from './point-run.js';
import { encodeProtobufFrame } from './protobuf.js';

/** DESTINATION_PROTOCOL values carbon accepts. */
export type DestinationProtocol = 'pickle' | 'line' | 'protobuf';

/**
 * Encodes points [start, end) of a run as the bytes of one message on the wire. Points the
 * protocol cannot carry (line: NaN/inf timestamp) are left out and counted in `skipped`.
 */
export type FrameEncoder = (run: PointRun, start: number, end: number, skipped: { count: number }, slab: FrameSlab) => Buffer;

export class UnknownDestinationProtocolError extends Error {
  constructor(value: string) {
    super(`DESTINATION_PROTOCOL must be one of pickle, line, protobuf. Invalid value: '${value}'`);
    this.name = 'UnknownDestinationProtocolError';
  }
}

export function frameEncoderFor(protocol: string): FrameEncoder {
  switch (protocol) {
    case 'pickle':
      return (run, start, end, _skipped, slab) => encodePickleFrame(run, start, end, slab);
    case 'line':
      return encodeLineFrame;
    case 'protobuf':
      return (run, start, end) => encodeProtobufFrame(run, start, end);
    default:
      throw new UnknownDestinationProtocolError(protocol);
  }
}
