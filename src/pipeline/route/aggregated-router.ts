import type { Destination } from './destination.js';
import type { ExplainingRouter, ExplanationSection } from './explanation.js';
import type { HashingRouter } from './hashing-router.js';
import { DEFAULT_ROUTE_MEMO_SIZE, RouteMemo } from './route-memo.js';

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
 */
export class AggregatedHashingRouter implements ExplainingRouter {
  private readonly memo: RouteMemo;

  constructor(
    readonly method: string,
    readonly hashRouter: HashingRouter,
    readonly aggregateNamesOf: AggregateNamesOf,
    memoSize = DEFAULT_ROUTE_MEMO_SIZE,
  ) {
    this.memo = new RouteMemo(memoSize);
  }

  /** The names routed for `metric`: its aggregates, or the metric itself. */
  routingKeys(metric: string): readonly string[] {
    const aggregates = this.aggregateNamesOf(metric);
    return aggregates.length > 0 ? aggregates : [metric];
  }

  getDestinations(metric: string): readonly Destination[] {
    const hit = this.memo.get(metric);
    if (hit !== undefined) return hit;
    const keys = this.routingKeys(metric);
    let list: readonly Destination[];
    if (keys.length === 1) {
      list = this.hashRouter.getDestinations(keys[0]);
    } else {
      const union: Destination[] = [];
      for (const k of keys) for (const d of this.hashRouter.getDestinations(k)) if (!union.includes(d)) union.push(d);
      list = Object.freeze(union);
    }
    this.memo.set(metric, list);
    return list;
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
