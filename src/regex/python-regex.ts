/**
 * Python `re` patterns, as carbon's config files hold them, turned into JavaScript RegExps that match
 * exactly what Python matches — or refused with the reason (PythonRegexError). See
 * python-regex-emit.ts for how each construct is translated, and python-regex-parser.ts for what
 * is refused.
 *
 * Refused (PythonRegexError with pythonRejects=false): conditional groups `(?(1)a|b)`, case
 * sensitivity switched for part of a pattern (`(?i:...)`, `(?-i:...)`; a leading `(?i)` is fine),
 * named characters `\N{...}`, replacement group numbers above 99 in translatePythonReplacement().
 * Atomic groups and possessive quantifiers are emulated exactly (see python-regex-emit.ts); CPython
 * 3.11.2 itself returns impossible matches for possessive repeats of look-arounds, where carbon-ts
 * does what the construct means.
 *
 * Known, documented differences that remain:
 * - Unicode tables: Python 3.11 uses Unicode 14, Node 20 a later version, so `\w`/`\d` and case
 *   folding differ for characters assigned since then.
 * - With IGNORECASE and the ASCII flag together, JS still folds the two non-ASCII letters that fold to
 *   ASCII (U+017F ſ → s, U+212A K → k); Python does not.
 * - A capture group inside a repeated group keeps its last value in Python but is reset by JS at each
 *   iteration where it does not participate (e.g. `(?:(a)|b)+` on "ab").
 * - Repeating something that can match empty (`(a*)*`, `(;??)+`; flagged as `emptyLoop`): Python
 *   accepts one empty iteration and stops looping, JS rejects it and backtracks into the repeated
 *   part for a non-empty alternative, so the match and its groups can differ.
 * - re.sub's rule after an empty match (retry at the same position, non-empty only) IS reproduced
 *   by compilePythonSub(); String.replace() with translatePythonReplacement() does not.
 * - V8 tries search positions between the two halves of an astral character (emoji) for patterns
 *   that begin with a negative look-behind and can match empty (`\B` on "x😀" matches inside the
 *   emoji, Python after it); a V8 quirk that no guard in the pattern avoids.
 */
import { hasEmptyLoop } from './python-regex-ast.js';
import { type EmittedPattern, emitPattern } from './python-regex-emit.js';
import { PythonRegexError } from './python-regex-error.js';
import { PY_SIMPLE_ESCAPES, parseFlagLetters, parsePythonPattern } from './python-regex-parser.js';

export { PythonRegexError } from './python-regex-error.js';

export interface TranslatedRegex {
  /**
   * JavaScript pattern source, for the flags below. When `hiddenGroups` is true (atomic groups,
   * possessive quantifiers) it holds capture groups of its own: build the RegExp with
   * toPythonRegExp(), which numbers groups as Python does.
   */
  source: string;
  hiddenGroups: boolean;
  /** JS group numbers of Python's groups 1, 2, … in `source`. */
  visibleGroups: readonly number[];
  /**
   * re.sub's retry after an empty match: matches only where it is tried (with the `y` flag) and
   * never empty there. Build with toPythonRegExp(t, 'y', true).
   */
  nonEmpty: EmittedPattern;
  /** `u`, or `iu` when the Python pattern is case-insensitive. */
  flags: string;
  /**
   * The pattern repeats something that can match empty (e.g. `(a*)*`): Python and JavaScript may
   * then disagree on the match or its groups (see the file comment). Callers may warn about it.
   */
  emptyLoop: boolean;
  groupCount: number;
  groupNames: ReadonlyMap<string, number>;
}

/** How the regex is applied, as Python's re.search / re.match / re.fullmatch. */
export type PythonMatchMode = 'search' | 'match' | 'fullmatch';

/**
 * Translates a Python pattern. `flags` holds Python flag letters as for re.compile
 * (`i` = re.IGNORECASE, `m`, `s`, `x`, `a`, `u`).
 */
