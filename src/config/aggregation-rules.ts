import { existsSync, readFileSync } from 'node:fs';
import { AggregationRule, AggregationRuleError, type AggregationRuleDefinition } from '../pipeline/aggregate/rule.js';
import { AggregationRuleSet, type RuleSetOptions } from '../pipeline/aggregate/rule-set.js';

/** A line of aggregation-rules.conf carbon would refuse; names the file, the line and why. */
export class AggregationRulesConfigError extends Error {
  override name = 'AggregationRulesConfigError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly text: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason} (in rule: ${text})`);
  }
}

/**
 * Parses aggregation-rules.conf text as carbon's RuleManager.parse_definition does:
 * `output_template (frequency) = method input_pattern`, split once at the first `=`, exactly two
 * whitespace-separated tokens each side, frequency = int after stripping `(` on the left and `)` on
 * the right. Lines are stripped; empty and `#` lines skipped.
 */
export function parseAggregationRules(text: string, file = 'aggregation-rules.conf'): AggregationRuleDefinition[] {
  const out: AggregationRuleDefinition[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === '' || line.startsWith('#')) continue;
    const fail = (reason: string): never => {
      throw new AggregationRulesConfigError(file, n + 1, line, reason);
    };
    const eq = line.indexOf('=');
    if (eq < 0) fail("expected 'output_template (frequency) = method input_pattern': no '='");
    const left = splitWhitespace(line.slice(0, eq));
    const right = splitWhitespace(line.slice(eq + 1));
    if (left.length !== 2) fail(`left of '=' must be 'output_template (frequency)', found ${left.length} token(s)`);
    if (right.length !== 2) fail(`right of '=' must be 'method input_pattern', found ${right.length} token(s)`);
    const freqText = left[1].replace(/^\(+/, '').replace(/\)+$/, '');
    const frequency = parsePythonInt(freqText);
    if (frequency === null) fail(`frequency ${left[1]} is not a whole number of seconds`);
    out.push({ outputPattern: left[0], frequency: frequency!, method: right[0], inputPattern: right[1], line: n + 1 });
  }
  return out;
}

/** Python's str.split(): runs of whitespace, no empty tokens. */
function splitWhitespace(s: string): string[] {
  const t = s.trim();
  return t === '' ? [] : t.split(/\s+/u);
}

/** Python int() of a token without whitespace: optional sign, digits, single underscores between digits. */
function parsePythonInt(s: string): number | null {
  if (!/^[+-]?\d+(?:_\d+)*$/.test(s)) return null;
  return Number(s.replaceAll('_', ''));
}

/** Compiles definitions into rules, naming the file and line of the first one carbon would refuse. */
export function compileAggregationRules(defs: readonly AggregationRuleDefinition[], file = 'aggregation-rules.conf'): AggregationRule[] {
  return defs.map((def, i) => {
    try {
      return new AggregationRule(def, i);
    } catch (err) {
      if (err instanceof AggregationRuleError) {
        const text = `${def.outputPattern} (${def.frequency}) = ${def.method} ${def.inputPattern}`;
        throw new AggregationRulesConfigError(file, def.line ?? 0, text, err.message);
      }
      throw err;
    }
  });
}

/**
 * Reads and compiles a rules file. A missing file is an empty rule set (carbon clears its rules);
 * any bad line throws AggregationRulesConfigError.
 */
export function loadAggregationRules(file: string, options: RuleSetOptions = {}): AggregationRuleSet {
  if (!existsSync(file)) return new AggregationRuleSet([], options);
  const defs = parseAggregationRules(readFileSync(file, 'utf8'), file);
  return new AggregationRuleSet(compileAggregationRules(defs, file), options);
}
