/**
 * The one place this part turns Python regex text into JavaScript, through the project's translator
 * (src/regex/python-regex.ts): aggregation patterns with `re.match` semantics, rewrite rules with
 * `re.sub` semantics. Errors are PythonRegexError, whose message says whether Python itself rejects
 * the pattern or JavaScript cannot express it.
 */
import { compilePythonSub, toPythonRegExp, translatePythonRegex } from '../../regex/python-regex.js';

export { PythonRegexError } from '../../regex/python-regex.js';

/** A RegExp for Python's `re.compile(pattern)`; `anchoredAtStart` gives `re.match` semantics. */
export function compilePythonPattern(pattern: string, anchoredAtStart = false): RegExp {
  const t = translatePythonRegex(pattern, '', anchoredAtStart ? 'match' : 'search');
  // The sticky flag keeps a failed `match` from scanning the rest of the name. toPythonRegExp keeps
  // Python's group numbers when the translation adds hidden groups (atomic groups, possessive repeats).
  return toPythonRegExp(t, anchoredAtStart ? 'y' : '');
}

/** Python's `re.sub(pattern, replacement, s)` as a function of `s`; group references checked now. */
export function compilePythonSubstitution(pattern: string, replacement: string): (s: string) => string {
  return compilePythonSub(pattern, replacement);
}
