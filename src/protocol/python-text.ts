/**
 * Python `str` semantics the receivers depend on: which characters are whitespace for
 * `str.split()`/`str.strip()`, which end a line for `str.splitlines()`, and `repr()` of a string
 * (carbon logs bad lines through `repr(line)[1:-1]`).
 */

/**
 * Python's `bytes.decode('utf-8')`: strict (invalid bytes throw a TypeError) and a leading byte
 * order mark kept as a character, which TextDecoder drops unless told not to.
 */
export const pyUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Py_UNICODE_ISSPACE: the characters `str.split()` with no argument and `str.strip()` remove. */
export function isPyWhitespace(cp: number): boolean {
  if (cp <= 0x20) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f);
  if (cp < 0x85) return false;
  return (
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** Python `s.split()`: runs of whitespace separate fields; empty fields never appear. */
export function pySplit(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    // Every Python whitespace character is in the BMP, so UTF-16 code units suffice.
    if (isPyWhitespace(s.charCodeAt(i))) {
      if (start >= 0) {
        out.push(s.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** Python `s.strip()`. */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPyWhitespace(s.charCodeAt(a))) a++;
  while (b > a && isPyWhitespace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

/** Characters that end a line for Python `str.splitlines()` (`\r\n` counts as one break). */
export function isPyLineBreak(cp: number): boolean {
  return (
    cp === 0x0a ||
    cp === 0x0d ||
    cp === 0x0b ||
    cp === 0x0c ||
    cp === 0x1c ||
    cp === 0x1d ||
    cp === 0x1e ||
    cp === 0x85 ||
    cp === 0x2028 ||
    cp === 0x2029
  );
}

/** Python `s.splitlines()`: no empty last element for a trailing break. */
export function pySplitLines(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isPyLineBreak(c)) {
      out.push(s.slice(start, i));
      i += c === 0x0d && s.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      start = i;
    } else i++;
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

/** Python unicodedata.isprintable() approximation used by repr(): letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/**
 * Python `repr(s)` for a str, as carbon's log lines show it (`repr(line)[1:-1]` drops the quotes).
 * Python picks single quotes unless the text holds a `'` and no `"`.
 */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x7f || PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp <= 0xffff) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + quote;
}

/** The `[...]` part of carbon's "invalid line received" message: at most 400 characters of the line plus `...`, stripped, repr-escaped. */
export function carbonLogLine(line: string): string {
  // Python measures and cuts in code points, not UTF-16 units.
  const cps = Array.from(line);
  const cut = cps.length > 400 ? cps.slice(0, 400).join('') + '...' : line;
  return pyRepr(pyStrip(cut)).slice(1, -1);
}
