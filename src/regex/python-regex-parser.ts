/**
 * Parses a Python `re` (str) pattern the way CPython 3.11's re/_parser.py does, raising the same
 * errors Python raises (same reason, same position), and producing the tree in python-regex-ast.ts.
 * Constructs that Python accepts but JavaScript cannot express are rejected here too, with
 * `pythonRejects = false`.
 */
import { type CategoryName, type ClassItem, type Node, PY_MAXREPEAT, type ScopeFlags } from './python-regex-ast.js';
import { PythonRegexError } from './python-regex-error.js';

const DIGITS = '0123456789';
const OCTDIGITS = '01234567';
const HEXDIGITS = '0123456789abcdefABCDEF';
const ASCII_LETTERS = /^[A-Za-z]$/;
const VERBOSE_WHITESPACE = ' \t\n\r\v\f';
const FLAG_LETTERS = 'aiLmsux';

/** Simple escapes shared by patterns, classes and replacement templates. */
export const PY_SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
};

/** Python flags as parsed: the scope flags plus verbose. */
export interface ParseFlags extends ScopeFlags {
  verbose: boolean;
}

export interface ParsedPattern {
  root: Node;
  flags: ParseFlags;
  groupCount: number;
  groupNames: Map<string, number>;
}

/** Code-point tokenizer: `next` is one character, or a backslash plus the character after it. */
class Source {
  private index = 0;
  next: string | null = null;
  constructor(
    readonly chars: string[],
    readonly pattern: string,
  ) {
    this.advance();
  }
  private advance(): void {
    const c = this.chars[this.index];
    if (c === undefined) {
      this.next = null;
      return;
    }
    if (c === '\\') {
      const d = this.chars[this.index + 1];
      if (d === undefined) throw this.fail('bad escape (end of pattern)', this.index);
      this.next = c + d;
      this.index += 2;
      return;
    }
    this.next = c;
    this.index += 1;
  }
  get(): string | null {
    const t = this.next;
    this.advance();
    return t;
  }
  match(c: string): boolean {
    if (this.next === c) {
      this.advance();
      return true;
    }
    return false;
  }
  getWhile(n: number, charset: string): string {
    let r = '';
    for (let i = 0; i < n; i++) {
      const c = this.next;
      if (c === null || !charset.includes(c)) break;
      r += c;
      this.advance();
    }
    return r;
  }
  getUntil(terminator: string, what: string): string {
    let r = '';
    for (;;) {
      const c = this.next;
      this.advance();
      if (c === null) {
        if (!r) throw this.fail(`missing ${what}`, this.tell());
        throw this.fail(`missing ${terminator}, unterminated name`, this.tell() - r.length);
      }
      if (c === terminator) {
        if (!r) throw this.fail(`missing ${what}`, this.tell() - 1);
        return r;
      }
      r += c;
    }
  }
  /** Position of `next` (Python's tell()). */
  tell(): number {
    return this.index - (this.next === null ? 0 : this.next.length);
  }
  seek(pos: number): void {
    this.index = pos;
    this.advance();
  }
  fail(reason: string, pos: number | null): PythonRegexError {
    return new PythonRegexError(this.pattern, reason, pos, true);
  }
  unsupported(reason: string, pos: number | null): PythonRegexError {
    return new PythonRegexError(this.pattern, reason, pos, false);
  }
}

/** Python's str.isidentifier(), close enough: JavaScript's ID_Start/ID_Continue are the same sets. */
function isIdentifier(name: string): boolean {
  return /^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(name);
}

interface GroupState {
  count: number; // groups opened so far (Python's state.groups - 1)
  names: Map<string, number>;
  open: Set<number>;
  widths: Map<number, [number, number]>;
  lookbehindGroups: number | null;
}

class Parser {
  private readonly src: Source;
  private readonly groups: GroupState = { count: 0, names: new Map(), open: new Set(), widths: new Map(), lookbehindGroups: null };
  private globalFlags: ParseFlags;

  constructor(
    private readonly pattern: string,
    flags: ParseFlags,
  ) {
    this.src = new Source(Array.from(pattern), pattern);
    this.globalFlags = { ...flags };
  }

  parse(): ParsedPattern {
    const root = this.parseSub(this.globalFlags, 0);
    if (this.src.next !== null) {
      if (this.src.next === ')') throw this.src.fail('unbalanced parenthesis', this.src.tell());
      throw this.src.fail('bad pattern', this.src.tell());
    }
    return { root, flags: this.globalFlags, groupCount: this.groups.count, groupNames: this.groups.names };
  }

