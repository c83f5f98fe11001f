/**
 * Restricted unpickler: protocols 0–5, building only None, bools, ints, floats, str, bytes,
 * bytearrays, lists, tuples, dicts, sets and frozensets (see pickle-values.ts). It follows CPython's
 * C `_pickle` Unpickler opcode by opcode, with carbon's SafeUnpickler on top, which under Python 3
 * refuses every global.
 *
 * Safety: the decoder is a loop over the input with an explicit stack (no recursion, so nesting
 * depth cannot overflow anything), every length is checked against the bytes actually present
 * before anything is allocated, the memo is an array for the small indexes Python writes and a
 * Map beyond (so a huge memo index costs nothing), and ints
 * written in decimal are limited to Python's 4300 digits. Work is linear in the input size.
 */
import { PickleDecodeError, UnsafePickleError } from './errors.js';
import { latin1 } from './bytes.js';
import { parsePyFloat } from './python-float.js';
import { firstUnhashable, PyByteArray, type PyDict, PySet, PyTuple, type PyValue, pyTypeName } from './pickle-values.js';
import { pyUtf8 } from './python-text.js';

const HIGHEST_PROTOCOL = 5;
/** Python's sys.int_info.default_max_str_digits. */
const MAX_INT_DIGITS = 4300;

function unpicklingError(message: string): PickleDecodeError {
  return new PickleDecodeError('UnpicklingError', message);
}
/** CPython's Pdata_stack_underflow: the message depends on whether a MARK is pending. */
function underflow(markPending: boolean): PickleDecodeError {
  return unpicklingError(markPending ? 'unexpected MARK found' : 'unpickling stack underflow');
}

/** A Python int from its digits, as a number when exact, else a bigint. */
function toPyInt(big: bigint): number | bigint {
  return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
}

const INT_LITERAL = /^\s*([+-]?)(?:0[xX]((?:_?[0-9a-fA-F])+)|0[oO]((?:_?[0-7])+)|0[bB]((?:_?[01])+)|(0(?:_?0)*|[1-9](?:_?\d)*))\s*$/;
/** What C strtol(s, &end, 0) consumes completely (octal for a leading 0). */
const STRTOL_LITERAL = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/;

/** Python `int(text, 0)` (PyLong_FromString with base 0); ValueError where it raises. */
function parsePyIntLiteral(text: string): number | bigint {
  const m = INT_LITERAL.exec(text);
  if (!m) throw new PickleDecodeError('ValueError', `invalid literal for int() with base 0: ${JSON.stringify(text)}`);
  const sign = m[1] === '-' ? -1n : 1n;
  if (m[5] !== undefined) {
    const digits = m[5].replaceAll('_', '');
    if (digits.length > MAX_INT_DIGITS) {
      throw new PickleDecodeError('ValueError', `Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion`);
    }
    return toPyInt(sign * BigInt(digits));
  }
  const [prefix, digits] = m[2] !== undefined ? ['0x', m[2]] : m[3] !== undefined ? ['0o', m[3]] : ['0b', m[4]];
  return toPyInt(sign * BigInt(prefix + digits.replaceAll('_', '')));
}

/** The INT opcode: C strtol first (which reads `010` as octal), Python's int() if that fails. */
function parseIntOpcode(text: string): number | bigint {
  const m = STRTOL_LITERAL.exec(text);
  if (m) {
    const sign = m[1] === '-' ? -1n : 1n;
    const v = sign * (m[2] !== undefined ? BigInt('0x' + m[2]) : m[3] !== undefined ? BigInt('0o' + (m[3].slice(1) || '0')) : BigInt(m[4]));
    if (v >= -(2n ** 63n) && v < 2n ** 63n) return toPyInt(v);
  }
  return parsePyIntLiteral(text);
}

