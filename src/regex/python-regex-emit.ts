/**
 * Writes a parsed Python pattern (python-regex-ast.ts) as JavaScript RegExp source for the `u` flag
 * (plus `i` when the pattern is case-insensitive). Every construct is spelled out so that it means
 * what it meant in Python rather than what the same characters mean in JavaScript:
 *
 * - `.` is `[^\n]` (Python excludes only `\n`; JS also excludes `\r`, U+2028, U+2029), `[^]` under DOTALL.
 * - `$` is `(?=\n?$)` (Python also matches before a final newline); under MULTILINE `^`/`$` are
 *   lookarounds on `\n` only, because JS's `m` flag also breaks lines at `\r`, U+2028 and U+2029.
 * - `\d \w \s` follow Python's Unicode definitions for str patterns: `\d` = `\p{Nd}`, `\w` =
 *   `[\p{L}\p{N}_]` (identical to Python's str.isalnum()+`_` apart from characters added in later Unicode
 *   versions), `\s` = exactly the characters Python's str.isspace() accepts (JS's `\s` differs: it has
 *   U+FEFF and lacks U+001C–U+001F and U+0085). With the ASCII flag they are the ASCII sets.
 * - `\b`/`\B` are built from that `\w` (JS's `\b` is ASCII-only); Python 3.11's `\B` never matches in
 *   an empty string.
 * - Known remaining differences are listed in python-regex.ts.
 * - Back-references are wrapped in `(?:\N)` so a following digit cannot extend the number.
 * - Repeated look-arounds (legal in Python) are wrapped in `(?:...)`, which JS requires.
 */
import type { CategoryName, ClassItem, Node } from './python-regex-ast.js';
import { PY_MAXREPEAT, minWidth } from './python-regex-ast.js';

const MAX_CP = 0x10ffff;

type Range = [number, number];

/** Characters for which Python 3.11's str.isspace() is true (what `\s` matches in a str pattern). */
const UNICODE_SPACE: Range[] = [
  [0x09, 0x0d],
  [0x1c, 0x20],
  [0x85, 0x85],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];
const ASCII_SPACE: Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
];
const ASCII_DIGIT: Range[] = [[0x30, 0x39]];
const ASCII_WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const UNICODE_WORD_BODY = '\\p{L}\\p{N}_';

function complement(ranges: Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

/** A code point written so that it is literal both inside and outside a class under the `u` flag. */
function literalChar(cp: number, inClass: boolean): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f) {
    return String.fromCodePoint(cp);
  }
  const ch = String.fromCodePoint(cp);
  if ('^$\\.*+?()[]{}|/'.includes(ch) || (inClass && ch === '-')) return '\\' + ch;
  if (cp >= 0x20 && cp < 0x7f) return ch;
  return `\\u{${cp.toString(16)}}`;
}

function rangesBody(ranges: Range[]): string {
  let s = '';
  for (const [lo, hi] of ranges) {
    s += literalChar(lo, true);
    if (hi > lo) s += (hi > lo + 1 ? '-' : '') + literalChar(hi, true);
  }
  return s;
}

/**
 * A category as class-body text. `negatedBody` is set only for Unicode `\W`, which cannot be
 * written as a class body (it is the complement of a union of properties) and needs lookarounds.
 */
function categoryBody(name: CategoryName, ascii: boolean): { body: string } | { negatedBody: string } {
  switch (name) {
    case 'd':
      return { body: ascii ? rangesBody(ASCII_DIGIT) : '\\p{Nd}' };
    case 'D':
      return { body: ascii ? rangesBody(complement(ASCII_DIGIT)) : '\\P{Nd}' };
    case 's':
      return { body: rangesBody(ascii ? ASCII_SPACE : UNICODE_SPACE) };
    case 'S':
      return { body: rangesBody(complement(ascii ? ASCII_SPACE : UNICODE_SPACE)) };
    case 'w':
      return { body: ascii ? rangesBody(ASCII_WORD) : UNICODE_WORD_BODY };
    case 'W':
      return ascii ? { body: rangesBody(complement(ASCII_WORD)) } : { negatedBody: UNICODE_WORD_BODY };
  }
}

function emitClass(negate: boolean, items: ClassItem[]): string {
  let body = '';
  const negatedBodies: string[] = [];
  for (const it of items) {
    if (it.kind === 'range') {
      body += literalChar(it.lo, true);
      if (it.hi > it.lo) body += '-' + literalChar(it.hi, true);
    } else {
      const c = categoryBody(it.name, it.ascii);
      if ('body' in c) body += c.body;
      else negatedBodies.push(c.negatedBody);
    }
  }
  if (negatedBodies.length === 0) return negate ? `[^${body}]` : `[${body}]`;
  if (!negate) {
    // x ∈ body ∪ ¬A ∪ ¬B …
    const alts = negatedBodies.map((b) => `[^${b}]`);
    if (body) alts.unshift(`[${body}]`);
    return `(?:${alts.join('|')})`;
  }
  // x ∉ body ∪ ¬A ∪ ¬B …  ⇔  x ∉ body ∧ x ∈ A ∧ x ∈ B …
  let s = body ? `(?![${body}])` : '';
  for (let i = 0; i < negatedBodies.length - 1; i++) s += `(?=[${negatedBodies[i]}])`;
  return `(?:${s}[${negatedBodies[negatedBodies.length - 1]}])`;
}