  private parseSub(flags: ParseFlags, nested: number): Node {
    const branches: Node[] = [];
    for (;;) {
      branches.push(this.parseSeq(flags, nested + 1, nested === 0 && branches.length === 0));
      if (!this.src.match('|')) break;
    }
    return branches.length === 1 ? branches[0]! : { kind: 'alt', branches };
  }

  private parseSeq(scope: ParseFlags, nested: number, first: boolean): Node {
    const items: Node[] = [];
    const src = this.src;
    let flags = scope;
    for (;;) {
      const here0 = src.tell();
      const t = src.next;
      if (t === null || t === '|' || t === ')') break;
      src.get();
      if (flags.verbose) {
        if (VERBOSE_WHITESPACE.includes(t)) continue;
        if (t === '#') {
          for (;;) {
            const c = src.get();
            if (c === null || c === '\n') break;
          }
          continue;
        }
      }
      if (t[0] === '\\') {
        items.push(this.escape(t, flags, here0));
      } else if (t === '[') {
        items.push(this.charClass(flags, here0));
      } else if (t === '*' || t === '+' || t === '?' || t === '{') {
        const r = this.repeat(t, items, here0);
        if (r === 'literal') items.push({ kind: 'literal', cp: 0x7b });
      } else if (t === '.') {
        items.push({ kind: 'any', dotAll: flags.dotAll });
      } else if (t === '(') {
        const r = this.group(flags, nested, first && items.length === 0, here0);
        if (r === 'globalFlags') {
          flags = this.globalFlags;
          continue;
        }
        if (r !== null) items.push(r);
      } else if (t === '^') {
        items.push({ kind: 'anchor', which: 'bol', multiline: flags.multiline, ascii: flags.ascii });
      } else if (t === '$') {
        items.push({ kind: 'anchor', which: 'eol', multiline: flags.multiline, ascii: flags.ascii });
      } else {
        items.push({ kind: 'literal', cp: t.codePointAt(0)! });
      }
      if (flags.ignoreCase !== this.globalFlags.ignoreCase) {
        throw src.unsupported('case-insensitivity switched on or off for part of the pattern ((?i:...) or (?-i:...)) has no JavaScript equivalent', here0);
      }
    }
    return items.length === 1 ? items[0]! : { kind: 'seq', items };
  }

  /** Returns 'literal' when `{` turned out not to start a quantifier. */
  private repeat(t: string, items: Node[], here0: number): 'literal' | void {
    const src = this.src;
    const here = src.tell();
    let min: number;
    let max: number;
    if (t === '?') [min, max] = [0, 1];
    else if (t === '*') [min, max] = [0, PY_MAXREPEAT];
    else if (t === '+') [min, max] = [1, PY_MAXREPEAT];
    else {
      if (src.next === '}') return 'literal';
      min = 0;
      max = PY_MAXREPEAT;
      let lo = '';
      let hi = '';
      while (src.next !== null && DIGITS.includes(src.next)) lo += src.get();
      if (src.match(',')) {
        while (src.next !== null && DIGITS.includes(src.next)) hi += src.get();
      } else hi = lo;
      if (!src.match('}')) {
        src.seek(here);
        return 'literal';
      }
      if (lo) {
        min = Number(lo);
        if (min >= PY_MAXREPEAT) throw src.fail('the repetition number is too large', here);
      }
      if (hi) {
        max = Number(hi);
        if (max >= PY_MAXREPEAT) throw src.fail('the repetition number is too large', here);
        if (max < min) throw src.fail('min repeat greater than max repeat', here);
      }
    }
    const item = items[items.length - 1];
    if (item === undefined || item.kind === 'anchor') throw src.fail('nothing to repeat', here0);
    if (item.kind === 'repeat') throw src.fail('multiple repeat', here0);
    let lazy = false;
    let possessive = false;
    if (src.match('?')) lazy = true;
    else if (src.match('+')) possessive = true;
    items[items.length - 1] = { kind: 'repeat', min, max, lazy, possessive, body: item };
  }