/** PyLong_FromString(s, NULL, 10), used by GET and PUT. */
function parseDecimalIndex(text: string, what: string, allowNegative = false): number {
  if (!/^\s*[+-]?\d(?:_?\d)*\s*$/.test(text)) {
    throw new PickleDecodeError('ValueError', `invalid literal for int() with base 10: ${JSON.stringify(text)}`);
  }
  const v = Number(text.replaceAll('_', '').trim());
  if (v < 0 && !allowNegative) throw new PickleDecodeError('ValueError', `negative ${what} argument`);
  return v;
}

/** The FLOAT opcode: PyOS_string_to_double, which allows no whitespace or underscores and raises OverflowError. */
function parseFloatOpcode(text: string): number {
  if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) {
    const v = Number(text);
    if (!Number.isFinite(v)) throw new PickleDecodeError('OverflowError', 'Numerical result out of range', true);
    return v;
  }
  const special = /^[+-]?(?:inf|infinity|nan)$/i.test(text) ? parsePyFloat(text) : undefined;
  if (special === undefined) throw new PickleDecodeError('ValueError', 'could not convert string to float');
  return special;
}

/** Python 2 `repr(str)` escapes, as the STRING opcode carries them (codecs.escape_decode). */
function escapeDecode(body: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    if (++i >= body.length) throw new PickleDecodeError('ValueError', 'Trailing \\ in string');
    const e = body[i];
    const simple: Record<number, number> = { 0x5c: 0x5c, 0x27: 0x27, 0x22: 0x22, 0x61: 7, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9, 0x76: 11 };
    if (e === 0x0a) continue;
    if (simple[e] !== undefined) out.push(simple[e]);
    else if (e >= 0x30 && e <= 0x37) {
      let v = e - 0x30;
      for (let k = 0; k < 2 && i + 1 < body.length && body[i + 1] >= 0x30 && body[i + 1] <= 0x37; k++) v = v * 8 + (body[++i] - 0x30);
      out.push(v & 0xff);
    } else if (e === 0x78) {
      const hex = String.fromCharCode(body[i + 1] ?? 0, body[i + 2] ?? 0);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new PickleDecodeError('ValueError', `invalid \\x escape at position ${i - 1}`);
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(0x5c, e);
  }
  return Uint8Array.from(out);
}

/** The UNICODE opcode's raw-unicode-escape: only \uXXXX and \UXXXXXXXX are escapes, other bytes are Latin-1. */
function rawUnicodeEscapeDecode(body: Uint8Array): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === 0x5c && (body[i + 1] === 0x75 || body[i + 1] === 0x55)) {
      // An escape only counts after an even number of backslashes; Python checks the run length.
      let run = 0;
      for (let j = i - 1; j >= 0 && body[j] === 0x5c; j--) run++;
      if (run % 2 === 0) {
        const n = body[i + 1] === 0x75 ? 4 : 8;
        const hex = String.fromCharCode(...body.subarray(i + 2, i + 2 + n));
        if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) {
          throw new PickleDecodeError('UnicodeDecodeError', `'rawunicodeescape' codec can't decode bytes in position ${i}-${i + 1 + hex.length}: truncated \\${n === 4 ? 'u' : 'U'}XXXX escape`);
        }
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) throw new PickleDecodeError('UnicodeDecodeError', `'rawunicodeescape' codec can't decode bytes in position ${i}-${i + 9}: \\Uxxxxxxxx out of range`);
        out += String.fromCodePoint(cp);
        i += 1 + n;
        continue;
      }
    }
    out += String.fromCharCode(c);
  }
  return out;
}

/** Text of a Python 2 byte string (STRING/BINSTRING/SHORT_BINSTRING), which carbon decodes as UTF-8. */
function decodeUtf8(bytes: Uint8Array): string {
  try {
    return pyUtf8.decode(bytes);
  } catch {
    throw new PickleDecodeError('UnicodeDecodeError', "'utf-8' codec can't decode bytes: invalid UTF-8");
  }
}

/**
 * UTF-8 with CPython's 'surrogatepass' error handler (BINUNICODE and friends): like strict UTF-8,
 * but the three-byte encodings of U+D800–U+DFFF are accepted as lone surrogates.
 */
