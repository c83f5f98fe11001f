/**
 * The one place this part turns Python regex text into JavaScript. Aggregation patterns and rewrite
 * rules both come through here, so switching to the project's translator (src/regex/python-regex.ts)
 * is a one-file change.
 *
 * Until that lands this holds a small translation of the constructs carbon rule files use:
 * `(?P<n>…)`, `(?P=n)`, Python `$` (also before a final newline), `\A`, `\Z`, and leading inline
 * flags `(?i)`/`(?s)`/`(?m)`/`(?x)`-free patterns. Anything it cannot vouch for is rejected with a
 * reason rather than passed to RegExp unchanged.
 */
export class PythonPatternError extends Error {
  override name = 'PythonPatternError';
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`cannot use Python regex ${JSON.stringify(pattern)}: ${reason}`);
  }
}

/** Characters JavaScript's `u` mode lets (and needs) a backslash to escape. */
const JS_SYNTAX = '^$\\\\.*+?()[]{}|/';

const FLAG_MAP: Record<string, string> = { i: 'i', s: 's', m: 'm' };

/** Compiles a Python pattern; `anchoredAtStart` gives `re.match` semantics via the sticky flag. */
export function compilePythonPattern(pattern: string, anchoredAtStart = false): RegExp {
  let src = pattern;
  let flags = 'u';
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]) {
      const js = FLAG_MAP[f];
      if (!js) throw new PythonPatternError(pattern, `inline flag (?${f}) has no JavaScript equivalent here`);
      if (!flags.includes(js)) flags += js;
    }
    src = src.slice(lead[0].length);
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new PythonPatternError(pattern, 'bad escape (end of pattern)');
      i++;
      if (!inClass && n === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && n === 'Z') out += '(?![\\s\\S])';
      else if (/[0-9]/.test(n) && !inClass) out += '\\' + n;
      else if (/[a-zA-Z]/.test(n) && !'dDwWsSbBntrfv'.includes(n)) {
        throw new PythonPatternError(pattern, `escape \\${n} is not translated`);
      } else if (/[a-zA-Z0-9]/.test(n)) out += '\\' + n;
      else out += JS_SYNTAX.includes(n) || (inClass && n === '-') ? '\\' + n : n;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      if (src[i + 2] === 'P' && src[i + 3] === '<') {
        out += '(?<';
        i += 3;
        continue;
      }
      if (src[i + 2] === 'P' && src[i + 3] === '=') {
        const close = src.indexOf(')', i);
        if (close < 0) throw new PythonPatternError(pattern, 'missing ), unterminated name');
        out += `\\k<${src.slice(i + 4, close)}>`;
        i = close;
        continue;
      }
      const n = src[i + 2];
      if (n !== ':' && n !== '=' && n !== '!' && n !== '<') {
        throw new PythonPatternError(pattern, `group construct (?${n ?? ''} is not translated`);
      }
    }
    if (c === '$' && !multiline) {
      out += '(?=\\n?(?![\\s\\S]))';
      continue;
    }
    if (c === '{') {
      // Python reads `{m}`, `{m,}`, `{,n}`, `{m,n}` as quantifiers and any other brace literally.
      const q = /^\{(\d*)(?:(,)(\d*))?\}/.exec(src.slice(i));
      if (q && (q[1] !== '' || (q[2] !== undefined && q[3] !== ''))) {
        out += q[2] === undefined ? `{${q[1]}}` : `{${q[1] || '0'},${q[3]}}`;
        i += q[0].length - 1;
      } else out += '\\{';
      continue;
    }
    if (c === '}') {
      out += '\\}';
      continue;
    }
    out += c;
  }
  if (inClass) throw new PythonPatternError(pattern, 'unterminated character set');
  if (anchoredAtStart) flags += 'y';
  try {
    return new RegExp(out, flags);
  } catch (err) {
    throw new PythonPatternError(pattern, (err as Error).message);
  }
}

/** A piece of a Python replacement template: literal text or a group reference. */
type ReplacementPiece = string | number | { name: string };

/**
 * Python `re.sub` replacement text → a function for String.prototype.replace. Handles `\1`..`\99`,
 * `\g<n>`, `\g<name>`, `\g<0>` and Python's character escapes; an unmatched group inserts ''.
 */
export function compilePythonReplacement(repl: string): (match: string, ...rest: unknown[]) => string {
  const pieces: ReplacementPiece[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal) pieces.push(literal);
    literal = '';
  };
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i];
    if (c !== '\\') {
      literal += c;
      continue;
    }
    const n = repl[i + 1];
    if (n === undefined) throw new PythonPatternError(repl, 'bad escape (end of replacement)');
    if (n === 'g') {
      const m = /^\\g<([^>]*)>/.exec(repl.slice(i));
      if (!m) throw new PythonPatternError(repl, 'missing < or > in \\g group reference');
      flush();
      pieces.push(/^\d+$/.test(m[1]) ? Number(m[1]) : { name: m[1] });
      i += m[0].length - 1;
      continue;
    }
    if (/[0-9]/.test(n)) {
      const m = /^\\([0-9]{1,2})/.exec(repl.slice(i))!;
      if (m[1][0] === '0' || /^[0-7]{3}/.test(repl.slice(i + 1))) {
        throw new PythonPatternError(repl, 'octal escapes in replacements are not translated');
      }
      flush();
      pieces.push(Number(m[1]));
      i += m[0].length - 1;
      continue;
    }
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };
    if (n in simple) {
      literal += simple[n];
      i++;
      continue;
    }
    if (/[a-zA-Z]/.test(n)) throw new PythonPatternError(repl, `bad escape \\${n} in replacement`);
    literal += '\\' + n; // Python keeps unknown non-letter escapes verbatim.
    i++;
  }
  flush();
  if (pieces.every((p) => typeof p === 'string')) {
    const text = pieces.join('');
    return () => text;
  }
  return (match: string, ...rest: unknown[]): string => {
    // rest = p1..pN, offset, whole string, [groups object if named groups exist]
    const last = rest[rest.length - 1];
    const hasNamed = typeof last === 'object' && last !== null;
    const groupCount = rest.length - (hasNamed ? 3 : 2);
    let out = '';
    for (const p of pieces) {
      if (typeof p === 'string') out += p;
      else if (typeof p === 'number') {
        if (p === 0) out += match;
        else if (p > groupCount) throw new PythonPatternError(String(p), `invalid group reference ${p}`);
        else out += (rest[p - 1] as string | undefined) ?? '';
      } else {
        const groups = hasNamed ? (last as Record<string, string | undefined>) : undefined;
        if (!groups || !(p.name in groups)) throw new PythonPatternError(p.name, `unknown group name '${p.name}'`);
        out += groups[p.name] ?? '';
      }
    }
    return out;
  };
}
