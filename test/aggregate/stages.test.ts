import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { stats } from '../../src/instrumentation/counters.js';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { AGGREGATOR_COUNTERS } from '../../src/pipeline/aggregate/buffers.js';
import { FakeClock } from '../../src/pipeline/aggregate/clock.js';
import { AggregatorConfigError, createAggregatorStages, FORWARD_ERRORS_COUNTER, toExplanationSections, type AggregatorStageOptions } from '../../src/pipeline/aggregate/stages.js';

const dir = mkdtempSync(join(tmpdir(), 'carbon-ts-agg-stages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function file(text: string): string {
  const f = join(dir, `f${fileNo++}.conf`);
  writeFileSync(f, text);
  return f;
}

type Out = [string, number, number];
function setup(rules: string, options: Partial<AggregatorStageOptions> = {}, rewrite?: string) {
  const clock = new FakeClock(1000);
  const forwarded: Out[] = [];
  const generated: (Out | number)[][] = [];
  const stages = createAggregatorStages(
    { aggregationRulesFile: file(rules), rewriteRulesFile: rewrite === undefined ? undefined : file(rewrite), logAggregatorMisses: false, clock, ...options },
    {
      forward: (b) => {
        for (let i = 0; i < b.length; i++) forwarded.push([b.names[i], b.timestamps[i], b.values[i]]);
      },
      generated: (b) => {
        for (let i = 0; i < b.length; i++) generated.push([b.names[i], b.timestamps[i], b.values[i], clock.now()]);
      },
    },
  );
  const send = (...points: [string, number, number][]) => {
    const batch = new MetricBatch(2);
    for (const [n, ts, v] of points) batch.push(n, v, ts);
    stages.input(batch);
  };
  return { clock, forwarded, generated, stages, send };
}

beforeEach(() => stats.reset());

describe('aggregator stage assembly', () => {
  const RULES = 'x.all.requests (10) = sum x.*.requests\n';

  it('forwards raw inputs, but not one whose name is its own aggregate', () => {
    const t = setup(RULES);
    t.send(['x.a.requests', 1000, 1], ['x.all.requests', 1000, 5], ['other', 1000, 2]);
    expect(t.forwarded).toEqual([
      ['x.a.requests', 1000, 1],
      ['other', 1000, 2],
    ]);
    t.clock.advance(10);
    expect(t.generated).toEqual([['x.all.requests', 1000, 6, 1010]]);
  });

  it('forwards nothing raw without FORWARD_ALL, not even unmatched names', () => {
    const t = setup(RULES, { forwardAll: false });
    t.send(['x.a.requests', 1000, 1], ['other', 1000, 2]);
    expect(t.forwarded).toEqual([]);
  });

  it('applies [pre] before aggregation and [post] only to forwarded raw points, never to aggregates', () => {
    const t = setup(RULES, {}, '[pre]\n^y\\. = x.\n[post]\n\\.requests$ = .POST\n');
    t.send(['y.a.requests', 1000, 3]);
    expect(t.forwarded).toEqual([['x.a.POST', 1000, 3]]);
    t.clock.advance(10);
    expect(t.generated).toEqual([['x.all.requests', 1000, 3, 1010]]);
  });

  it('emits an interval once per period while it gets values, re-emits all values after a late point, expires old intervals', () => {
    const t = setup(RULES, { maxAggregationIntervals: 2 });
    t.send(['x.a.requests', 1000, 100], ['x.b.requests', 1005, 6]);
    t.clock.advance(10);
    t.clock.advance(10); // nothing new: nothing emitted
    t.send(['x.a.requests', 1002, 4]); // late for an emitted interval
    t.clock.advance(10);
    expect(t.generated).toEqual([
      ['x.all.requests', 1000, 106, 1010],
      ['x.all.requests', 1000, 110, 1030],
    ]);
    t.clock.advance(10); // 1040: threshold 1040-20=1020 > 1000: interval deleted, buffer destroyed
    expect(t.stages.buffers.size).toBe(0);
    expect(stats.get(AGGREGATOR_COUNTERS.sent)).toBe(2);
  });

  it('still emits a very old point once (carbon), with timers starting at the first point', () => {
    const t = setup(RULES);
    t.clock.advance(3.5);
    t.send(['x.a.requests', 900, 1]);
    t.clock.advance(9.9);
    expect(t.generated).toEqual([]);
    t.clock.advance(0.1);
    expect(t.generated).toEqual([['x.all.requests', 900, 1, 1013.5]]);
  });

  it('computes every min(WRITE_BACK_FREQUENCY, frequency) seconds', () => {
    const t = setup(RULES, { writeBackFrequency: 3 });
    t.send(['x.a.requests', 1000, 1]);
    t.clock.advance(3);
    t.send(['x.a.requests', 1001, 2]);
    t.clock.advance(3);
    expect(t.generated).toEqual([
      ['x.all.requests', 1000, 1, 1003],
      ['x.all.requests', 1000, 3, 1006],
    ]);
  });

  it('shares one buffer between rules giving the same aggregate name, configured by the first', () => {
    const t = setup('x.all.requests (10) = sum x.*.requests\nx.all.requests (60) = max x.a.*\n');
    t.send(['x.a.requests', 1000, 2]);
    t.clock.advance(10);
    expect(t.generated).toEqual([['x.all.requests', 1000, 4, 1010]]); // fed twice, summed, 10 s period
  });

  it('loses a point whose template names a missing field, after feeding earlier rules (carbon)', () => {
    const t = setup('x.all (10) = sum x.*\n<nope>.y (10) = sum x.*\n');
    t.send(['x.a', 1000, 2]);
    expect(t.forwarded).toEqual([]);
    t.clock.advance(10);
    expect(t.generated).toEqual([['x.all', 1000, 2, 1010]]);
  });

  it('counts and survives a forward sink that throws', () => {
    const clock = new FakeClock(1000);
    const stages = createAggregatorStages(
      { aggregationRulesFile: file(RULES), clock },
      {
        forward: () => {
          throw new Error('down');
        },
        generated: () => {},
      },
    );
    const b = new MetricBatch(2);
    b.push('other', 1, 1000);
    expect(() => stages.input(b)).not.toThrow();
    expect(stats.get(FORWARD_ERRORS_COUNTER)).toBe(1);
  });

  it('stops cleanly: no timer left behind, nothing emitted afterwards', () => {
    const t = setup(RULES, {}, '[pre]\na = b\n');
    t.stages.start();
    t.send(['x.a.requests', 1000, 1], ['x.b.requests', 1000, 1]);
    expect(t.clock.pendingCount()).toBe(3); // two rule-file polls and one buffer
    t.stages.stop();
    expect(t.clock.pendingCount()).toBe(0);
    t.clock.advance(100);
    expect(t.generated).toEqual([]);
  });

  it('fails at startup when the rules file is missing, naming it', () => {
    expect(() => createAggregatorStages({ aggregationRulesFile: join(dir, 'nope.conf') }, { forward: () => {}, generated: () => {} })).toThrow(
      AggregatorConfigError,
    );
  });

  it('reloads changed rules, dropping all buffers; a bad reload keeps the old rules', () => {
    const t = setup(RULES);
    const f = join(dir, `f${fileNo - 1}.conf`);
    t.send(['x.a.requests', 1000, 1]);
    writeFileSync(f, 'z.all (10) = sum z.*\n');
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    t.stages.reloadNow();
    expect(t.stages.buffers.size).toBe(0);
    expect(t.stages.aggregateNames('z.q')).toEqual(['z.all']);
    writeFileSync(f, 'broken line\n');
    utimesSync(f, new Date(), new Date(Date.now() + 10000));
    t.stages.reloadNow();
    expect(t.stages.aggregateNames('z.q')).toEqual(['z.all']);
  });

  it('explains a name: rewrites, rules fed and forwarding', () => {
    const t = setup(RULES, {}, '[pre]\n^y\\. = x.\n[post]\n\\.requests$ = .POST\n');
    const e = t.stages.explain('y.a.requests');
    expect(e.aggregatorInput).toBe('x.a.requests');
    expect(e.rewritePre).toEqual([{ pattern: '^y\\.', replacement: 'x.', line: 2, output: 'x.a.requests' }]);
    expect(e.aggregates.map((a) => [a.output, a.method, a.frequency, a.line])).toEqual([['x.all.requests', 'sum', 10, 1]]);
    expect(e.forwardedAs).toBe('x.a.POST');
    expect(t.stages.aggregateNames('unrelated')).toEqual(['unrelated']);
    expect(toExplanationSections(e).map((x) => `${x.stage}: ${x.summary}`)).toEqual([
      'rewrite:pre: ^y\\. = x. (line 2) → x.a.requests',
      'aggregation: feeds x.all.requests (sum every 10 s, line 1)',
      'rewrite:post: \\.requests$ = .POST (line 4) → x.a.POST',
      'forward: raw point forwarded as x.a.POST',
    ]);
    expect(toExplanationSections(t.stages.explain('x.all.requests')).at(-1)!.summary).toBe(
      'raw point not forwarded (its name is one of its own aggregates)',
    );
  });
});

describe('late-data window (AGGREGATION_LATENESS_WINDOW)', () => {
  const RULES = 'x.all (10) = sum x.*\n';

  it('keeps intervals for the window, re-emits them complete, drops and counts points beyond it', () => {
    const t = setup(RULES, { latenessWindow: 120, maxAggregationIntervals: 1 });
    t.send(['x.a', 1000, 1], ['x.b', 1000, 2]);
    t.clock.advance(10);
    t.clock.advance(50); // 1060: carbon alone would have deleted interval 1000 (threshold 1050)
    t.send(['x.a', 1001, 4]);
    t.clock.advance(10);
    expect(t.generated).toEqual([
      ['x.all', 1000, 3, 1010],
      ['x.all', 1000, 7, 1070],
    ]);
    expect(stats.get(AGGREGATOR_COUNTERS.latePointsArrived)).toBe(1);
    expect(stats.get(AGGREGATOR_COUNTERS.intervalsReEmitted)).toBe(1);
    t.clock.advance(70); // 1140: 1000+10+120 <= 1140, interval let go
    t.send(['x.a', 1002, 100]);
    t.clock.advance(10);
    expect(t.generated).toHaveLength(2);
    expect(stats.get(AGGREGATOR_COUNTERS.pointsTooLate)).toBe(1);
  });

  it('does not keep a buffer alive for a series whose only point was too late', () => {
    const t = setup(RULES, { latenessWindow: 30 });
    t.send(['x.a', 100, 1]);
    expect(stats.get(AGGREGATOR_COUNTERS.pointsTooLate)).toBe(1);
    t.clock.advance(10);
    expect(t.stages.buffers.size).toBe(0);
    expect(t.generated).toEqual([]);
  });

  it('does not count points for the current interval as late after a mid-interval emission', () => {
    const t = setup(RULES, { latenessWindow: 60, writeBackFrequency: 3 });
    t.send(['x.a', 1000, 1]);
    t.clock.advance(3); // 1003: interval 1000 emitted while still current
    t.send(['x.a', 1004, 1]);
    t.clock.advance(3);
    expect(t.generated).toHaveLength(2);
    expect(stats.get(AGGREGATOR_COUNTERS.latePointsArrived)).toBe(0);
    expect(stats.get(AGGREGATOR_COUNTERS.intervalsReEmitted)).toBe(0);
  });

  it('keeps buffers across a rules reload, so the interval stays complete', () => {
    const t = setup(RULES, { latenessWindow: 60 });
    const f = join(dir, `f${fileNo - 1}.conf`);
    t.send(['x.a', 1000, 1]);
    t.clock.advance(10);
    writeFileSync(f, RULES + 'y.all (10) = sum y.*\n');
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    t.stages.reloadNow();
    t.send(['x.a', 1001, 2]);
    t.clock.advance(10);
    expect(t.generated).toEqual([
      ['x.all', 1000, 1, 1010],
      ['x.all', 1000, 3, 1020],
    ]);
  });

  it('counts nothing new when the window is 0 (carbon behaviour)', () => {
    const t = setup(RULES);
    t.send(['x.a', 1000, 1]);
    t.clock.advance(10);
    t.send(['x.a', 1000, 1], ['x.a', 100, 1]);
    t.clock.advance(10);
    expect(t.generated).toHaveLength(3);
    expect(stats.get(AGGREGATOR_COUNTERS.latePointsArrived)).toBe(0);
    expect(stats.get(AGGREGATOR_COUNTERS.pointsTooLate)).toBe(0);
  });
});
