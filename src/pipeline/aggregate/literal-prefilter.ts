/**
 * What literal text every match of a Python regex must contain, read off the pattern conservatively
 * so rule sets can skip regexes that cannot match a name. Only top-level atoms count; anything unsure
 * (alternation, inline flags, quantified atoms, groups, classes) contributes nothing, so a prefilter
 * built from this may let a non-matching name through but never rejects a matching one.
 */
export interface RequiredLiterals {
  /** Text a match must start with (for start-anchored use: `re.match`). */
  readonly prefix: string;
  /** Text that must occur somewhere in the subject (including the prefix). */
  readonly required: readonly string[];
}

const NONE: RequiredLiterals = { prefix: '', required: [] };
const QUANTIFIER_BRACE = /^\{\d*(?:,\d*)?\}/;

export function requiredLiterals(pythonPattern: string): RequiredLiterals {
  if (pythonPattern.includes('|')) return NONE; // conservative: an escaped \| also lands here
  if (/\(\?[aiLmsux-]/.test(pythonPattern)) return NONE; // inline flags can change case sensitivity
  const runs: string[] = [];
  let run = '';
  let prefix: string | null = null;
  let atStart = true;
  const endRun = (): void => {
    if (atStart) prefix = run;
    atStart = false;
    if (run) runs.push(run);
    run = '';
  };
  const s = pythonPattern;
  let i = 0;
  while (i < s.length) {
    // Read one atom: a literal character or something opaque.
    let literal: string | null = null;
    const c = s[i];
    if (c === '\\') {
      const n = s[i + 1] ?? '';
      literal = /[^a-zA-Z0-9]/.test(n) && n !== '' ? n : null;
      i += 2;
    } else if (c === '[') {
      let j = i + 1;
      if (s[j] === '^') j++;
      if (s[j] === ']') j++;
      while (j < s.length && s[j] !== ']') j += s[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < s.length; j++) {
        if (s[j] === '\\') j++;
        else if (s[j] === '(') depth++;
        else if (s[j] === ')' && --depth === 0) break;
      }
      i = j + 1;
    } else if ('.^$'.includes(c)) {
      i++;
    } else if ('*+?{})]'.includes(c)) {
      return NONE; // quantifier with nothing before it, or an unbalanced construct: give up
    } else {
      literal = c;
      i++;
    }
    // A quantifier after the atom: only `+` keeps one copy required.
    const q = s[i];
    let quantified = false;
    let keepsOne = false;
    if (q === '*' || q === '?' || q === '+') {
      quantified = true;
      keepsOne = q === '+';
      i++;
    } else if (q === '{' && QUANTIFIER_BRACE.test(s.slice(i))) {
      quantified = true;
      i += QUANTIFIER_BRACE.exec(s.slice(i))![0].length;
    }
    if (quantified && (s[i] === '?' || s[i] === '+')) i++; // lazy / possessive suffix
    if (literal !== null && (!quantified || keepsOne)) {
      run += literal;
      if (quantified) endRun();
    } else {
      endRun();
    }
  }
  endRun();
  return { prefix: prefix ?? '', required: runs };
}
