import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAggregateNameResolver } from '../../src/pipeline/aggregate/name-resolver.js';

const dir = mkdtempSync(join(tmpdir(), 'carbon-ts-agg-resolver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('aggregate names for the aggregated-* routers', () => {
  it('lists the aggregate of every matching rule (not first match), else the metric itself', () => {
    const f = join(dir, 'a.conf');
    writeFileSync(f, '<env>.applications.<app>.all.requests (60) = sum <env>.applications.<app>.*.requests\n<env>.total (60) = sum <env>.applications.*.*.requests\n');
    const r = createAggregateNameResolver(f);
    expect(r.aggregateNames('prod.applications.api.www01.requests')).toEqual(['prod.applications.api.all.requests', 'prod.total']);
    expect(r.aggregateNames('other.metric')).toEqual(['other.metric']);
  });

  it('treats a missing file as no rules (as the relay router does)', () => {
    const r = createAggregateNameResolver(join(dir, 'missing.conf'));
    expect(r.aggregateNames('a.b')).toEqual(['a.b']);
  });

  it('fails on a malformed file, naming file and line', () => {
    const f = join(dir, 'bad.conf');
    writeFileSync(f, '\n\nnot a rule\n');
    expect(() => createAggregateNameResolver(f)).toThrow(`${f}:3:`);
  });
});
