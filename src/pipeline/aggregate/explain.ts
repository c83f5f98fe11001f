import type { ExplanationSection } from '../route/explanation.js';
import type { RewriteRuleSet } from '../rewrite/rewrite-set.js';
import type { AggregationRuleSet } from './rule-set.js';

/** One name's path through the aggregator, for `carbon-ts route`. */
export interface AggregatorExplanation {
  metric: string;
  /** Each `[pre]` rule that changed the name, with the name after it. */
  rewritePre: { pattern: string; replacement: string; line: number; output: string }[];
  /** The name the aggregate stage sees. */
  aggregatorInput: string;
  /** Rules that match it, in file order, with the aggregate each feeds. */
  aggregates: { rule: string; line: number; regex: string; frequency: number; method: string; output: string }[];
  /** Whether the raw point is passed on, and under which name (after `[post]`). */
  forwarded: boolean;
  rewritePost: { pattern: string; replacement: string; line: number; output: string }[];
  forwardedAs: string | null;
  /** Set when carbon would lose the point to an exception in the aggregate stage. */
  error: string | null;
}

/** What the aggregator does with `metric`: the same decisions the running stage makes. */
export function explainMetric(
  metric: string,
  pre: RewriteRuleSet,
  rules: AggregationRuleSet,
  post: RewriteRuleSet,
  forwardAll = true,
): AggregatorExplanation {
  const rewriteSteps = (set: RewriteRuleSet, name: string) =>
    set
      .steps(name)
      .slice(1)
      .map((s) => ({ pattern: s.rule!.pattern, replacement: s.rule!.replacement, line: s.rule!.line, output: s.output }));
  const preSteps = rewriteSteps(pre, metric);
  const aggregatorInput = preSteps.at(-1)?.output ?? metric;
  const plan = rules.plan(aggregatorInput);
  const forwarded = forwardAll && plan.error === null && plan.nameIsNotAnAggregate;
  const postSteps = forwarded ? rewriteSteps(post, aggregatorInput) : [];
  return {
    metric,
    rewritePre: preSteps,
    aggregatorInput,
    aggregates: plan.rules.map((rule, i) => ({
      rule: rule.toString(),
      line: rule.definition.line ?? 0,
      regex: rule.regexSource,
      frequency: rule.frequency,
      method: rule.method,
      output: plan.aggregateNames[i],
    })),
    forwarded,
    rewritePost: postSteps,
    forwardedAs: forwarded ? (postSteps.at(-1)?.output ?? aggregatorInput) : null,
    error: plan.error?.message ?? null,
  };
}

/** The explanation as `carbon-ts route` sections, in pipeline order. */
export function toExplanationSections(e: AggregatorExplanation): ExplanationSection[] {
  const rewrite = (stage: string, steps: AggregatorExplanation['rewritePre']): ExplanationSection => ({
    stage,
    summary:
      steps.length === 0
        ? 'no rule changes the name'
        : steps.map((s) => `${s.pattern} = ${s.replacement} (line ${s.line}) → ${s.output}`).join('; '),
    detail: { steps },
  });
  const sections: ExplanationSection[] = [rewrite('rewrite:pre', e.rewritePre)];
  sections.push({
    stage: 'aggregation',
    summary:
      e.aggregates.length === 0
        ? `${e.aggregatorInput} matches no aggregation rule`
        : e.aggregates.map((a) => `feeds ${a.output} (${a.method} every ${a.frequency} s, line ${a.line})`).join('; '),
    detail: { input: e.aggregatorInput, aggregates: e.aggregates, error: e.error },
  });
  if (e.error !== null) {
    sections.push({ stage: 'aggregation', summary: `point lost, as in carbon: ${e.error}` });
    return sections;
  }
  if (!e.forwarded) {
    const why = e.aggregates.some((a) => a.output === e.aggregatorInput) ? 'its name is one of its own aggregates' : 'FORWARD_ALL is False';
    sections.push({ stage: 'forward', summary: `raw point not forwarded (${why})` });
    return sections;
  }
  sections.push(rewrite('rewrite:post', e.rewritePost));
  sections.push({ stage: 'forward', summary: `raw point forwarded as ${e.forwardedAs}`, detail: { name: e.forwardedAs } });
  return sections;
}
