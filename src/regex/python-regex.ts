/**
 * Python `re` patterns, as carbon's config files hold them, turned into JavaScript RegExps that match
 * exactly what Python matches — or refused with the reason (PythonRegexError). See
 * python-regex-emit.ts for how each construct is translated, and python-regex-parser.ts for what
 * is refused.
 *
 * Known, documented differences that remain:
 * - Unicode tables: Python 3.11 uses Unicode 14, Node 20 a later version, so `\w`/`\d` and case
 *   folding differ for characters assigned since then.
 * - With IGNORECASE and the ASCII flag together, JS still folds the two non-ASCII letters that fold to
 *   ASCII (U+017F ſ → s, U+212A K → k); Python does not.
 * - A capture group inside a repeated group keeps its last value in Python but is reset by JS at each
 *   iteration where it does not participate (e.g. `(?:(a)|b)+` on "ab"), and JS refuses an empty
 *   iteration of a repeated group that Python performs once (`(a*)*` on "" captures "" in Python).
 * - re.sub after an empty match: Python retries at the same position demanding a non-empty match
 *   (so `a*?` on "a" gives "XXX"), JS moves one character on ("XaX"). Only patterns that can match
 *   both empty and non-empty at one position with the empty match preferred (lazy quantifiers,
 *   `|a`) are affected.
 * - V8 tries search positions between the two halves of an astral character (emoji) for patterns
 *   that begin with a negative look-behind and can match empty (`\B` on "x😀" matches inside the
 *   emoji, Python after it); a V8 quirk that no guard in the pattern avoids.
 */
import { emitNode } from './python-regex-emit.js';
import { PythonRegexError } from './python-regex-error.js';
import { PY_SIMPLE_ESCAPES, parseFlagLetters, parsePythonPattern } from './python-regex-parser.js';

export { PythonRegexError } from './python-regex-error.js';

export interface TranslatedRegex {
  /** JavaScript pattern source, for the flags below. */
  source: string;
  /** `u`, or `iu` when the Python pattern is case-insensitive. */
  flags: string;
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
  let source = emitNode(parsed.root);
  if (mode === 'match') source = `^(?:${source})`;
  else if (mode === 'fullmatch') source = `^(?:${source})$`;
  const jsFlags = parsed.flags.ignoreCase ? 'iu' : 'u';
  try {
    new RegExp(source, jsFlags);
  } catch (e) {
    throw new PythonRegexError(pattern, `translation is not a valid JavaScript regex (${(e as Error).message})`, null, false);
  }
  return { source, flags: jsFlags, groupCount: parsed.groupCount, groupNames: parsed.groupNames };
}

/**
 * A RegExp that matches what Python's `re.compile(pattern, flags)` matches. Use `.test(name)` for
 * `re.search` (the default mode), or pass mode 'match' / 'fullmatch' for anchored use.
 * Throws PythonRegexError when Python would reject the pattern or JavaScript cannot express it.
 */
export function compilePythonRegex(pattern: string, flags = '', mode: PythonMatchMode = 'search'): RegExp {
  const t = translatePythonRegex(pattern, flags, mode);
  return new RegExp(t.source, t.flags);
}

const OCT = '01234567';
const DEC = '0123456789';

/**
 * Translates a Python `re.sub` replacement template into a JavaScript replacement string:
 * `\1`…`\99` and `\g<n>` become `$01`…`$99`, `\g<0>` becomes `$&`, `\g<name>` becomes `$<name>`,
 * `\n`, `\t`, `\\`, octal `\0`/`\ooo` become the characters, a backslash before any other non-letter is
 * kept as two characters (as Python does), and `$` is doubled. Pass the translated regex to have
 * group references checked as Python checks them.
 */
