/**
 * Plaintext protocol (`metric value timestamp`) parsing with carbon's Python semantics, from raw
 * bytes straight into a MetricBatch.
 *
 * TCP (Twisted LineOnlyReceiver, delimiter `\n`): see LineStreamParser. UDP (one datagram, Python
 * `splitlines()`): see parseDatagram.
 */
import type { MetricBatch } from '../pipeline/batch.js';
import { latin1 } from './bytes.js';
import { ACCEPT_OK, ACCEPT_TIMESTAMP_NAN, type PointAcceptor } from './point-acceptor.js';
import { parsePyFloat, parseSimpleFloatBytes } from './python-float.js';
import { pyUtf8, pySplit, pySplitLines } from './python-text.js';
import { receivedNames } from './received-names.js';

/** Twisted LineOnlyReceiver.MAX_LENGTH. */
export const MAX_LINE_LENGTH = 16384;
/** Twisted's UDP port reads at most this many bytes of a datagram; the rest is cut off. */
export const MAX_DATAGRAM_LENGTH = 8192;

/** Outcome of feeding bytes; anything but LINE_OK means carbon drops the connection. */
export const LINE_OK = 0;
/** A line (or an unterminated remainder) longer than the limit. */
export const LINE_TOO_LONG = 1;
/** A line that is not valid UTF-8 (UnicodeDecodeError escapes lineReceived). */
export const LINE_BAD_UTF8 = 2;
/** A NaN or infinite timestamp reached `int()` in the accept path. */
export const LINE_BAD_TIMESTAMP = 3;
export type LineFeedStatus = typeof LINE_OK | typeof LINE_TOO_LONG | typeof LINE_BAD_UTF8 | typeof LINE_BAD_TIMESTAMP;

/** Called with the decoded text of a line carbon would log as invalid and skip. */
export type InvalidLineHandler = (line: string) => void;

/** Parses one decoded line as carbon does; `undefined` = ValueError (logged, skipped). */
export function parseLineText(line: string): [name: string, value: number, timestamp: number] | undefined {
  const fields = pySplit(line);
  if (fields.length !== 3) return undefined;
  const timestamp = parsePyFloat(fields[2]);
  if (timestamp === undefined) return undefined;
  const value = parsePyFloat(fields[1]);
  if (value === undefined) return undefined;
  return [fields[0], value, timestamp];
}

/** ASCII bytes that Python's str.split() treats as whitespace. */
function isAsciiWhitespaceByte(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
}

/** Byte classes for the line scan: part of a field, or whitespace (newline included). */
const SPACE = 1;
const BYTE_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) BYTE_CLASS[c] = isAsciiWhitespaceByte(c) ? SPACE : 0;

/**
 * The TCP plaintext stream of one connection. Keeps the unterminated tail between reads (and
 * drops it with the connection, as carbon does).
 */
export class LineStreamParser {
  private pending: Buffer | null = null;
  /**
   * The last 10-byte timestamp field parsed (as three words) and its value: the lines of one
   * sender's batch share their timestamp, and three compares cost less than parsing ten digits.
   */
  private lastTsHead = 0;
  private lastTsMiddle = 0;
  private lastTsTail = -1;
  private lastTs = 0;

  constructor(
    private readonly acceptor: PointAcceptor,
    private readonly onInvalidLine: InvalidLineHandler,
    private readonly maxLineLength = MAX_LINE_LENGTH,
  ) {}

