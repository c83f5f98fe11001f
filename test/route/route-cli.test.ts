import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { routeReport, routerFromConfig } from '../../src/cli/route.js';
import { formatRouteReportJson, formatRouteReportText } from '../../src/pipeline/route/route-report.js';

const dir = mkdtempSync(join(tmpdir(), 'route-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function conf(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const DESTS = 'DESTINATIONS = 10.0.0.1:2004:a, 10.0.0.2:2004:b, 10.0.0.3:2004:c\n';

describe('carbon-ts route', () => {
  it('answers from carbon.conf [relay] as the relay routes (spec §4.7 cells)', () => {
    const path = conf('ch.conf', `[relay]\nRELAY_METHOD = consistent-hashing\nREPLICATION_FACTOR = 2\n${DESTS}`);
    const router = routerFromConfig({ config: path, program: 'relay', instance: 'a' });
    const json = JSON.parse(formatRouteReportJson(routeReport(router, 'foo')));
    expect(Object.keys(json).slice(0, 2)).toEqual(['metric', 'destinations']);
    expect(json).toMatchObject({ metric: 'foo', destinations: ['10.0.0.3:2004:c', '10.0.0.1:2004:a'] });
    const text = formatRouteReportText(routeReport(router, 'foo.bar'));
    expect(text.split('\n')).toEqual([
      'foo.bar',
      '  ring: consistent-hashing (carbon_ch) over 3 destination(s), replication 2, diverse replicas on',
      '  primary  10.0.0.3:2004:c',
      '  replica  10.0.0.2:2004:b',
    ]);
  });
  it('uses the instance overlay and relay-rules.conf from CONF_DIR', () => {
    conf('relay-rules.conf', '[web]\npattern = ^web\\.\ndestinations = 10.0.0.2:2004:b\n[default]\ndefault = true\ndestinations = 10.0.0.1:2004:a\n');
    const path = conf('rules.conf', `[relay]\nRELAY_METHOD = consistent-hashing\n${DESTS}\n[relay:b]\nRELAY_METHOD = rules\n`);
    const router = routerFromConfig({ config: path, program: 'relay', instance: 'b' });
    const report = routeReport(router, 'WEB.x');
    expect(report.destinations.map((d) => d.key)).toEqual(['10.0.0.2:2004:b']);
    expect(formatRouteReportText(report)).toContain('rules: rule [web] (line 1): pattern ^web\\.');
    expect(formatRouteReportText(routeReport(router, 'other'))).toContain('primary  10.0.0.1:2004:a');
  });
  it('forces consistent-hashing for the aggregator, and feeds aggregated routers the aggregation rules', () => {
    const agg = conf('agg.conf', `[aggregator]\nRELAY_METHOD = rules\n${DESTS}\n[relay]\nRELAY_METHOD = aggregated-consistent-hashing\n${DESTS}`);
    conf('aggregation-rules.conf', '<env>.applications.<app>.all.requests (60) = sum <env>.applications.<app>.*.requests\n');
    const aggregator = routerFromConfig({ config: agg, program: 'aggregator', instance: 'a' });
    expect(aggregator.explain('x')[0].detail).toMatchObject({ method: 'consistent-hashing (carbon_ch)' });
    const relay = routerFromConfig({ config: agg, program: 'relay', instance: 'a' });
    for (const m of ['prod.applications.api.www01.requests', 'prod.applications.api.www02.requests']) {
      expect(relay.getDestinations(m).map((d) => d.instance)).toEqual(['c']);
    }
    expect(relay.explain('prod.applications.api.www01.requests')[0].summary).toBe(
      'routed by the aggregate(s) it feeds: prod.applications.api.all.requests',
    );
    expect(relay.explain('foo')[0].summary).toBe('feeds no aggregation rule: routed by its own name');
  });
  it('says when a name has no destination', () => {
    conf('rr2.conf', '[default]\ndefault = true\ndestinations = 10.9.9.9:2004\n');
    const path = conf('none.conf', `[relay]\nRELAY_METHOD = rules\n${DESTS}`);
    const router = routerFromConfig({ config: path, program: 'relay', instance: 'a', rules: join(dir, 'rr2.conf') });
    expect(formatRouteReportText(routeReport(router, 'x'))).toContain('no destination');
    expect(JSON.parse(formatRouteReportJson(routeReport(router, 'x'))).destinations).toEqual([]);
  });
});