  /** Returns the group node, null for a comment, or 'globalFlags' for a leading `(?aiLmsux)`. */
  private group(flags: ParseFlags, nested: number, first: boolean, start: number): Node | null | 'globalFlags' {
    const src = this.src;
    let capture = true;
    let name: string | null = null;
    let inner: ParseFlags = flags;
    if (src.match('?')) {
      const c = src.get();
      if (c === null) throw src.fail('unexpected end of pattern', src.tell());
      if (c === 'P') {
        if (src.match('<')) {
          name = src.getUntil('>', 'group name');
          this.checkGroupName(name, 1);
        } else if (src.match('=')) {
          const ref = src.getUntil(')', 'group name');
          this.checkGroupName(ref, 1);
          const gid = this.groups.names.get(ref);
          if (gid === undefined) throw src.fail(`unknown group name '${ref}'`, src.tell() - ref.length - 1);
          this.checkGroupRef(gid, src.tell() - ref.length - 1);
          return { kind: 'backref', index: gid };
        } else {
          const d = src.get();
          if (d === null) throw src.fail('unexpected end of pattern', src.tell());
          throw src.fail(`unknown extension ?P${d}`, src.tell() - d.length - 2);
        }
      } else if (c === ':') {
        capture = false;
      } else if (c === '#') {
        for (;;) {
          if (src.next === null) throw src.fail('missing ), unterminated comment', start);
          if (src.get() === ')') break;
        }
        return null;
      } else if (c === '=' || c === '!' || c === '<') {
        let behind = false;
        let kind = c;
        let savedLookbehind: number | null = null;
        if (c === '<') {
          const d = src.get();
          if (d === null) throw src.fail('unexpected end of pattern', src.tell());
          if (d !== '=' && d !== '!') throw src.fail(`unknown extension ?<${d}`, src.tell() - d.length - 2);
          kind = d;
          behind = true;
          savedLookbehind = this.groups.lookbehindGroups;
          if (savedLookbehind === null) this.groups.lookbehindGroups = this.groups.count + 1;
        }
        const body = this.parseSub(flags, nested + 1);
        if (behind && savedLookbehind === null) this.groups.lookbehindGroups = null;
        if (!src.match(')')) throw src.fail('missing ), unterminated subpattern', start);
        if (behind) {
          const [lo, hi] = this.width(body);
          if (lo !== hi) throw src.fail('look-behind requires fixed-width pattern', null);
        }
        return { kind: 'look', behind, negate: kind === '!', body };
      } else if (c === '(') {
        throw src.unsupported('conditional groups (?(id)yes|no) have no JavaScript equivalent', start);
      } else if (c === '>') {
        const body = this.parseSub(flags, nested + 1);
        if (!src.match(')')) throw src.fail('missing ), unterminated subpattern', start);
        return { kind: 'atomic', body };
      } else if (FLAG_LETTERS.includes(c) || c === '-') {
        const parsed = this.parseFlags(c);
        if (parsed === null) {
          if (!first) throw src.fail('global flags not at the start of the expression', start);
          return 'globalFlags';
        }
        capture = false;
        inner = { ...flags };
        for (const f of parsed.add) setFlag(inner, f, true);
        for (const f of parsed.del) setFlag(inner, f, false);
      } else {
        throw src.fail(`unknown extension ?${c}`, src.tell() - c.length - 1);
      }
    }
    let index: number | null = null;
    if (capture) {
      index = ++this.groups.count;
      if (name !== null) {
        if (this.groups.names.has(name)) throw src.fail(`redefinition of group name '${name}' as group ${index}; was group ${this.groups.names.get(name)}`, src.tell() - name.length - 1);
        this.groups.names.set(name, index);
      }
      this.groups.open.add(index);
    }
    const body = this.parseSub(inner, nested + 1);
    if (!src.match(')')) throw src.fail('missing ), unterminated subpattern', start);
    if (index !== null) {
      this.groups.open.delete(index);
      this.groups.widths.set(index, this.width(body));
    }
    return { kind: 'group', index, name, body };
  }

  /** Returns null for global flags `(?i)`, else the scoped flag changes of `(?i-s:...)`. */
  private parseFlags(first: string): { add: string[]; del: string[] } | null {
    const src = this.src;
    const add: string[] = [];
    const del: string[] = [];
    let c: string | null = first;
    if (c !== '-') {
      for (;;) {
        if (c === 'L') throw src.fail("bad inline flags: cannot use 'L' flag with a str pattern", src.tell() - 1);
        add.push(c!);
        if ((c === 'a' || c === 'u') && add.includes(c === 'a' ? 'u' : 'a')) {
          throw src.fail("bad inline flags: flags 'a', 'u' and 'L' are incompatible", src.tell() - 1);
        }
        c = src.get();
        if (c === null) throw src.fail('missing -, : or )', src.tell());
        if (c === ')' || c === '-' || c === ':') break;
        if (!FLAG_LETTERS.includes(c)) throw src.fail(/\p{L}/u.test(c) ? 'unknown flag' : 'missing -, : or )', src.tell() - c.length);
      }
    }
    if (c === ')') {
      for (const f of add) setFlag(this.globalFlags, f, true);
      return null;
    }
    if (c === '-') {
      c = src.get();
      if (c === null) throw src.fail('missing flag', src.tell());
      if (!FLAG_LETTERS.includes(c)) throw src.fail(/\p{L}/u.test(c) ? 'unknown flag' : 'missing flag', src.tell() - c.length);
      for (;;) {
        if (c === 'a' || c === 'u' || c === 'L') throw src.fail("bad inline flags: cannot turn off flags 'a', 'u' and 'L'", src.tell() - 1);
        del.push(c!);
        c = src.get();
        if (c === null) throw src.fail('missing :', src.tell());
        if (c === ':') break;
        if (!FLAG_LETTERS.includes(c)) throw src.fail(/\p{L}/u.test(c) ? 'unknown flag' : 'missing :', src.tell() - c.length);
      }
    }
    if (add.some((f) => del.includes(f))) throw src.fail('bad inline flags: flag turned on and off', src.tell() - 1);
    return { add, del };
  }

