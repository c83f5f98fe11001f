import type { RewriteRule } from './rewrite-rule.js';

/** Entries kept per rule set before the memo starts evicting (names repeat every interval). */
const DEFAULT_MEMO_ENTRIES = 1_000_000;

/**
 * An ordered rewrite rule set (`[pre]` or `[post]`): each rule applied to the previous one's output,
 * as carbon's RewriteProcessor does, with the result memoised per input name.
 */
export class RewriteRuleSet {
  /** Plain map, emptied when full: cheaper on the hot path than an LRU, and refilled within an interval. */
  private readonly memo = new Map<string, string>();

  constructor(
    readonly rules: readonly RewriteRule[],
    private readonly memoEntries = DEFAULT_MEMO_ENTRIES,
  ) {}

  get size(): number {
    return this.rules.length;
  }

  apply(name: string): string {
    if (this.rules.length === 0) return name;
    let out = this.memo.get(name);
    if (out === undefined) {
      out = this.steps(name).at(-1)!.output;
      if (this.memo.size >= this.memoEntries) this.memo.clear();
      this.memo.set(name, out);
    }
    return out;
  }

  /** Every rule's effect on `name`, for `route`/explain. */
  steps(name: string): { rule: RewriteRule | null; output: string }[] {
    const out: { rule: RewriteRule | null; output: string }[] = [{ rule: null, output: name }];
    let current = name;
    for (const rule of this.rules) {
      const next = rule.apply(current);
      if (next !== current) out.push({ rule, output: next });
      current = next;
    }
    return out;
  }
}

export const EMPTY_REWRITE_SET = new RewriteRuleSet([]);
