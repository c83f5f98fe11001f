/**
 * Python's conversions of config text, as carbon applies them: `int(s)`, `float(s)`, ConfigParser's
 * getboolean(), `str.strip()`. Each returns null where Python raises ValueError, so callers decide
 * what a failure means (carbon keeps the string, skips a section, or dies).
 */

/** Characters Python's str.strip()/split() treat as whitespace (str.isspace()). */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const STRIP_RE = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
const SPLIT_RE = new RegExp(`[${PY_SPACE}]+`);

export function pyStrip(s: string): string {
  return s.replace(STRIP_RE, '');
}

/** Python `s.split()` with no argument: runs of whitespace, no empty fields. */
export function pySplitWhitespace(s: string): string[] {
  const t = pyStrip(s);
  return t === '' ? [] : t.split(SPLIT_RE);
}

/** Python `str.isspace()` for one character. */
export function pyIsSpace(ch: string): boolean {
  return ch !== '' && pyStrip(ch) === '';
}

/** Unicode decimal digits become ASCII (Python's int() and float() accept any Nd digit). */
function asciiDigits(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  return s.replace(/\p{Nd}/gu, (d) => {
    // Nd digits come in runs of ten consecutive code points starting at a zero.
    let cp = d.codePointAt(0)!;
    let k = 0;
    while (/\p{Nd}/u.test(String.fromCodePoint(cp - 1))) {
      cp--;
      k++;
    }
    return String(k % 10);
  });
}

const INT_RE = /^[+-]?[0-9](?:_?[0-9])*$/;

/** Python `int(s)` for a str (base 10); null where Python raises ValueError. */
export function pyInt(text: string): number | null {
  const s = asciiDigits(pyStrip(text));
  if (!INT_RE.test(s)) return null;
  return Number(s.replace(/_/g, ''));
}

const DIGITPART = '[0-9](?:_?[0-9])*';
const FLOAT_RE = new RegExp(`^[+-]?(?:(?:${DIGITPART})?\\.${DIGITPART}|${DIGITPART}\\.?)(?:[eE][+-]?${DIGITPART})?$`);
const FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Python `float(s)` for a str; null where Python raises ValueError. */
export function pyFloat(text: string): number | null {
  const s = asciiDigits(pyStrip(text));
  const special = FLOAT_SPECIAL.exec(s);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!FLOAT_RE.test(s)) return null;
  return Number(s.replace(/_/g, ''));
}

const BOOLEAN_STATES: Readonly<Record<string, boolean>> = {
  '1': true,
  yes: true,
  true: true,
  on: true,
  '0': false,
  no: false,
  false: false,
  off: false,
};

/** ConfigParser.getboolean(); null where it raises `ValueError('Not a boolean: ...')`. */
export function pyBoolean(value: string): boolean | null {
  const v = BOOLEAN_STATES[value.toLowerCase()];
  return v === undefined ? null : v;
}