  private checkGroupName(name: string, offset: number): void {
    if (!isIdentifier(name)) throw this.src.fail(`bad character in group name '${name}'`, this.src.tell() - name.length - offset);
  }

  private checkGroupRef(gid: number, pos: number): void {
    if (this.groups.open.has(gid)) throw this.src.fail('cannot refer to an open group', pos);
    const lb = this.groups.lookbehindGroups;
    if (lb !== null && gid >= lb) throw this.src.fail('cannot refer to group defined in the same lookbehind subpattern', null);
  }

  private escape(t: string, flags: ParseFlags, pos: number): Node {
    const src = this.src;
    const c = t[1]!;
    switch (c) {
      case 'A':
        return { kind: 'anchor', which: 'bos', multiline: flags.multiline, ascii: flags.ascii };
      case 'Z':
        return { kind: 'anchor', which: 'eos', multiline: flags.multiline, ascii: flags.ascii };
      case 'b':
        return { kind: 'anchor', which: 'boundary', multiline: flags.multiline, ascii: flags.ascii };
      case 'B':
        return { kind: 'anchor', which: 'nonBoundary', multiline: flags.multiline, ascii: flags.ascii };
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
        return { kind: 'category', name: c, ascii: flags.ascii };
    }
    const simple = PY_SIMPLE_ESCAPES[c];
    if (simple !== undefined) return { kind: 'literal', cp: simple };
    const hex = this.hexEscape(t);
    if (hex !== null) return { kind: 'literal', cp: hex };
    if (c === '0') {
      const digits = src.getWhile(2, OCTDIGITS);
      return { kind: 'literal', cp: parseInt('0' + digits, 8) };
    }
    if (DIGITS.includes(c)) {
      let esc = c;
      if (src.next !== null && DIGITS.includes(src.next)) {
        esc += src.get();
        if (OCTDIGITS.includes(esc[0]!) && OCTDIGITS.includes(esc[1]!) && src.next !== null && OCTDIGITS.includes(src.next)) {
          esc += src.get();
          const v = parseInt(esc, 8);
          if (v > 0o377) throw src.fail(`octal escape value \\${esc} outside of range 0-0o377`, pos);
          return { kind: 'literal', cp: v };
        }
      }
      const gid = Number(esc);
      if (gid <= this.groups.count) {
        this.checkGroupRef(gid, pos + 1);
        return { kind: 'backref', index: gid };
      }
      throw src.fail(`invalid group reference ${gid}`, pos + 1);
    }
    if (ASCII_LETTERS.test(c)) throw src.fail(`bad escape ${t}`, pos);
    return { kind: 'literal', cp: c.codePointAt(0)! };
  }

  /** `\x..`, `\u....`, `\U........`, `\N{...}` — shared by patterns and classes; null if not one. */
  private hexEscape(t: string): number | null {
    const src = this.src;
    const pos = src.tell() - 2;
    const c = t[1]!;
    const want = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
    if (want > 0) {
      const digits = src.getWhile(want, HEXDIGITS);
      if (digits.length !== want) throw src.fail(`incomplete escape ${t}${digits}`, pos);
      const v = parseInt(digits, 16);
      if (v > 0x10ffff) throw src.fail(`bad escape ${t}${digits}`, pos);
      return v;
    }
    if (c === 'N') {
      if (!src.match('{')) throw src.fail('missing {', src.tell());
      src.getUntil('}', 'character name');
      throw src.unsupported('named characters \\N{...} are not supported (write the character or \\uXXXX)', pos);
    }
    return null;
  }

