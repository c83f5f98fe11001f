import { existsSync, readFileSync } from 'node:fs';
import { RewriteRule } from '../pipeline/rewrite/rewrite-rule.js';

/** A rewrite rule line that was refused: carbon logs these and goes on, so do we (see loadRewriteRules). */
export interface RewriteRuleRejection {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

/** Thrown in strict mode (and by callers that want the first rejection as an error). */
export class RewriteRulesConfigError extends Error {
  override name = 'RewriteRulesConfigError';
  constructor(readonly rejection: RewriteRuleRejection) {
    super(`${rejection.file}:${rejection.line}: ${rejection.reason} (in: ${rejection.text})`);
  }
}

export interface ParsedRewriteRules {
  /** Rules per section present in the file (lower-cased name), in file order. */
  readonly sections: ReadonlyMap<string, RewriteRule[]>;
  readonly rejected: readonly RewriteRuleRejection[];
}

/**
 * Parses rewrite-rules.conf as carbon's RewriteRuleManager.read_rules does: lines stripped, `#` and
 * empty lines skipped, `[name]` starts (and empties) a section, other lines split at the first `=`
 * with both sides stripped. Rules before any section are dropped (carbon files them under None,
 * which no stage reads). A regex Python or JavaScript cannot compile is rejected with file, line and
 * reason; carbon logs such lines and skips them.
 */
export function parseRewriteRules(text: string, file = 'rewrite-rules.conf'): ParsedRewriteRules {
  const sections = new Map<string, RewriteRule[]>();
  const rejected: RewriteRuleRejection[] = [];
  let section: string | null = null;
  const lines = text.split(/\r\n|\r|\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[') && line.endsWith(']')) {
      section = line.slice(1, -1).toLowerCase();
      sections.set(section, []); // a repeated heading empties the section again, as in carbon
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) {
      rejected.push({ file, line: n + 1, text: line, reason: 'Invalid syntax: not a section heading or rule' });
      continue;
    }
    const pattern = line.slice(0, eq).trim();
    const replacement = line.slice(eq + 1).trim();
    let rule: RewriteRule;
    try {
      rule = new RewriteRule(pattern, replacement, n + 1);
    } catch (err) {
      rejected.push({ file, line: n + 1, text: line, reason: `Invalid regular expression in rewrite rule: ${(err as Error).message}` });
      continue;
    }
    if (section !== null) sections.get(section)!.push(rule);
  }
  return { sections, rejected };
}

/** Reads a rules file; null when it does not exist (carbon then clears every rule set). */
export function loadRewriteRules(file: string, strict = false): ParsedRewriteRules | null {
  if (!existsSync(file)) return null;
  const parsed = parseRewriteRules(readFileSync(file, 'utf8'), file);
  if (strict && parsed.rejected.length > 0) throw new RewriteRulesConfigError(parsed.rejected[0]);
  return parsed;
}
