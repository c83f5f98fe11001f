import { requiredLiterals } from '../aggregate/literal-prefilter.js';
import { compilePythonPattern, compilePythonReplacement } from './python-regex-bridge.js';

/** One `pattern = replacement` line of rewrite-rules.conf, applied as Python `re.sub(pattern, replacement, name)`. */
export class RewriteRule {
  private readonly regex: RegExp;
  private readonly replacer: (match: string, ...rest: unknown[]) => string;
  /** Literal text every match contains: a name without it is left unchanged without running the regex. */
  private readonly required: readonly string[];

  constructor(
    readonly pattern: string,
    readonly replacement: string,
    readonly line = 0,
  ) {
    const re = compilePythonPattern(pattern);
    this.regex = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
    this.replacer = compilePythonReplacement(replacement);
    this.required = requiredLiterals(pattern).required;
    // Python checks group references when the template is first used; do it now so a bad rule is
    // rejected at load instead of losing every point it meets.
    const groups = new RegExp(`(?:${re.source})|`, re.flags.replace('y', '')).exec('')!;
    this.checkReferences(groups.length - 1, groups.groups ? Object.keys(groups.groups) : []);
  }

  private checkReferences(groupCount: number, names: string[]): void {
    for (const m of this.replacement.matchAll(/\\(?:g<([^>]*)>|([1-9][0-9]?))/g)) {
      const ref = m[1] ?? m[2];
      if (/^\d+$/.test(ref)) {
        if (Number(ref) > groupCount) throw new Error(`invalid group reference ${ref} (the pattern has ${groupCount} groups)`);
      } else if (!names.includes(ref)) {
        throw new Error(`unknown group name '${ref}' in replacement`);
      }
    }
  }

  apply(name: string): string {
    for (const lit of this.required) if (!name.includes(lit)) return name;
    this.regex.lastIndex = 0;
    return name.replace(this.regex, this.replacer);
  }
}
