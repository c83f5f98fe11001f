/**
 * The parse tree of a Python `re` pattern, as src/regex/python-regex-parser.ts builds it. It mirrors
 * the node kinds of CPython's re/_parser.py closely enough that the same validity rules (nothing to
 * repeat, fixed-width look-behind, group references) can be checked on it before it is emitted as a
 * JavaScript pattern.
 */

/** The Python flags that change how a token matches; `x` only changes parsing, so it is not here. */
export interface ScopeFlags {
  ignoreCase: boolean;
  multiline: boolean;
  dotAll: boolean;
  ascii: boolean;
}

/** `\d \D \s \S \w \W` */
export type CategoryName = 'd' | 'D' | 's' | 'S' | 'w' | 'W';

export type ClassItem =
  | { kind: 'range'; lo: number; hi: number }
  | { kind: 'category'; name: CategoryName; ascii: boolean };

export type Node =
  | { kind: 'literal'; cp: number }
  | { kind: 'any'; dotAll: boolean }
  | { kind: 'class'; negate: boolean; items: ClassItem[] }
  | { kind: 'category'; name: CategoryName; ascii: boolean }
  /** `^ $ \A \Z \b \B`; `multiline` and `ascii` are the flags in force where it appears. */
  | { kind: 'anchor'; which: 'bol' | 'eol' | 'bos' | 'eos' | 'boundary' | 'nonBoundary'; multiline: boolean; ascii: boolean }
  | { kind: 'group'; index: number | null; name: string | null; body: Node }
  | { kind: 'look'; behind: boolean; negate: boolean; body: Node }
  /** `possessive` (`*+`, `++`, `?+`, `{m,n}+`) never gives back what it matched, like `(?>X*)`. */
  | { kind: 'repeat'; min: number; max: number; lazy: boolean; possessive: boolean; body: Node }
  /** `(?>...)`: once matched, never backtracked into. */
  | { kind: 'atomic'; body: Node }
  | { kind: 'backref'; index: number }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; branches: Node[] };

/** Python's MAXREPEAT on 64-bit builds: a repeat bound at or above it is "too large". */
export const PY_MAXREPEAT = 4294967295;

/** Fewest characters a node can match (back-references counted as 0, which errs towards 0). */
export function minWidth(n: Node): number {
  switch (n.kind) {
    case 'literal':
    case 'any':
    case 'class':
    case 'category':
      return 1;
    case 'anchor':
    case 'look':
    case 'backref':
      return 0;
    case 'group':
    case 'atomic':
      return minWidth(n.body);
    case 'repeat':
      return n.min === 0 ? 0 : minWidth(n.body) * n.min;
    case 'seq':
      return n.items.reduce((a, i) => a + minWidth(i), 0);
    case 'alt':
      return Math.min(...n.branches.map(minWidth));
  }
}

/**
 * True when some repetition beyond its minimum count has a body able to match the empty string
 * (`(a*)*`, `(;??)+`). Python accepts one empty iteration and stops looping; JavaScript rejects the
 * empty iteration and backtracks, so matches and captures can differ on such patterns. `X?` is not
 * counted: the emitter writes it as `(?:X|)`, which behaves as in Python.
 */
export function hasEmptyLoop(n: Node): boolean {
  switch (n.kind) {
    case 'repeat':
      return (n.max > n.min && !(n.min === 0 && n.max === 1) && minWidth(n.body) === 0) || hasEmptyLoop(n.body);
    case 'group':
    case 'look':
    case 'atomic':
      return hasEmptyLoop(n.body);
    case 'seq':
      return n.items.some(hasEmptyLoop);
    case 'alt':
      return n.branches.some(hasEmptyLoop);
    default:
      return false;
  }
}