  /** Bytes held back because their line has not ended yet. */
  get pendingBytes(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Parses every complete line in `chunk` (after any held-back tail) into `out`. On a non-OK
   * status the points before the offending line are in `out` and the rest of the read is
   * discarded: the caller closes the connection.
   */
  feed(chunk: Buffer, out: MetricBatch): LineFeedStatus {
    const pending = this.pending;
    if (pending === null) return this.parse(chunk, out);
    this.pending = null;
    // Join the held-back tail with the start of this read up to its first newline only, rather than
    // copying the whole read: that one line is parsed on its own, then the rest from the read itself.
    const nl = chunk.indexOf(0x0a);
    if (nl < 0) return this.parse(Buffer.concat([pending, chunk]), out);
    const status = this.parse(Buffer.concat([pending, chunk.subarray(0, nl + 1)]), out);
    return status === LINE_OK ? this.parse(chunk.subarray(nl + 1), out) : status;
  }

  /** feed() for bytes that follow a line end (or the start of the stream). */
  private parse(data: Buffer, out: MetricBatch): LineFeedStatus {
    const end = data.length;
    const bounds = FIELD_BOUNDS;
    const view = new DataView(data.buffer, data.byteOffset, end);
    let start = 0;
    // One pass per line finds its end and its first three fields together (an indexOf per line
    // costs more than the scan). Fields are runs of bytes that are not ASCII whitespace.
    for (;;) {
      let i = start;
      let fields = 0;
      /** OR of every field byte (and word): a bit 7 set = the line is not ASCII. */
      let high = 0;
      let c = 0;
      while (i < end) {
        c = data[i];
        if (c === 0x0a) break;
        if (BYTE_CLASS[c] === SPACE) {
          i++;
          continue;
        }
        const fieldStart = i;
        // Four bytes at a time while none is 0x20 or below (`w - 0x21212121 & ~w & 0x80808080` is
        // non-zero exactly when one of the four is below 0x21; bytes from 0x80 up count as field
        // bytes, and their high bit goes into `high`).
        for (let w = 0; i + 4 <= end; i += 4) {
          w = view.getUint32(i, true);
          if (((w - 0x21212121) & ~w & 0x80808080) !== 0) break;
          high |= w;
        }
        // Then byte by byte: every byte above 0x20 is a field byte; the table is read only for the
        // control bytes.
        while (i < end && ((c = data[i]) > 0x20 || BYTE_CLASS[c] !== SPACE)) {
          high |= c;
          i++;
        }
        if (fields < 3) {
          bounds[fields * 2] = fieldStart;
          bounds[fields * 2 + 1] = i;
        }
        fields++;
      }
      if (i >= end) break;
      if (i - start > this.maxLineLength) return LINE_TOO_LONG;
      const status = (high & 0x80808080) === 0 ? this.parseAsciiLine(data, view, start, i, fields, out) : this.parseLineSlow(data, start, i, out);
      if (status !== LINE_OK) return status;
      start = i + 1;
    }
    if (end - start > this.maxLineLength) return LINE_TOO_LONG;
    // Copy the tail: the caller's chunk may be large and is otherwise garbage after this call.
    if (start < end) this.pending = Buffer.from(data.subarray(start, end));
    return LINE_OK;
  }

  /** An ASCII line whose field bounds are in FIELD_BOUNDS; ASCII whitespace is all of Python's whitespace here. */
  private parseAsciiLine(buf: Buffer, view: DataView, start: number, end: number, fields: number, out: MetricBatch): LineFeedStatus {
    const bounds = FIELD_BOUNDS;
    if (fields !== 3) {
      this.onInvalidLine(latin1(buf, start, end));
      return LINE_OK;
    }
    const tsStart = bounds[4];
    let timestamp: number | undefined;
    if (bounds[5] - tsStart === 10) {
      const head = view.getInt32(tsStart);
      const middle = view.getInt32(tsStart + 4);
      const tail = view.getUint16(tsStart + 8);
      if (tail === this.lastTsTail && head === this.lastTsHead && middle === this.lastTsMiddle) {
        timestamp = this.lastTs;
      } else {
        timestamp = parseSimpleFloatBytes(buf, tsStart, tsStart + 10);
        if (timestamp !== undefined) {
          this.lastTsHead = head;
          this.lastTsMiddle = middle;
          this.lastTsTail = tail;
          this.lastTs = timestamp;
        }
      }
    } else {
      timestamp = parseSimpleFloatBytes(buf, tsStart, bounds[5]);
    }
    if (timestamp === undefined) timestamp = parsePyFloat(latin1(buf, bounds[4], bounds[5]));
    let value = timestamp === undefined ? undefined : parseSimpleFloatBytes(buf, bounds[2], bounds[3]);
    if (timestamp !== undefined && value === undefined) value = parsePyFloat(latin1(buf, bounds[2], bounds[3]));
    if (timestamp === undefined || value === undefined) {
      this.onInvalidLine(latin1(buf, start, end));
      return LINE_OK;
    }
    const slot = receivedNames.slotOf(buf, bounds[0], bounds[1]);
    const name = slot < 0 ? latin1(buf, bounds[0], bounds[1]) : receivedNames.nameAt(slot);
    return this.acceptor.accept(out, name, value, timestamp, slot) === ACCEPT_OK ? LINE_OK : LINE_BAD_TIMESTAMP;
  }

  private parseLineSlow(buf: Buffer, start: number, end: number, out: MetricBatch): LineFeedStatus {
    let text: string;
    try {
      text = pyUtf8.decode(buf.subarray(start, end));
    } catch {
      return LINE_BAD_UTF8;
    }
    const point = parseLineText(text);
    if (!point) {
      this.onInvalidLine(text);
      return LINE_OK;
    }
    return this.acceptor.accept(out, point[0], point[1], point[2]) === ACCEPT_OK ? LINE_OK : LINE_BAD_TIMESTAMP;
  }
}

/** Scratch space for field offsets (start, end) × 3; the parser is synchronous. */
const FIELD_BOUNDS = new Int32Array(6);

/** Outcome of one datagram. */
export const DATAGRAM_OK = 0;
/** Not valid UTF-8: carbon drops the whole datagram. */
export const DATAGRAM_BAD_UTF8 = 1;
/** An infinite timestamp raised OverflowError: the rest of the datagram was dropped. */
export const DATAGRAM_TRUNCATED_BY_INFINITE_TIMESTAMP = 2;
export type DatagramStatus = typeof DATAGRAM_OK | typeof DATAGRAM_BAD_UTF8 | typeof DATAGRAM_TRUNCATED_BY_INFINITE_TIMESTAMP;

/**
 * One UDP datagram, as carbon's MetricDatagramReceiver reads it: cut to 8192 bytes, decoded as a
 * whole, split with `splitlines()`. A NaN timestamp is logged as an invalid line (the ValueError
 * is caught per line), an infinite one ends the datagram (OverflowError is not).
 */
export function parseDatagram(
  datagram: Uint8Array,
  acceptor: PointAcceptor,
  out: MetricBatch,
  onInvalidLine: InvalidLineHandler,
  maxLength = MAX_DATAGRAM_LENGTH,
): DatagramStatus {
  let text: string;
  try {
    text = pyUtf8.decode(datagram.length > maxLength ? datagram.subarray(0, maxLength) : datagram);
  } catch {
    return DATAGRAM_BAD_UTF8;
  }
  for (const line of pySplitLines(text)) {
    const point = parseLineText(line);
    if (!point) {
      onInvalidLine(line);
      continue;
    }
    const status = acceptor.accept(out, point[0], point[1], point[2]);
    if (status === ACCEPT_TIMESTAMP_NAN) onInvalidLine(line);
    else if (status !== ACCEPT_OK) return DATAGRAM_TRUNCATED_BY_INFINITE_TIMESTAMP;
  }
  return DATAGRAM_OK;
}
