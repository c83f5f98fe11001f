import type { Destination } from './destination.js';
import type { ExplanationSection } from './explanation.js';

/** What `carbon-ts route` says about one name. */
export interface RouteReport {
  readonly metric: string;
  /** Primary first, then replicas. */
  readonly destinations: readonly Destination[];
  /** Pipeline steps in order (rewrite, aggregation, tags, rule or ring). */
  readonly sections: readonly ExplanationSection[];
}

/**
 * `--json`: one object per line, `metric` and `destinations` (as `host:port:instance`) first, then
 * `explanation` (the sections as they are).
 */
export function formatRouteReportJson(report: RouteReport): string {
  return JSON.stringify({
    metric: report.metric,
    destinations: report.destinations.map((d) => d.key),
    explanation: report.sections,
  });
}

/**
 * Text form:
 *
 *     servers.web01.cpu.load
 *       consistent-hashing: consistent-hashing (carbon_ch) ring over 3 destination(s), …
 *       primary  10.0.0.1:2004:a
 *       replica  10.0.0.2:2004:b
 */
export function formatRouteReportText(report: RouteReport): string {
  const lines = [report.metric];
  for (const s of report.sections) lines.push(`  ${s.stage}: ${s.summary}`);
  if (report.destinations.length === 0) {
    lines.push('  no destination (carbon holds such points in its "no destination" buffer)');
  }
  report.destinations.forEach((d, i) => lines.push(`  ${i === 0 ? 'primary' : 'replica'}  ${d.key}`));
  return lines.join('\n');
}
