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

/**
 * Where a frame that arrived in pieces is put together. One for all readers: feed() runs to the
 * end synchronously and handlers copy what they keep. Assembling only that frame, instead of
 * concatenating the held bytes with the whole next read (64 KiB), cut what a pickle stream
 * allocates per read several times over; V8 counted those buffers and scavenged ~4× as often as
 * for plaintext.
 */
let assembly = Buffer.allocUnsafe(0);
/** Frames larger than this are assembled in a buffer of their own, so the shared one stays small. */
const ASSEMBLY_KEEP_LIMIT = 1 << 20;

export class FrameReader {
  /** Held bytes of an incomplete frame (its length prefix included), as chunks. */
  private chunks: Buffer[] = [];
  private held = 0;
  /** Length of the held frame once its prefix is complete, else -1. */
  private expected = -1;

  constructor(readonly maxLength = DEFAULT_MAX_FRAME_LENGTH) {}

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.held;
  }

  /** The length prefix that exceeded the maximum, after FRAME_TOO_LONG. */
  rejectedLength = -1;

  feed(chunk: Buffer, onFrame: FrameHandler): FrameFeedStatus {
    let pos = 0;
    if (this.held > 0) {
      if (this.expected < 0) {
        // The prefix itself was cut: complete it first.
        const k = Math.min(4 - this.held, chunk.length);
        this.chunks.push(Buffer.from(chunk.subarray(0, k)));
        this.held += k;
        pos = k;
        if (this.held < 4) return FRAMES_OK;
        const length = Buffer.concat(this.chunks, 4).readUInt32BE(0);
        if (length > this.maxLength) {
          this.rejectedLength = length;
          return FRAME_TOO_LONG;
        }
        this.expected = length;
      }
      const total = 4 + this.expected;
      const need = total - this.held;
      if (chunk.length - pos < need) {
        // Still incomplete: keep the read as it is (copied once, when the frame is complete).
        this.chunks.push(pos === 0 ? chunk : chunk.subarray(pos));
        this.held += chunk.length - pos;
        return FRAMES_OK;
      }
      let buf = assembly;
      if (buf.length < total) {
        buf = Buffer.allocUnsafe(total);
        if (total <= ASSEMBLY_KEEP_LIMIT) assembly = buf;
      }
      let o = 0;
      for (const c of this.chunks) o += c.copy(buf, o);
      chunk.copy(buf, o, pos, pos + need);
      pos += need;
      this.chunks = [];
      this.held = 0;
      this.expected = -1;
      if (onFrame(buf.subarray(4, total)) === false) return FRAMES_STOPPED;
    }
    while (chunk.length - pos >= 4) {
      const length = chunk.readUInt32BE(pos);
      if (length > this.maxLength) {
        this.rejectedLength = length;
        return FRAME_TOO_LONG;
      }
      if (chunk.length - pos - 4 < length) break;
      const frame = chunk.subarray(pos + 4, pos + 4 + length);
      pos += 4 + length;
      if (onFrame(frame) === false) return FRAMES_STOPPED;
    }
    if (pos < chunk.length) {
      // Copy: the remainder may pin a large read buffer for as long as the client is slow.
      const rest = Buffer.from(chunk.subarray(pos));
      this.chunks = [rest];
      this.held = rest.length;
      this.expected = rest.length >= 4 ? rest.readUInt32BE(0) : -1;
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