  private charClass(flags: ParseFlags, start: number): Node {
    const src = this.src;
    const items: ClassItem[] = [];
    const negate = src.match('^');
    for (;;) {
      const t = src.get();
      if (t === null) throw src.fail('unterminated character set', start);
      if (t === ']' && items.length > 0) break;
      const pos1 = src.tell() - t.length;
      const code1 = t[0] === '\\' ? this.classEscape(t, flags, pos1) : ({ kind: 'range', lo: t.codePointAt(0)!, hi: t.codePointAt(0)! } as ClassItem);
      if (src.match('-')) {
        const that = src.get();
        if (that === null) throw src.fail('unterminated character set', start);
        if (that === ']') {
          items.push(code1, { kind: 'range', lo: 0x2d, hi: 0x2d });
          break;
        }
        const code2 = that[0] === '\\' ? this.classEscape(that, flags, src.tell() - that.length) : ({ kind: 'range', lo: that.codePointAt(0)!, hi: that.codePointAt(0)! } as ClassItem);
        if (code1.kind !== 'range' || code2.kind !== 'range' || code2.lo < code1.lo) {
          throw src.fail(`bad character range ${t}-${that}`, pos1);
        }
        items.push({ kind: 'range', lo: code1.lo, hi: code2.lo });
      } else {
        items.push(code1);
      }
    }
    return { kind: 'class', negate, items };
  }

  private classEscape(t: string, flags: ParseFlags, pos: number): ClassItem {
    const c = t[1]!;
    const simple = PY_SIMPLE_ESCAPES[c];
    if (simple !== undefined) return { kind: 'range', lo: simple, hi: simple };
    if ('dDsSwW'.includes(c)) return { kind: 'category', name: c as CategoryName, ascii: flags.ascii };
    const hex = this.hexEscape(t);
    if (hex !== null) return { kind: 'range', lo: hex, hi: hex };
    if (OCTDIGITS.includes(c)) {
      const v = parseInt(c + this.src.getWhile(2, OCTDIGITS), 8);
      if (v > 0o377) throw this.src.fail(`octal escape value \\${v.toString(8)} outside of range 0-0o377`, pos);
      return { kind: 'range', lo: v, hi: v };
    }
    if (DIGITS.includes(c) || ASCII_LETTERS.test(c)) throw this.src.fail(`bad escape ${t}`, pos);
    const cp = c.codePointAt(0)!;
    return { kind: 'range', lo: cp, hi: cp };
  }

  /** Python's SubPattern.getwidth(): (min, max) characters a node consumes. */
  private width(n: Node): [number, number] {
    const cap = (v: number) => Math.min(v, PY_MAXREPEAT);
    switch (n.kind) {
      case 'literal':
      case 'any':
      case 'class':
      case 'category':
        return [1, 1];
      case 'anchor':
      case 'look':
        return [0, 0];
      case 'group':
      case 'atomic':
        return this.width(n.body);
      case 'repeat': {
        const [lo, hi] = this.width(n.body);
        return [cap(lo * n.min), cap(hi * n.max)];
      }
      case 'backref':
        return this.groups.widths.get(n.index) ?? [0, 0];
      case 'seq': {
        let lo = 0;
        let hi = 0;
        for (const i of n.items) {
          const [a, b] = this.width(i);
          lo = cap(lo + a);
          hi = cap(hi + b);
        }
        return [lo, hi];
      }
      case 'alt': {
        let lo = PY_MAXREPEAT;
        let hi = 0;
        for (const b of n.branches) {
          const [x, y] = this.width(b);
          lo = Math.min(lo, x);
          hi = Math.max(hi, y);
        }
        return [lo, hi];
      }
    }
  }
}

function setFlag(f: ParseFlags, letter: string, on: boolean): void {
  switch (letter) {
    case 'i':
      f.ignoreCase = on;
      break;
    case 'm':
      f.multiline = on;
      break;
    case 's':
      f.dotAll = on;
      break;
    case 'x':
      f.verbose = on;
      break;
    case 'a':
      f.ascii = on;
      break;
    // 'u' is the default for str patterns
  }
}

/** Python flag letters passed to re.compile(): any of `aimsux` (e.g. 'i' for re.IGNORECASE). */
export function parseFlagLetters(pattern: string, letters: string): ParseFlags {
  const f: ParseFlags = { ignoreCase: false, multiline: false, dotAll: false, ascii: false, verbose: false };
  for (const l of letters) {
    if (!'aimsux'.includes(l)) throw new PythonRegexError(pattern, `unknown flag '${l}' (use letters from "aimsux")`, null, true);
    setFlag(f, l, true);
  }
  return f;
}

export function parsePythonPattern(pattern: string, flags: ParseFlags): ParsedPattern {
  // A leading (?x) switches verbose mode on for the rest of the pattern, as in Python 3.11.
  return new Parser(pattern, flags).parse();
}