export function translatePythonRegex(pattern: string, flags = '', mode: PythonMatchMode = 'search'): TranslatedRegex {
  const parsed = parsePythonPattern(pattern, parseFlagLetters(pattern, flags));
  const emitted = emitPattern(parsed.root);
  let source = emitted.source;
  // At the start, capture the rest of the string; at the end, refuse to be followed by exactly that
  // rest — which only happens when nothing was consumed.
  const inner = emitPattern(parsed.root, 1);
  const nonEmpty: EmittedPattern = { ...inner, source: `(?=([^]*))(?:${inner.source})(?!\\1$)`, hasHiddenGroups: true };
  if (mode === 'match') source = `^(?:${source})`;
  else if (mode === 'fullmatch') source = `^(?:${source})$`;
  const jsFlags = parsed.flags.ignoreCase ? 'iu' : 'u';
  try {
    new RegExp(source, jsFlags);
  } catch (e) {
    throw new PythonRegexError(pattern, `translation is not a valid JavaScript regex (${(e as Error).message})`, null, false);
  }
  return { source, hiddenGroups: emitted.hasHiddenGroups, visibleGroups: emitted.visibleGroups, nonEmpty, flags: jsFlags, emptyLoop: hasEmptyLoop(parsed.root), groupCount: parsed.groupCount, groupNames: parsed.groupNames };
}

/**
 * A RegExp that matches what Python's `re.compile(pattern, flags)` matches. Use `.test(name)` for
 * `re.search` (the default mode), or pass mode 'match' / 'fullmatch' for anchored use.
 * Throws PythonRegexError when Python would reject the pattern or JavaScript cannot express it.
 */
export function compilePythonRegex(pattern: string, flags = '', mode: PythonMatchMode = 'search'): RegExp {
  return toPythonRegExp(translatePythonRegex(pattern, flags, mode));
}

/**
 * A RegExp whose exec() results show only Python's groups, for sources that hold capture groups
 * of our own. String.prototype.replace/match/matchAll and test() all go through exec().
 */
class PythonGroupsRegExp extends RegExp {
  constructor(
    source: string,
    flags: string,
    private readonly visible: readonly number[],
  ) {
    super(source, flags);
  }
  // Derived RegExps (split) are plain: they cannot know which groups to hide.
  static override get [Symbol.species](): RegExpConstructor {
    return RegExp;
  }
  override exec(s: string): RegExpExecArray | null {
    const m = super.exec(s);
    if (m === null) return null;
    const out = [m[0], ...this.visible.map((i) => m[i])] as unknown as RegExpExecArray;
    out.index = m.index;
    out.input = m.input;
    out.groups = m.groups;
    return out;
  }
}

/** The RegExp for a translation, with `extraFlags` (e.g. 'g', 'y'); groups numbered as in Python. */
export function toPythonRegExp(t: TranslatedRegex, extraFlags = '', nonEmpty = false): RegExp {
  const flags = t.flags + extraFlags;
  if (nonEmpty) return new PythonGroupsRegExp(t.nonEmpty.source, flags, t.nonEmpty.visibleGroups);
  return t.hiddenGroups ? new PythonGroupsRegExp(t.source, flags, t.visibleGroups) : new RegExp(t.source, flags);
}

const OCT = '01234567';
const DEC = '0123456789';

/** A parsed replacement template: literal text, or a group by number (0 = whole match) or name. */
export type TemplatePart = string | { group: number } | { name: string };

/**
 * Parses a Python `re.sub` replacement template as Python's re._parser.parse_template does:
 * `\1`…`\99` and `\g<n>`/`\g<name>` are groups, `\n`, `\t`, `\\`, `\a`, `\b`, `\f`, `\r`, `\v` and
 * octal `\0`/`\ooo` are characters, a backslash before an unknown ASCII letter is an error, and a
 * backslash before anything else stays as two characters. With `regex`, group references are
 * checked against the pattern as Python checks them.
 */
