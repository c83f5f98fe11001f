import { existsSync } from 'node:fs';
import { loadAggregationRules } from '../../config/aggregation-rules.js';
import { loadRewriteRules } from '../../config/rewrite-rules.js';
import { stats } from '../../instrumentation/counters.js';
import { getLogger, RateLimiter } from '../../logging.js';
import { MetricBatch, type BatchSink } from '../batch.js';
import { EMPTY_REWRITE_SET, RewriteRuleSet } from '../rewrite/rewrite-set.js';
import { BufferManager, type MetricBuffer } from './buffers.js';
import { systemClock, type Clock } from './clock.js';
import { FileReloader } from './file-reloader.js';
import { explainMetric, type AggregatorExplanation } from './explain.js';

export { explainMetric, toExplanationSections, type AggregatorExplanation } from './explain.js';
import { AggregationRuleSet, type AggregationPlan } from './rule-set.js';

const log = getLogger('aggregator');

/** Counter for points carbon loses to an exception in the aggregate stage (a template naming a missing field). */
export const AGGREGATE_ERRORS_COUNTER = 'aggregator.templateErrors';
/** Counter for raw points lost because the forward sink threw. */
export const FORWARD_ERRORS_COUNTER = 'aggregator.forwardErrors';

/** Thrown at startup when the aggregator cannot run with the given files (carbon: CarbonConfigException). */
export class AggregatorConfigError extends Error {
  override name = 'AggregatorConfigError';
}

export interface AggregatorStageOptions {
  /** AGGREGATION_RULES path; required to exist at startup (as in carbon), then polled for changes. */
  aggregationRulesFile?: string;
  /** REWRITE_RULES path; optional, polled for changes. */
  rewriteRulesFile?: string;
  /** Rules given directly (tests, tools); used when no file is named. */
  rules?: AggregationRuleSet;
  rewritePre?: RewriteRuleSet;
  rewritePost?: RewriteRuleSet;
  /** FORWARD_ALL (default true). */
  forwardAll?: boolean;
  /** LOG_AGGREGATOR_MISSES (default true). */
  logAggregatorMisses?: boolean;
  /** MAX_AGGREGATION_INTERVALS (default 5). */
  maxAggregationIntervals?: number;
  /** WRITE_BACK_FREQUENCY seconds (default null). */
  writeBackFrequency?: number | null;
  /** AGGREGATION_LATENESS_WINDOW seconds (default 0 = carbon's behaviour). */
  latenessWindow?: number;
  /** CACHE_METRIC_NAMES_MAX / _TTL (default 0 / 0). */
  cacheMetricNamesMax?: number;
  cacheMetricNamesTtl?: number;
  clock?: Clock;
}

export interface AggregatorSinks {
  /** Raw inputs that carbon passes on (after rewrite:post): to the router or the cache. */
  forward: BatchSink;
  /** Aggregates (carbon's generated points; they skip rewrite:post): to the router or the cache. */
  generated: BatchSink;
}

export interface AggregatorStages {
  /** The stage entry: received points go in here (after the receivers' white/blacklist). */
  readonly input: BatchSink;
  readonly buffers: BufferManager;
  /** Starts the rules-file polling (buffers schedule themselves as points arrive). */
  start(): void;
  /** Stops polling and drops every buffer (carbon flushes nothing at shutdown). */
  stop(): void;
  /** Re-reads changed rule files now (what the 10 s poll does). */
  reloadNow(): void;
  /** Every aggregate name `metric` feeds (all rules, not first match); for aggregated hashing. */
  aggregateNames(metric: string): string[];
  explain(metric: string): AggregatorExplanation;
  readonly rules: AggregationRuleSet;
}

/**
 * Builds the aggregator pipeline `rewrite:pre → aggregate → rewrite:post → forward` with carbon's
 * quirks: aggregates go to `generated` and never through rewrite:post; with FORWARD_ALL a raw point
 * is passed on unless its name is one of its own aggregates; without FORWARD_ALL nothing raw is.
 */
