import { requiredLiterals } from '../aggregate/literal-prefilter.js';
import { compilePythonSubstitution } from './python-regex-bridge.js';

/** One `pattern = replacement` line of rewrite-rules.conf, applied as Python `re.sub(pattern, replacement, name)`. */
export class RewriteRule {
  private readonly substitute: (s: string) => string;
  /** Literal text every match contains: a name without it is left unchanged without running the regex. */
  private readonly required: readonly string[];

  /** Throws PythonRegexError when Python rejects the rule or JavaScript cannot express it. */
  constructor(
    readonly pattern: string,
    readonly replacement: string,
    readonly line = 0,
  ) {
    // carbon compiles only the pattern at load; a bad group reference in the replacement then raises
    // on every re.sub, losing every point that reaches the rule set. Checking it here rejects the
    // rule at load instead (a deliberate difference, logged with file and line).
    this.substitute = compilePythonSubstitution(pattern, replacement);
    this.required = requiredLiterals(pattern).required;
  }

  apply(name: string): string {
    for (const lit of this.required) if (!name.includes(lit)) return name;
    return this.substitute(name);
  }
}