function decodeSurrogatePass(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i];
    if (b0 === 0xed && i + 2 < bytes.length && bytes[i + 1] >= 0xa0 && bytes[i + 1] <= 0xbf && (bytes[i + 2] & 0xc0) === 0x80) {
      out += String.fromCharCode(0xd000 | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f));
      i += 3;
      continue;
    }
    // Decode the run up to the next surrogate sequence strictly.
    let j = i + 1;
    while (j < bytes.length && !(bytes[j] === 0xed && bytes[j + 1] >= 0xa0 && bytes[j + 1] <= 0xbf)) j++;
    out += decodeUtf8(bytes.subarray(i, j));
    i = j;
  }
  return out;
}

/** Decodes a BINUNICODE body: ASCII fast, else UTF-8 with 'surrogatepass' as CPython does. */
function decodeUnicodeBody(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= 0x80) {
      try {
        return pyUtf8.decode(bytes);
      } catch {
        return decodeSurrogatePass(bytes);
      }
    }
  }
  return latin1(bytes);
}

/** Python's TypeError for an unhashable dict key or set item (shared subtrees are looked at once). */
function checkHashable(v: PyValue): void {
  const bad = firstUnhashable(v);
  if (bad !== undefined) throw new PickleDecodeError('TypeError', `unhashable type: '${pyTypeName(bad)}'`, true);
}

function setItem(target: PyValue, key: PyValue, value: PyValue): void {
  if (target instanceof Map) {
    checkHashable(key);
    target.set(key, value);
  } else if (Array.isArray(target)) {
    // list[i] = v: Python allows it in a pickle, with list index rules.
    if (typeof key !== 'number' || !Number.isInteger(key)) {
      throw new PickleDecodeError('TypeError', `list indices must be integers or slices, not ${pyTypeName(key)}`, true);
    }
    const i = key < 0 ? key + target.length : key;
    if (i < 0 || i >= target.length) throw new PickleDecodeError('IndexError', 'list assignment index out of range');
    target[i] = value;
  } else {
    throw new PickleDecodeError('TypeError', `'${pyTypeName(target)}' object does not support item assignment`, true);
  }
}

/**
 * Decodes one pickle. Data after the STOP opcode is ignored, as pickle.loads does.
 * @throws PickleDecodeError (UnsafePickleError for globals); see its `dropsConnection`.
 */