export function translatePythonReplacement(repl: string, regex?: TranslatedRegex): string {
  const chars = Array.from(repl);
  let out = '';
  const fail = (reason: string, pos: number) => new PythonRegexError(repl, reason, pos, true);
  const addGroup = (index: number, pos: number) => {
    if (regex && index > regex.groupCount) throw fail(`invalid group reference ${index}`, pos);
    if (index === 0) out += '$&';
    else if (index < 100) out += '$' + String(index).padStart(2, '0');
    else throw new PythonRegexError(repl, `group reference ${index} is above 99, which JavaScript replacements cannot express`, pos, false);
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch !== '\\') {
      out += ch === '$' ? '$$' : ch;
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
        out += `$<${name}>`;
      } else if (/^\d+$/.test(name)) {
        addGroup(Number(name), start + 3);
      } else {
        throw fail(`bad character in group name '${name}'`, start + 3);
      }
    } else if (c === '0') {
      let digits = '0';
      while (digits.length < 3 && chars[i + 1] !== undefined && OCT.includes(chars[i + 1]!)) digits += chars[++i];
      out += literalForReplacement(parseInt(digits, 8) & 0xff);
    } else if (DEC.includes(c)) {
      let digits = c;
      if (chars[i + 1] !== undefined && DEC.includes(chars[i + 1]!)) {
        digits += chars[++i];
        if (OCT.includes(digits[0]!) && OCT.includes(digits[1]!) && chars[i + 1] !== undefined && OCT.includes(chars[i + 1]!)) {
          digits += chars[++i];
          const v = parseInt(digits, 8);
          if (v > 0o377) throw fail(`octal escape value \\${digits} outside of range 0-0o377`, start);
          out += literalForReplacement(v);
          continue;
        }
      }
      addGroup(Number(digits), start + 1);
    } else if (PY_SIMPLE_ESCAPES[c] !== undefined) {
      out += literalForReplacement(PY_SIMPLE_ESCAPES[c]!);
    } else if (/^[A-Za-z]$/.test(c)) {
      throw fail(`bad escape \\${c}`, start);
    } else {
      out += '\\' + (c === '$' ? '$$' : c);
    }
  }
  return out;
}

function literalForReplacement(cp: number): string {
  const s = String.fromCodePoint(cp);
  return s === '$' ? '$$' : s;
}

/**
 * Python's `re.sub(pattern, repl, s, count)` as a function of `s`: every non-overlapping match
 * (count = 0) or the first `count`, replaced with Python's template semantics.
 */
export function compilePythonSub(pattern: string, repl: string, flags = '', count = 0): (s: string) => string {
  const t = translatePythonRegex(pattern, flags);
  const jsRepl = translatePythonReplacement(repl, t);
  if (count <= 0) {
    const re = new RegExp(t.source, t.flags + 'g');
    return (s) => s.replace(re, jsRepl);
  }
  const re = new RegExp(t.source, t.flags + 'g');
  return (s) => {
    let n = 0;
    return s.replace(re, (...args: unknown[]) => {
      const matched = args[0] as string;
      if (n++ >= count) return matched;
      // Re-run the single match with the template: replace() on the matched text alone would lose
      // look-around context, so expand the template by hand from the match's groups instead.
      return expandTemplate(jsRepl, args);
    });
  };
}

/** Expands a JS replacement string (as produced above) for one match given replace()'s arguments. */
function expandTemplate(tpl: string, args: unknown[]): string {
  const last = args[args.length - 1];
  const hasNamed = typeof last === 'object' && last !== null;
  const groups = (hasNamed ? last : {}) as Record<string, string | undefined>;
  const captures = args.slice(0, hasNamed ? args.length - 3 : args.length - 2) as (string | undefined)[];
  return tpl.replace(/\$(\$|&|\d\d|<([^>]*)>)/g, (_m, what: string, name: string | undefined) => {
    if (what === '$') return '$';
    if (what === '&') return captures[0] ?? '';
    if (name !== undefined) return groups[name] ?? '';
    return captures[Number(what)] ?? '';
  });
}
