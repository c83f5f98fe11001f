import { rmSync, writeFileSync } from 'node:fs';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { FakeClock } from '../../src/pipeline/aggregate/clock.js';
import { AGGREGATE_ERRORS_COUNTER, createAggregatorStages, type AggregatorStageOptions } from '../../src/pipeline/aggregate/stages.js';
import { stats } from '../../src/instrumentation/counters.js';

/** A timed input stream, run the same way through carbon-ts here and Python carbon in the driver. */
export interface Scenario {
  rules: string;
  rewrite?: string | null;
  settings?: Record<string, number | boolean | null>;
  start: number;
  events: (
    | { advance: number }
    | { points: [string, number, number][] }
    | { write: 'rules' | 'rewrite'; text: string }
    | { remove: 'rules' | 'rewrite' }
  )[];
}

/** [name, timestamp, value, emitted-at] */
export type Emission = [string, number, number, number];

export interface ScenarioResult {
  generated: Emission[];
  forwarded: Emission[];
  lost: number;
}

export function runScenarioInCarbonTs(s: Scenario, extra: Partial<AggregatorStageOptions> = {}): ScenarioResult {
  const clock = new FakeClock(s.start);
  const generated: Emission[] = [];
  const forwarded: Emission[] = [];
  const collect = (into: Emission[]) => (b: MetricBatch) => {
    for (let i = 0; i < b.length; i++) into.push([b.names[i], b.timestamps[i], b.values[i], clock.now()]);
  };
  const set = s.settings ?? {};
  const stages = createAggregatorStages(
    {
      aggregationRulesFile: s.rules,
      rewriteRulesFile: s.rewrite ?? undefined,
      forwardAll: (set.FORWARD_ALL as boolean | undefined) ?? true,
      maxAggregationIntervals: (set.MAX_AGGREGATION_INTERVALS as number | undefined) ?? 5,
      writeBackFrequency: (set.WRITE_BACK_FREQUENCY as number | null | undefined) ?? null,
      cacheMetricNamesMax: (set.CACHE_METRIC_NAMES_MAX as number | undefined) ?? 0,
      cacheMetricNamesTtl: (set.CACHE_METRIC_NAMES_TTL as number | undefined) ?? 0,
      logAggregatorMisses: false,
      clock,
      ...extra,
    },
    { forward: collect(forwarded), generated: collect(generated) },
  );
  const batch = new MetricBatch(16);
  const errorsBefore = stats.get(AGGREGATE_ERRORS_COUNTER);
  stages.start();
  for (const ev of s.events) {
    if ('write' in ev) {
      writeFileSync(ev.write === 'rules' ? s.rules : s.rewrite!, ev.text);
      continue;
    }
    if ('remove' in ev) {
      rmSync(ev.remove === 'rules' ? s.rules : s.rewrite!);
      continue;
    }
    if ('advance' in ev) {
      clock.advance(ev.advance);
      continue;
    }
    batch.clear();
    for (const [name, ts, value] of ev.points) batch.push(name, value, ts);
    stages.input(batch);
  }
  stages.stop();
  return { generated, forwarded, lost: stats.get(AGGREGATE_ERRORS_COUNTER) - errorsBefore };
}
