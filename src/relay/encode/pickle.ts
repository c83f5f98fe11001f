import { writeUtf8 } from './ascii-write.js';
import { FrameSlab } from './frame-slab.js';
import type { PointRun } from './point-run.js';

// Pickle opcodes used by CPython's pickler for `list of (str, (float, float))` at protocol 2.
const PROTO = 0x80;
const EMPTY_LIST = 0x5d; // ]
const BINPUT = 0x71; // q <1-byte memo index>
const LONG_BINPUT = 0x72; // r <4-byte little-endian memo index>
const MARK = 0x28; // (
const BINUNICODE = 0x58; // X <4-byte little-endian length> <utf-8>
const BINFLOAT = 0x47; // G <8-byte big-endian double>
const TUPLE2 = 0x86;
const APPEND = 0x61; // a
const APPENDS = 0x65; // e
const STOP = 0x2e; // .

/** CPython's Pickler._BATCHSIZE: list items are appended in MARK…APPENDS groups of this many. */
const PICKLE_BATCH = 1000;

/**
 * One carbon pickle frame: the 4-byte big-endian length that Twisted's Int32StringReceiver writes,
 * then exactly the bytes of `pickle.dumps([(name, (ts, value)), ...], protocol=2)` for
 * points [start, end) of `run`. Memo numbering follows CPython: the list is memo 0, then each
 * point's name, inner tuple and outer tuple take the next three indexes (BINPUT below 256,
 * LONG_BINPUT from 256 on). Names are never memo-shared (no BINGET): carbon's names are distinct str objects.
 */
export function encodePickleFrame(run: PointRun, start: number, end: number, slab?: FrameSlab): Buffer {
  const names = run.names;
  const ts = run.timestamps;
  const vals = run.values;
  const n = end - start;
  // Upper bound: 3 bytes per UTF-16 unit, 5+5+9+9+1+5+1+5 = 40 fixed bytes per point, 2 per 1000-group.
  let bound = 4 + 2 + 1 + 2 + 1 + 2 * Math.ceil(n / PICKLE_BATCH) + 2;
  for (let i = start; i < end; i++) bound += names[i]!.length * 3 + 40;
  const { buf, off } = slab ? slab.reserve(bound) : { buf: Buffer.allocUnsafe(bound), off: 0 };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = off + 4;
  buf[o++] = PROTO;
  buf[o++] = 2;
  buf[o++] = EMPTY_LIST;
  buf[o++] = BINPUT;
  buf[o++] = 0;
  let memo = 1;
  // CPython's C pickler (batch_list_exact): a one-item list is `item APPEND`; otherwise groups of
  // 1000 items each as MARK … APPENDS, even when the last group holds a single item.
  const single = n === 1;
  let i = start;
  while (i < end) {
    const groupEnd = Math.min(end, i + PICKLE_BATCH);
    if (!single) buf[o++] = MARK;
    for (; i < groupEnd; i++) {
      buf[o] = BINUNICODE;
      const len = writeUtf8(buf, o + 5, names[i]!);
      view.setUint32(o + 1, len, true);
      o += 5 + len;
      o = put(buf, view, o, memo++);
      buf[o] = BINFLOAT;
      view.setFloat64(o + 1, ts[i]!);
      buf[o + 9] = BINFLOAT;
      view.setFloat64(o + 10, vals[i]!);
      buf[o + 18] = TUPLE2;
      o = put(buf, view, o + 19, memo++);
      buf[o++] = TUPLE2;
      o = put(buf, view, o, memo++);
    }
    buf[o++] = single ? APPEND : APPENDS;
  }
  buf[o++] = STOP;
  view.setUint32(off, o - off - 4);
  return slab ? slab.commit(buf, off, o) : buf.subarray(0, o);
}

function put(buf: Buffer, view: DataView, o: number, memo: number): number {
  if (memo < 256) {
    buf[o] = BINPUT;
    buf[o + 1] = memo;
    return o + 2;
  }
  buf[o] = LONG_BINPUT;
  view.setUint32(o + 1, memo, true);
  return o + 5;
}