function wordClass(ascii: boolean): string {
  return ascii ? `[${rangesBody(ASCII_WORD)}]` : `[${UNICODE_WORD_BODY}]`;
}

function emitAnchor(n: Extract<Node, { kind: 'anchor' }>): string {
  switch (n.which) {
    case 'bos':
      return '^';
    case 'eos':
      return '$';
    case 'bol':
      return n.multiline ? '(?:^|(?<=\\n))' : '^';
    case 'eol':
      return n.multiline ? '(?=\\n|$)' : '(?=\\n?$)';
    case 'boundary': {
      const w = wordClass(n.ascii);
      return `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
    }
    case 'nonBoundary': {
      const w = wordClass(n.ascii);
      return `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w})(?!^$))`;
    }
  }
}

/** True when the emitted text is one atom a quantifier can follow directly. */
function isAtom(n: Node): boolean {
  return n.kind === 'literal' || n.kind === 'any' || n.kind === 'class' || n.kind === 'group' || n.kind === 'atomic' || n.kind === 'backref' || (n.kind === 'category' && !(n.name === 'W' && !n.ascii));
}

/** Emitted JavaScript source plus how its capture groups relate to Python's. */
export interface EmittedPattern {
  source: string;
  /** JS group numbers, in order, that correspond to Python's groups 1, 2, … (the others are ours). */
  visibleGroups: number[];
  /** True when the source has capture groups of our own that callers must not see. */
  hasHiddenGroups: boolean;
}

/**
 * Writes the tree as JavaScript source. Atomic groups and possessive quantifiers become
 * `(?=(X))\k` — a look-ahead cannot be backtracked into, and the back-reference consumes what it
 * matched — which needs a capture group of our own; `leadingHiddenGroups` reserves more of them at
 * the front (re.sub's retry pattern). Back-references are renumbered to the JS groups.
 */
export function emitPattern(root: Node, leadingHiddenGroups = 0): EmittedPattern {
  let jsCount = leadingHiddenGroups;
  let hidden = leadingHiddenGroups;
  const jsIndexOf = new Map<number, number>();

  const repeatSuffix = (n: Extract<Node, { kind: 'repeat' }>): string => {
    let q: string;
    if (n.min === 0 && n.max === PY_MAXREPEAT) q = '*';
    else if (n.min === 1 && n.max === PY_MAXREPEAT) q = '+';
    else if (n.min === 0 && n.max === 1) q = '?';
    else if (n.max === PY_MAXREPEAT) q = `{${n.min},}`;
    else if (n.min === n.max) q = `{${n.min}}`;
    else q = `{${n.min},${n.max}}`;
    return q + (n.lazy ? '?' : '');
  };

  let lookbehindDepth = 0;
  /**
   * `(?=(X))\k`: X matched once, as a whole, never re-entered on backtracking. Inside a
   * look-behind (matched backwards by JS) a plain group is used instead: Python only allows
   * fixed-width look-behinds, where every way of matching X covers the same characters, so
   * atomicity cannot change the outcome.
   */
  const atomic = (inner: () => string): string => {
    if (lookbehindDepth > 0) return `(?:${inner()})`;
    const k = ++jsCount;
    hidden++;
    return `(?:(?=(${inner()}))\\${k})`;
  };

  const emit = (n: Node): string => {
    switch (n.kind) {
      case 'literal':
        return literalChar(n.cp, false);
      case 'any':
        return n.dotAll ? '[^]' : '[^\\n]';
      case 'class':
        return emitClass(n.negate, n.items);
      case 'category': {
        const c = categoryBody(n.name, n.ascii);
        return 'body' in c ? `[${c.body}]` : `[^${c.negatedBody}]`;
      }
      case 'anchor':
        return emitAnchor(n);
      case 'group': {
        if (n.index === null) return `(?:${emit(n.body)})`;
        jsIndexOf.set(n.index, ++jsCount);
        const body = emit(n.body);
        return n.name !== null ? `(?<${n.name}>${body})` : `(${body})`;
      }
      case 'look': {
        if (n.behind) lookbehindDepth++;
        const body = emit(n.body);
        if (n.behind) lookbehindDepth--;
        return `(?${n.behind ? '<' : ''}${n.negate ? '!' : '='}${body})`;
      }
      case 'atomic':
        return atomic(() => emit(n.body));
      case 'backref':
        return `(?:\\${jsIndexOf.get(n.index)!})`;
      case 'seq':
        return n.items.map(emit).join('');
      case 'alt':
        return n.branches.map(emit).join('|');
      case 'repeat': {
        const build = (): string => {
          const body = emit(n.body);
          // An optional part that can match empty: JS's `?` would skip an empty match of it and
          // backtrack for a non-empty one; Python takes the empty match. Alternation keeps
          // Python's order.
          if (n.min === 0 && n.max === 1 && minWidth(n.body) === 0) return n.lazy ? `(?:|${body})` : `(?:${body}|)`;
          return (isAtom(n.body) ? body : `(?:${body})`) + repeatSuffix(n);
        };
        return n.possessive ? atomic(build) : build();
      }
    }
  };

  const source = emit(root);
  const visibleGroups = [...jsIndexOf.keys()].sort((x, y) => x - y).map((py) => jsIndexOf.get(py)!);
  return { source, visibleGroups, hasHiddenGroups: hidden > 0 };
}
