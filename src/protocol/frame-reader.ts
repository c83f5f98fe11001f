/**
 * Length-prefixed framing (Twisted Int32StringReceiver): a 4-byte unsigned big-endian length N,
 * then N bytes. Used by the pickle and protobuf receivers and by CarbonLink. A length above the
 * maximum (N == max is allowed) ends the stream: carbon closes the connection, keeping the frames
 * before it.
 */

/** Carbon's default PICKLE_RECEIVER_MAX_LENGTH. */
export const DEFAULT_MAX_FRAME_LENGTH = 1048576;

export const FRAMES_OK = 0;
/** A length prefix above the maximum was read; the caller closes the connection. */
export const FRAME_TOO_LONG = 1;
/** The frame handler asked to stop (it is closing the connection); the rest is discarded. */
export const FRAMES_STOPPED = 2;
export type FrameFeedStatus = typeof FRAMES_OK | typeof FRAME_TOO_LONG | typeof FRAMES_STOPPED;

/** Receives each frame body. The bytes may be a view into the read buffer: copy what you keep. Return false to stop. */
export type FrameHandler = (frame: Buffer) => boolean | void;

export class FrameReader {
  /** Held-back bytes of an incomplete frame, as chunks, so a large frame is assembled once. */
  private chunks: Buffer[] = [];
  private held = 0;
  /** Length of the frame being assembled, once its prefix is known. */
  private expected = -1;

  constructor(readonly maxLength = DEFAULT_MAX_FRAME_LENGTH) {}

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.held;
  }

  /** The length prefix that exceeded the maximum, after FRAME_TOO_LONG. */
  rejectedLength = -1;

  feed(chunk: Buffer, onFrame: FrameHandler): FrameFeedStatus {
    let data = chunk;
    if (this.held > 0) {
      // Wait until the held frame is complete before paying for a concatenation.
      const needed = this.expected >= 0 ? 4 + this.expected : 4;
      if (this.held + chunk.length < needed) {
        this.chunks.push(chunk);
        this.held += chunk.length;
        return FRAMES_OK;
      }
      this.chunks.push(chunk);
      data = Buffer.concat(this.chunks, this.held + chunk.length);
      this.chunks = [];
      this.held = 0;
    }
    let pos = 0;
    this.expected = -1;
    while (data.length - pos >= 4) {
      const length = data.readUInt32BE(pos);
      if (length > this.maxLength) {
        this.rejectedLength = length;
        return FRAME_TOO_LONG;
      }
      if (data.length - pos - 4 < length) {
        this.expected = length;
        break;
      }
      const frame = data.subarray(pos + 4, pos + 4 + length);
      pos += 4 + length;
      if (onFrame(frame) === false) return FRAMES_STOPPED;
    }
    if (pos < data.length) {
      // Copy: the remainder may pin a large read buffer for as long as the client is slow.
      const rest = Buffer.from(data.subarray(pos));
      this.chunks = [rest];
      this.held = rest.length;
    }
    return FRAMES_OK;
  }
}

/** Prefixes a body with its 4-byte big-endian length. */
export function frameWithLength(body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, 4);
  return frame;
}