export function createAggregatorStages(options: AggregatorStageOptions, sinks: AggregatorSinks): AggregatorStages {
  const clock = options.clock ?? systemClock;
  const forwardAll = options.forwardAll ?? true;
  const logMisses = options.logAggregatorMisses ?? true;
  const ruleSetOptions = {
    cacheMax: options.cacheMetricNamesMax ?? 0,
    cacheTtl: options.cacheMetricNamesTtl ?? 0,
    now: () => clock.now(),
  };
  const buffers = new BufferManager(
    clock,
    {
      maxAggregationIntervals: options.maxAggregationIntervals ?? 5,
      writeBackFrequency: options.writeBackFrequency ?? null,
      latenessWindow: options.latenessWindow ?? 0,
    },
    sinks.generated,
  );

  let rules = options.rules ?? new AggregationRuleSet([], ruleSetOptions);
  let pre = options.rewritePre ?? EMPTY_REWRITE_SET;
  let post = options.rewritePost ?? EMPTY_REWRITE_SET;
  const reloaders: FileReloader[] = [];

  const aggFile = options.aggregationRulesFile;
  if (aggFile !== undefined) {
    if (!existsSync(aggFile)) throw new AggregatorConfigError(`aggregation processor: file does not exist ${aggFile} (set AGGREGATION_RULES or create the file; carbon-aggregator refuses to start without it)`);
    rules = loadAggregationRules(aggFile, ruleSetOptions);
    const reloader = new FileReloader(aggFile, {
      onMissing: () => {
        rules = new AggregationRuleSet([], ruleSetOptions);
      },
      onChanged: () => {
        log.info(`reading new aggregation rules from ${aggFile}`);
        const next = loadAggregationRules(aggFile, ruleSetOptions);
        if (buffers.settings.latenessWindow > 0) {
          // carbon drops every buffer here, which would turn the next point of each interval into a
          // partial aggregate; with a lateness window the intervals are kept until they age out.
          log.info('keeping aggregation buffers (AGGREGATION_LATENESS_WINDOW is set)');
        } else {
          log.info('clearing aggregation buffers');
          buffers.clear();
        }
        rules = next;
      },
      onError: (err) => {
        log.error({ err }, `${(err as Error).message}; keeping the previous aggregation rules and no longer re-reading ${aggFile} (as carbon)`);
        return false;
      },
    }, clock);
    reloader.markRead();
    reloaders.push(reloader);
  }

  const rwFile = options.rewriteRulesFile;
  if (rwFile !== undefined) {
    const applyRewriteFile = (): void => {
      const parsed = loadRewriteRules(rwFile);
      if (parsed === null) {
        pre = EMPTY_REWRITE_SET;
        post = EMPTY_REWRITE_SET;
        return;
      }
      for (const r of parsed.rejected) log.error(`${r.file}:${r.line}: ${r.reason} (in: ${r.text}); rule skipped`);
      const preRules = parsed.sections.get('pre');
      const postRules = parsed.sections.get('post');
      if (preRules) pre = new RewriteRuleSet(preRules);
      if (postRules) post = new RewriteRuleSet(postRules);
    };
    applyRewriteFile();
    const reloader = new FileReloader(rwFile, {
      onMissing: () => {
        pre = EMPTY_REWRITE_SET;
        post = EMPTY_REWRITE_SET;
      },
      onChanged: applyRewriteFile,
      onError: (err) => {
        log.error({ err }, `failed to re-read ${rwFile}`);
        return true;
      },
    }, clock);
    reloader.markRead();
    reloaders.push(reloader);
  }

  const forwardBatch = new MetricBatch(1024);
  const missLimiter = new RateLimiter(10_000);
  const errorLimiter = new RateLimiter(10_000);

  const input: BatchSink = (batch) => {
    const n = batch.length;
    const names = batch.names;
    const ids = batch.nameIds;
    const values = batch.values;
    const timestamps = batch.timestamps;
    const currentRules = rules;
    const currentPre = pre;
    const currentPost = post;
    for (let i = 0; i < n; i++) {
      const name = currentPre.apply(names[i]);
      const plan = currentRules.plan(name);
      const matched = plan.rules.length;
      if (matched > 0) feed(plan, timestamps[i], values[i]);
      if (plan.error !== null) {
        stats.increment(AGGREGATE_ERRORS_COUNTER);
        if (errorLimiter.allow(plan.error.message) >= 0) log.error(`${plan.error.message}; point for ${name} lost (as in carbon)`);
        continue;
      }
      if (!forwardAll || !plan.nameIsNotAnAggregate) continue;
      if (matched === 0 && logMisses) {
        const suppressed = missLimiter.allow('miss');
        if (suppressed >= 0) {
          const more = suppressed > 0 ? ` (${suppressed} more unmatched points since the last such message)` : '';
          log.info(`Couldn't match metric ${name} with any aggregation rule. Passing on un-aggregated.${more}`);
        }
      }
      // The receiver's name slot goes along: the relay's route cache checks it against the name.
      forwardBatch.pushNamed(currentPost.apply(name), ids[i], values[i], timestamps[i]);
    }
    buffers.publishGauges();
    if (forwardBatch.length > 0) {
      try {
        sinks.forward(forwardBatch);
      } catch (err) {
        // As carbon's run_pipeline: a failing later stage costs these points, not the receiver.
        stats.increment(FORWARD_ERRORS_COUNTER, forwardBatch.length);
        if (errorLimiter.allow('forward') >= 0) log.error({ err }, `forwarding ${forwardBatch.length} points failed; they are lost`);
      } finally {
        forwardBatch.clear();
      }
    }
  };

  function feed(plan: AggregationPlan, timestamp: number, value: number): void {
    let cached = plan.buffers as (MetricBuffer | null)[] | null;
    if (cached === null) {
      cached = new Array<MetricBuffer | null>(plan.rules.length).fill(null);
      plan.buffers = cached;
    }
    for (let r = 0; r < plan.rules.length; r++) {
      let buf = cached[r];
      if (buf === null || !buf.alive) {
        buf = buffers.getBuffer(plan.aggregateNames[r]);
        cached[r] = buf;
      }
      if (!buf.configured) buf.configure(plan.rules[r].frequency, plan.rules[r].method);
      buf.input(timestamp, value);
    }
  }

  return {
    input,
    buffers,
    get rules() {
      return rules;
    },
    start() {
      for (const r of reloaders) r.start();
    },
    stop() {
      for (const r of reloaders) r.stop();
      buffers.clear();
    },
    reloadNow() {
      for (const r of reloaders) r.check();
    },
    aggregateNames(metric) {
      return aggregateNamesFor(rules, metric);
    },
    explain(metric) {
      return explainMetric(metric, pre, rules, post, forwardAll);
    },
  };
}

/**
 * The aggregate names `metric` feeds under every rule (carbon's aggregated-consistent-hashing
 * router); the metric itself when it feeds none.
 */
export function aggregateNamesFor(rules: AggregationRuleSet, metric: string): string[] {
  const names = rules.plan(metric).aggregateNames;
  return names.length > 0 ? [...names] : [metric];
}