export function parsePythonTemplate(repl: string, regex?: TranslatedRegex): TemplatePart[] {
  const chars = Array.from(repl);
  const parts: TemplatePart[] = [];
  let literal = '';
  const flush = () => {
    if (literal) parts.push(literal);
    literal = '';
  };
  const fail = (reason: string, pos: number) => new PythonRegexError(repl, reason, pos, true);
  const addGroup = (index: number, pos: number) => {
    if (regex && index > regex.groupCount) throw fail(`invalid group reference ${index}`, pos);
    flush();
    parts.push({ group: index });
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch !== '\\') {
      literal += ch;
      continue;
    }
    const c = chars[i + 1];
    if (c === undefined) throw fail('bad escape (end of pattern)', i);
    const start = i;
    i++;
    if (c === 'g') {
      if (chars[i + 1] !== '<') throw fail('missing <', i + 1);
      const close = chars.indexOf('>', i + 2);
      if (close < 0) throw fail('missing >, unterminated name', i + 2);
      const name = chars.slice(i + 2, close).join('');
      if (!name) throw fail('missing group name', i + 2);
      i = close;
      if (/^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(name)) {
        if (regex && !regex.groupNames.has(name)) throw new PythonRegexError(repl, `unknown group name '${name}'`, start, true);
        flush();
        parts.push({ name });
      } else if (/^\d+$/.test(name)) {
        addGroup(Number(name), start + 3);
      } else {
        throw fail(`bad character in group name '${name}'`, start + 3);
      }
    } else if (c === '0') {
      let digits = '0';
      while (digits.length < 3 && chars[i + 1] !== undefined && OCT.includes(chars[i + 1]!)) digits += chars[++i];
      literal += String.fromCodePoint(parseInt(digits, 8) & 0xff);
    } else if (DEC.includes(c)) {
      let digits = c;
      if (chars[i + 1] !== undefined && DEC.includes(chars[i + 1]!)) {
        digits += chars[++i];
        if (OCT.includes(digits[0]!) && OCT.includes(digits[1]!) && chars[i + 1] !== undefined && OCT.includes(chars[i + 1]!)) {
          digits += chars[++i];
          const v = parseInt(digits, 8);
          if (v > 0o377) throw fail(`octal escape value \\${digits} outside of range 0-0o377`, start);
          literal += String.fromCodePoint(v);
          continue;
        }
      }
      addGroup(Number(digits), start + 1);
    } else if (PY_SIMPLE_ESCAPES[c] !== undefined) {
      literal += String.fromCodePoint(PY_SIMPLE_ESCAPES[c]!);
    } else if (/^[A-Za-z]$/.test(c)) {
      throw fail(`bad escape \\${c}`, start);
    } else {
      literal += '\\' + c;
    }
  }
  flush();
  return parts;
}

/**
 * The template as a JavaScript replacement string for String.prototype.replace: groups become
 * `$01`…`$99`, `$&`, `$<name>`; `$` is doubled. Note that replace() differs from Python's re.sub
 * after empty matches; compilePythonSub() does not.
 */
export function translatePythonReplacement(repl: string, regex?: TranslatedRegex): string {
  let out = '';
  for (const p of parsePythonTemplate(repl, regex)) {
    if (typeof p === 'string') out += p.replace(/\$/g, '$$$$');
    else if ('name' in p) out += `$<${p.name}>`;
    else if (p.group === 0) out += '$&';
    else if (p.group < 100) out += '$' + String(p.group).padStart(2, '0');
    else throw new PythonRegexError(repl, `group reference ${p.group} is above 99, which JavaScript replacements cannot express`, null, false);
  }
  return out;
}

function expandTemplate(parts: readonly TemplatePart[], m: RegExpExecArray): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if ('name' in p) out += m.groups?.[p.name] ?? '';
    else out += m[p.group] ?? '';
  }
  return out;
}

/**
 * Python's `re.sub(pattern, repl, s, count)` as a function of `s`: the first `count` (0 = all)
 * non-overlapping matches replaced, with Python 3.7+'s rule for empty matches — after an empty
 * match at a position, the next match may start there only if it is not empty (so `a*?` on "a"
 * gives "XXX" as in Python, where String.replace would give "XaX").
 */
export function compilePythonSub(pattern: string, repl: string, flags = '', count = 0): (s: string) => string {
  const t = translatePythonRegex(pattern, flags);
  const parts = parsePythonTemplate(repl, t);
  const search = toPythonRegExp(t, 'g');
  const nonEmptyHere = toPythonRegExp(t, 'y', true);
  return (s: string): string => {
    let out = '';
    let last = 0;
    let pos = 0;
    let n = 0;
    let mustAdvance = false;
    while (count <= 0 || n < count) {
      let m: RegExpExecArray | null = null;
      if (mustAdvance) {
        nonEmptyHere.lastIndex = pos;
        m = nonEmptyHere.exec(s);
        if (m === null) {
          if (pos >= s.length) break;
          search.lastIndex = pos + (s.codePointAt(pos)! > 0xffff ? 2 : 1);
          m = search.exec(s);
        }
      } else {
        search.lastIndex = pos;
        m = search.exec(s);
      }
      if (m === null) break;
      const b = m.index;
      const e = b + m[0].length;
      out += s.slice(last, b) + expandTemplate(parts, m);
      last = e;
      n++;
      mustAdvance = e === b;
      pos = e;
    }
    return out + s.slice(last);
  };
}
