import { NameMemo } from './name-memo.js';
import { TemplateInterpolationError } from './pattern.js';
import type { AggregationRule } from './rule.js';

/**
 * What the aggregate stage does with one input name, decided once and memoised: the rules that
 * match it (file order) and the aggregate name each gives, whether the raw point is forwarded, and
 * whether carbon would lose the point to a template error part-way through the rules.
 */
export interface AggregationPlan {
  readonly rules: readonly AggregationRule[];
  readonly aggregateNames: readonly string[];
  /** The input's name is not among its aggregates (carbon forwards it when FORWARD_ALL). */
  readonly nameIsNotAnAggregate: boolean;
  /** carbon raised while computing an aggregate name: rules before it were fed, the point is lost. */
  readonly error: TemplateInterpolationError | null;
  /**
   * The aggregate stage's cache of the buffer objects for aggregateNames (same indexes), so a steady
   * stream does no name lookups; entries are re-resolved when a buffer has been released.
   */
  buffers: unknown[] | null;
}

export interface RuleSetOptions {
  /** CACHE_METRIC_NAMES_MAX (0 = unbounded). */
  cacheMax?: number;
  /** CACHE_METRIC_NAMES_TTL seconds (only with cacheMax > 0). */
  cacheTtl?: number;
  now?: () => number;
}

/**
 * The loaded aggregation rules with a prefilter, so a name is regex-tested only against rules whose
 * literal parts it contains: rules whose literal prefix covers a whole first node are indexed by that
 * node; the rest are screened by prefix and required substrings.
 */
export class AggregationRuleSet {
  private readonly byFirstNode = new Map<string, AggregationRule[]>();
  private readonly screened: AggregationRule[] = [];
  private readonly memo: NameMemo<AggregationPlan>;

  constructor(
    readonly rules: readonly AggregationRule[],
    options: RuleSetOptions = {},
  ) {
    this.memo = new NameMemo(options.cacheMax ?? 0, options.cacheTtl ?? 0, options.now);
    for (const rule of rules) {
      const dot = rule.literals.prefix.indexOf('.');
      if (dot >= 0) {
        const node = rule.literals.prefix.slice(0, dot);
        let list = this.byFirstNode.get(node);
        if (!list) this.byFirstNode.set(node, (list = []));
        list.push(rule);
      } else {
        this.screened.push(rule);
      }
    }
  }

  get size(): number {
    return this.rules.length;
  }

  /** The memoised decision for `metric`. */
  plan(metric: string): AggregationPlan {
    let plan = this.memo.get(metric);
    if (plan === undefined) {
      plan = this.computePlan(metric);
      this.memo.set(metric, plan);
    }
    return plan;
  }

  /** Rules that might match `metric`, in file order. */
  candidates(metric: string): AggregationRule[] {
    const dot = metric.indexOf('.');
    const indexed = dot >= 0 ? this.byFirstNode.get(metric.slice(0, dot)) : undefined;
    const out: AggregationRule[] = [];
    for (const rule of this.screened) {
      if (mayMatch(rule, metric)) out.push(rule);
    }
    if (indexed) {
      for (const rule of indexed) if (mayMatch(rule, metric)) out.push(rule);
      if (out.length > indexed.length || this.screened.length > 0) out.sort((a, b) => a.index - b.index);
    }
    return out;
  }

  private computePlan(metric: string): AggregationPlan {
    const rules: AggregationRule[] = [];
    const names: string[] = [];
    let error: TemplateInterpolationError | null = null;
    for (const rule of this.candidates(metric)) {
      let name: string | null;
      try {
        name = rule.aggregateNameFor(metric);
      } catch (err) {
        if (!(err instanceof TemplateInterpolationError)) throw err;
        error = err;
        break;
      }
      if (name === null) continue;
      rules.push(rule);
      names.push(name);
    }
    if (rules.length === 0 && error === null) return NO_MATCH;
    return { rules, aggregateNames: names, nameIsNotAnAggregate: !names.includes(metric), error, buffers: null };
  }
}

/** The plan of every name no rule matches: one shared object keeps a memo of unmatched names small. */
const NO_MATCH: AggregationPlan = Object.freeze({ rules: [], aggregateNames: [], nameIsNotAnAggregate: true, error: null, buffers: null });

function mayMatch(rule: AggregationRule, metric: string): boolean {
  const { prefix, required } = rule.literals;
  if (!metric.startsWith(prefix)) return false;
  for (const lit of required) if (!metric.includes(lit)) return false;
  return true;
}