export function decodePickle(data: Uint8Array): PyValue {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const end = data.length;
  let pos = 0;
  const stack: PyValue[] = [];
  const marks: number[] = [];
  let fence = 0;
  // Python numbers memo slots 0, 1, 2, ...: a dense array serves them; odd indexes go to a Map.
  const memoDense: (PyValue | undefined)[] = [];
  const memoSparse = new Map<number, PyValue>();
  let memoCount = 0;

  const need = (n: number): void => {
    if (n > end - pos) {
      throw pos >= end ? new PickleDecodeError('EOFError', 'Ran out of input') : unpicklingError('pickle data was truncated');
    }
  };
  const readLine = (): Uint8Array => {
    const nl = data.indexOf(0x0a, pos);
    if (nl < 0) throw unpicklingError('pickle data was truncated');
    const line = data.subarray(pos, nl);
    pos = nl + 1;
    return line;
  };
  const readLineText = (): string => latin1(readLine());
  const readBytes = (n: number): Uint8Array => {
    need(n);
    const b = data.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const readLength = (bytes: 1 | 4 | 8, opcode: string): number => {
    need(bytes);
    let n: number;
    if (bytes === 1) n = data[pos];
    else if (bytes === 4) n = view.getUint32(pos, true);
    else {
      const big = view.getBigUint64(pos, true);
      if (big > 0x7fffffffffffffffn) throw new PickleDecodeError('OverflowError', `${opcode} exceeds system's maximum of 9223372036854775807 bytes`, true);
      // Below that, CPython goes on to find the data missing.
      if (big > BigInt(end)) throw unpicklingError('pickle data was truncated');
      n = Number(big);
    }
    pos += bytes;
    return n;
  };
  const pop = (): PyValue => {
    if (stack.length <= fence) throw underflow(marks.length > 0);
    return stack.pop()!;
  };
  const top = (): PyValue => {
    if (stack.length <= fence) throw underflow(marks.length > 0);
    return stack[stack.length - 1];
  };
  const popMark = (): number => {
    if (marks.length === 0) throw unpicklingError('could not find MARK');
    const m = marks.pop()!;
    fence = marks.length ? marks[marks.length - 1] : 0;
    return m;
  };
  const popToMark = (): PyValue[] => {
    const m = popMark();
    return stack.splice(m);
  };
  const memoGet = (i: number): void => {
    const v = i < memoDense.length ? memoDense[i] : memoSparse.get(i);
    if (v === undefined) throw unpicklingError(`Memo value not found at index ${i}`);
    stack.push(v);
  };
  const memoPut = (i: number): void => {
    const v = top();
    if (i < memoDense.length) {
      if (memoDense[i] === undefined) memoCount++;
      memoDense[i] = v;
    } else if (i === memoDense.length && memoSparse.size === 0) {
      memoDense.push(v);
      memoCount++;
    } else {
      if (!memoSparse.has(i)) memoCount++;
      memoSparse.set(i, v);
    }
  };
  // do_append/do_setitems: the target sits just below position x, which must be above the fence.
  const checkTarget = (x: number): void => {
    if (x > stack.length || x <= fence) throw underflow(marks.length > 0);
  };
  const append = (x: number): void => {
    // do_append(x): items from x up to the top go into the list at x - 1.
    checkTarget(x);
    const len = stack.length;
    if (x === len) return;
    const list = stack[x - 1];
    if (!Array.isArray(list)) {
      throw new PickleDecodeError('AttributeError', `'${pyTypeName(list)}' object has no attribute 'append'`, true);
    }
    for (let i = x; i < len; i++) list.push(stack[i]);
    stack.length = x;
  };
  const setItems = (x: number): void => {
    checkTarget(x);
    const len = stack.length;
    if (x === len) return;
    if ((len - x) % 2 !== 0) throw unpicklingError('odd number of items for SETITEMS');
    const target = stack[x - 1];
    for (let i = x; i < len; i += 2) setItem(target, stack[i], stack[i + 1]);
    stack.length = x;
  };
  const addItems = (x: number): void => {
    // load_additems: items from x up to the top go into the set at x - 1 (set.add on anything else).
    checkTarget(x);
    const len = stack.length;
    if (x === len) return;
    const set = stack[x - 1];
    if (!(set instanceof PySet) || set.frozen) {
      throw new PickleDecodeError('AttributeError', `'${pyTypeName(set)}' object has no attribute 'add'`, true);
    }
    for (let i = x; i < len; i++) {
      checkHashable(stack[i]);
      set.items.push(stack[i]);
    }
    stack.length = x;
  };

  for (;;) {
    need(1);
    const op = data[pos++];
    switch (op) {
      case 0x80: {
        // PROTO
        need(1);
        const proto = data[pos++];
        if (proto > HIGHEST_PROTOCOL) throw new PickleDecodeError('ValueError', `unsupported pickle protocol: ${proto}`);
        break;
      }
      case 0x95: {
        // FRAME: the framed bytes must be present; the opcodes inside are read as usual.
        const size = readLength(8, 'FRAME length');
        need(size);
        break;
      }
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        marks.push(stack.length);
        fence = stack.length;
        break;
      case 0x30: // POP
        if (marks.length > 0 && marks[marks.length - 1] === stack.length) popMark();
        else pop();
        break;
      case 0x31: // POP_MARK
        popToMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x49: {
        // INT ("I01\n" and "I00\n" are True and False)
        const text = readLineText();
        stack.push(text === '01' ? true : text === '00' ? false : parseIntOpcode(text));
        break;
      }
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        need(1);
        stack.push(data[pos++]);
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(view.getUint16(pos, true));
        pos += 2;
        break;
      case 0x4c: {
        // LONG: decimal text, optionally ending in 'L'
        let text = readLineText();
        if (text.endsWith('L')) text = text.slice(0, -1);
        stack.push(parsePyIntLiteral(text));
        break;
      }
      case 0x8a: // LONG1
      case 0x8b: {
        // LONG4: little-endian two's complement
        let n: number;
        if (op === 0x8a) n = readLength(1, 'LONG1');
        else {
          need(4);
          n = view.getInt32(pos, true);
          pos += 4;
          if (n < 0) throw unpicklingError('LONG pickle has negative byte count');
        }
        const bytes = readBytes(n);
        if (n === 0) {
          stack.push(0);
          break;
        }
        let hex = '';
        for (let i = n - 1; i >= 0; i--) hex += bytes[i].toString(16).padStart(2, '0');
        let big = BigInt('0x' + hex);
        if (bytes[n - 1] & 0x80) big -= 1n << BigInt(8 * n);
        stack.push(toPyInt(big));
        break;
      }
      case 0x46: // FLOAT (text)
        stack.push(parseFloatOpcode(readLineText()));
        break;
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x53: {
        // STRING: a quoted Python 2 repr
        const line = readLine();
        const q = line[0];
        if (line.length < 2 || (q !== 0x27 && q !== 0x22) || line[line.length - 1] !== q) {
          throw unpicklingError('the STRING opcode argument must be quoted');
        }
        stack.push(decodeUtf8(escapeDecode(line.subarray(1, line.length - 1))));
        break;
      }
      case 0x54: {
        // BINSTRING
        need(4);
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) throw unpicklingError('BINSTRING pickle has negative byte count');
        stack.push(decodeUtf8(readBytes(n)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(decodeUtf8(readBytes(readLength(1, 'SHORT_BINSTRING'))));
        break;
      case 0x56: // UNICODE (raw-unicode-escape text)
        stack.push(rawUnicodeEscapeDecode(readLine()));
        break;
      case 0x58: // BINUNICODE
        stack.push(decodeUnicodeBody(readBytes(readLength(4, 'BINUNICODE'))));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(decodeUnicodeBody(readBytes(readLength(1, 'SHORT_BINUNICODE'))));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(decodeUnicodeBody(readBytes(readLength(8, 'BINUNICODE8'))));
        break;
      case 0x42: // BINBYTES
        stack.push(Uint8Array.from(readBytes(readLength(4, 'BINBYTES'))));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(Uint8Array.from(readBytes(readLength(1, 'SHORT_BINBYTES'))));
        break;
      case 0x8e: // BINBYTES8
        stack.push(Uint8Array.from(readBytes(readLength(8, 'BINBYTES8'))));
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PyTuple(popToMark()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popToMark());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map() as PyDict);
        break;
      case 0x64: {
        // DICT
        const items = popToMark();
        if (items.length % 2 !== 0) throw unpicklingError('odd number of items for DICT');
        const d: PyDict = new Map();
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        stack.push(d);
        break;
      }
      case 0x61: // APPEND
        append(stack.length - 1);
        break;
      case 0x65: // APPENDS
        append(popMark());
        break;
      case 0x73: // SETITEM
        setItems(stack.length - 2);
        break;
      case 0x75: // SETITEMS
        setItems(popMark());
        break;
      case 0x67: // GET
        memoGet(parseDecimalIndex(readLineText(), 'GET', true));
        break;
      case 0x68: // BINGET
        memoGet(readLength(1, 'BINGET'));
        break;
      case 0x6a: // LONG_BINGET
        memoGet(readLength(4, 'LONG_BINGET'));
        break;
      case 0x70: // PUT
        memoPut(parseDecimalIndex(readLineText(), 'PUT'));
        break;
      case 0x71: // BINPUT
        memoPut(readLength(1, 'BINPUT'));
        break;
      case 0x72: // LONG_BINPUT
        memoPut(readLength(4, 'LONG_BINPUT'));
        break;
      case 0x94: // MEMOIZE
        // CPython's MEMOIZE uses the number of memo entries as the index.
        memoPut(memoCount);
        break;
      case 0x63: // GLOBAL
      case 0x69: {
        // INST: both name a module and a class by text; SafeUnpickler.find_class refuses them all.
        const module = readLineText();
        const name = readLineText();
        throw new UnsafePickleError(module, name);
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof name !== 'string' || typeof module !== 'string') throw unpicklingError('STACK_GLOBAL requires str');
        throw new UnsafePickleError(module, name);
      }
      case 0x52: {
        // REDUCE: whatever is on the stack here is not callable (no global can get there).
        pop();
        const callable = pop();
        throw new PickleDecodeError('TypeError', `'${pyTypeName(callable)}' object is not callable`, true);
      }
      case 0x62: {
        // BUILD with CPython's default __setstate__ (none of the types built here has another):
        // state may be (state, slotstate); a non-dict state is refused, a dict one needs the
        // object's __dict__ (AttributeError), slot state items need setattr (AttributeError).
        let state = pop();
        const inst = top();
        let slotState: PyValue = null;
        if (state instanceof PyTuple && state.items.length === 2) {
          slotState = state.items[1];
          state = state.items[0];
        }
        const noDict = (): PickleDecodeError => new PickleDecodeError('AttributeError', `'${pyTypeName(inst)}' object has no attribute '__dict__'`, true);
        if (state !== null) {
          if (!(state instanceof Map)) throw unpicklingError('state is not a dictionary');
          throw noDict();
        }
        if (slotState !== null) {
          if (!(slotState instanceof Map)) throw unpicklingError('slot state is not a dictionary');
          if (slotState.size > 0) throw noDict();
        }
        break;
      }
      case 0x6f: {
        // OBJ: calls the first item after the mark, never a class here.
        const items = popToMark();
        if (items.length === 0) throw underflow(marks.length > 0);
        throw new PickleDecodeError('TypeError', `'${pyTypeName(items[0])}' object is not callable`, true);
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        throw unpicklingError(args instanceof PyTuple ? `NEWOBJ class argument must be a type, not ${pyTypeName(cls)}` : 'NEWOBJ expected an arg tuple.');
      }
      case 0x92: {
        // NEWOBJ_EX
        pop();
        pop();
        const cls = pop();
        throw unpicklingError(`NEWOBJ_EX class argument must be a type, not ${pyTypeName(cls)}`);
      }
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: {
        // EXT4: copyreg's extension registry is empty in carbon
        const n = op === 0x82 ? 1 : op === 0x83 ? 2 : 4;
        need(n);
        const code = n === 1 ? data[pos] : n === 2 ? view.getUint16(pos, true) : view.getInt32(pos, true);
        pos += n;
        if (code <= 0) throw unpicklingError('EXT specifies code <= 0');
        throw new PickleDecodeError('ValueError', `unregistered extension code ${code}`);
      }
      case 0x50: // PERSID
      case 0x51: // BINPERSID
        throw unpicklingError('A load persistent id instruction was encountered, but no persistent_load function was specified.');
      case 0x97: // NEXT_BUFFER
        throw unpicklingError('pickle stream refers to out-of-band data but no *buffers* argument was given');
      case 0x98: {
        // READONLY_BUFFER: a bytes object is already read-only and stays as it is.
        const obj = top();
        if (!(obj instanceof Uint8Array)) throw new PickleDecodeError('TypeError', `memoryview: a bytes-like object is required, not '${pyTypeName(obj)}'`, true);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new PySet(false));
        break;
      case 0x90: // ADDITEMS
        addItems(popMark());
        break;
      case 0x91: {
        // FROZENSET
        const set = new PySet(true);
        for (const item of popToMark()) {
          checkHashable(item);
          set.items.push(item);
        }
        stack.push(set);
        break;
      }
      case 0x96: // BYTEARRAY8
        stack.push(PyByteArray.from(readBytes(readLength(8, 'BYTEARRAY8'))));
        break;
      default: {
        const ch = op >= 0x20 && op < 0x7f ? String.fromCharCode(op) : '\\x' + op.toString(16).padStart(2, '0');
        throw unpicklingError(`invalid load key, '${ch}'.`);
      }
    }
  }
}
