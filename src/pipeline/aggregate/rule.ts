import { compilePythonPattern } from '../rewrite/python-regex-bridge.js';
import { requiredLiterals, type RequiredLiterals } from './literal-prefilter.js';
import { AGGREGATION_METHODS, isAggregationMethod, type AggregationFunction, type AggregationMethodName } from './methods.js';
import { buildInputRegexSource, buildOutputTemplate, OutputTemplate } from './pattern.js';

/** One parsed line of aggregation-rules.conf, before compilation. */
export interface AggregationRuleDefinition {
  readonly outputPattern: string;
  readonly frequency: number;
  readonly method: string;
  readonly inputPattern: string;
  /** 1-based line in its file, for messages (0 when built in code). */
  readonly line?: number;
}

/** Thrown when a definition cannot become a rule (unknown method, bad regex); the loader adds file and line. */
export class AggregationRuleError extends Error {
  override name = 'AggregationRuleError';
}

/**
 * A compiled aggregation rule: carbon's AggregationRule without its per-rule cache (the rule set
 * memoises whole decisions per name instead).
 */
export class AggregationRule {
  readonly method: AggregationMethodName;
  readonly aggregate: AggregationFunction;
  readonly frequency: number;
  /** The Python regex carbon builds from the input pattern (shown by `route`/explain). */
  readonly regexSource: string;
  readonly template: OutputTemplate;
  readonly literals: RequiredLiterals;
  private readonly regex: RegExp;

  constructor(
    readonly definition: AggregationRuleDefinition,
    /** Position in the file's rule order (buffers are configured by the first rule that creates them). */
    readonly index: number,
  ) {
    if (!isAggregationMethod(definition.method)) {
      throw new AggregationRuleError(`Invalid aggregation method '${definition.method}'`);
    }
    if (!Number.isInteger(definition.frequency) || definition.frequency <= 0) {
      // carbon accepts 0 or a negative value here and then fails on every point (modulo by zero) or
      // spins; refusing it at load is the useful reading of that.
      throw new AggregationRuleError(`frequency must be a positive whole number of seconds, got ${definition.frequency}`);
    }
    this.method = definition.method;
    this.aggregate = AGGREGATION_METHODS[this.method];
    this.frequency = definition.frequency;
    this.regexSource = buildInputRegexSource(definition.inputPattern);
    try {
      this.regex = compilePythonPattern(this.regexSource, true);
    } catch (err) {
      throw new AggregationRuleError(`input pattern ${definition.inputPattern} → regex ${this.regexSource}: ${(err as Error).message}`);
    }
    this.template = new OutputTemplate(buildOutputTemplate(definition.outputPattern));
    this.literals = requiredLiterals(this.regexSource);
  }

  /**
   * The aggregate name this rule gives `metric`, or null (no match, or carbon's TypeError path).
   * Throws TemplateInterpolationError where carbon's exception escapes and the point is lost.
   */
  aggregateNameFor(metric: string): string | null {
    this.regex.lastIndex = 0;
    const m = this.regex.exec(metric);
    if (!m) return null;
    return this.template.interpolate(m.groups ?? {});
  }

  /** Text form, as in the rules file. */
  toString(): string {
    const d = this.definition;
    return `${d.outputPattern} (${d.frequency}) = ${d.method} ${d.inputPattern}`;
  }
}
