import type { Destination } from './destination.js';
import type { ExplainingRouter, ExplanationSection } from './explanation.js';
import type { HashingRouter } from './hashing-router.js';

/**
 * For a metric, the aggregate names it feeds: one per aggregation rule that matches (every rule, not
 * the first match), in rule order, as carbon's `rule.get_aggregate_metric(key)` for each rule.
 */
export type AggregateNamesOf = (metric: string) => readonly string[];

/**
 * carbon's AggregatedConsistentHashingRouter / FastAggregatedHashingRouter: a metric is routed by the
 * aggregate names it feeds (itself when it feeds none), and goes to the union of their destinations,
 * so every input of an aggregate reaches the aggregator that computes it. carbon yields that union
 * from a Python set (order unspecified); here it is first-seen order.
 *
 * No name memo at this level: the aggregation rules are reloaded when their file changes, and the
 * answer must follow at once (carbon consults its rules on every point). The rules side memoises the
 * name → aggregates step, and the ring router memoises aggregate name → destinations.
 */
export class AggregatedHashingRouter implements ExplainingRouter {
  constructor(
    readonly method: string,
    readonly hashRouter: HashingRouter,
    readonly aggregateNamesOf: AggregateNamesOf,
  ) {}

  /** The names routed for `metric`: its aggregates, or the metric itself. */
  routingKeys(metric: string): readonly string[] {
    const aggregates = this.aggregateNamesOf(metric);
    return aggregates.length > 0 ? aggregates : [metric];
  }

  getDestinations(metric: string): readonly Destination[] {
    const keys = this.routingKeys(metric);
    if (keys.length === 1) return this.hashRouter.getDestinations(keys[0]);
    const union: Destination[] = [];
    for (const k of keys) for (const d of this.hashRouter.getDestinations(k)) if (!union.includes(d)) union.push(d);
    return union;
  }

  explain(metric: string): ExplanationSection[] {
    const keys = this.routingKeys(metric);
    const feedsAggregates = keys.length > 1 || keys[0] !== metric;
    return [
      {
        stage: this.method,
        summary:
          feedsAggregates
            ? `routed by the aggregate(s) it feeds: ${keys.join(', ')}`
            : 'feeds no aggregation rule: routed by its own name',
        detail: { routingKeys: keys },
      },
      ...this.hashRouter.explain(keys[0]),
    ];
  }
}
