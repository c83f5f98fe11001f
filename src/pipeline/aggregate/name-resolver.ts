import { loadAggregationRules } from '../../config/aggregation-rules.js';
import { getLogger } from '../../logging.js';
import { FileReloader } from './file-reloader.js';
import { AggregationRuleSet, type RuleSetOptions } from './rule-set.js';
import { aggregateNamesFor } from './stages.js';

const log = getLogger('aggregated-router');

/** What the aggregated-* routers need: metric → the aggregate names it feeds (itself when none). */
export interface AggregateNameResolver {
  aggregateNames(metric: string): string[];
  start(): void;
  stop(): void;
}

/**
 * Loads AGGREGATION_RULES for a relay's aggregated-consistent-hashing / fast-aggregated-hashing
 * router and keeps it current as carbon's RuleManager does (missing file = no rules; a bad reload
 * keeps the old rules and stops re-reading).
 */
export function createAggregateNameResolver(file: string, options: RuleSetOptions = {}): AggregateNameResolver {
  let rules = loadAggregationRules(file, options);
  const reloader = new FileReloader(file, {
    onMissing: () => {
      rules = new AggregationRuleSet([], options);
    },
    onChanged: () => {
      rules = loadAggregationRules(file, options);
    },
    onError: (err) => {
      log.error({ err }, `${(err as Error).message}; keeping the previous aggregation rules`);
      return false;
    },
  });
  reloader.markRead();
  return {
    aggregateNames: (metric) => aggregateNamesFor(rules, metric),
    start: () => reloader.start(),
    stop: () => reloader.stop(),
  };
}
