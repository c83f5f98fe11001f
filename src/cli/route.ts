import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { loadSettings, type Program } from '../config/carbon-conf.js';
import { toExplanationSections } from '../pipeline/aggregate/explain.js';
import { createAggregateNameResolver } from '../pipeline/aggregate/name-resolver.js';
import { createAggregatorStages, type AggregatorStages } from '../pipeline/aggregate/stages.js';
import { createRouter } from '../pipeline/route/create-router.js';
import type { ExplainingRouter } from '../pipeline/route/explanation.js';
import { parseDestinations } from '../pipeline/route/parse-destination.js';
import { formatRouteReportJson, formatRouteReportText, type RouteReport } from '../pipeline/route/route-report.js';

interface RouteOptions {
  config?: string;
  json?: boolean;
  program: string;
  instance: string;
  rules?: string;
  aggregationRules?: string;
  rewriteRules?: string;
}

/** What a name goes through: the aggregator's stages (aggregator programs) and the router (relay, aggregator). */
export interface RoutePipeline {
  router: ExplainingRouter | null;
  aggregator: AggregatorStages | null;
}

/**
 * The router a running relay (or aggregator, whose RELAY_METHOD carbon forces to consistent-hashing)
 * builds from the same carbon.conf, so `route` gives the daemon's answer.
 */
export function routerFromConfig(opts: RouteOptions): ExplainingRouter {
  const router = pipelineFromConfig(opts).router;
  if (!router) throw new Error(`carbon-${opts.program} does not route: it writes to its own cache`);
  return router;
}

const ROUTE_PROGRAMS = ['relay', 'aggregator', 'aggregator-cache'];

/** The stages the daemon `--program` builds from the same carbon.conf, so `route` gives the daemon's answer. */
export function pipelineFromConfig(opts: RouteOptions): RoutePipeline {
  if (!ROUTE_PROGRAMS.includes(opts.program)) {
    throw new Error(`--program must be one of ${ROUTE_PROGRAMS.join(', ')}, not '${opts.program}'`);
  }
  const isAggregator = opts.program !== 'relay';
  const settings = loadSettings({
    configPath: opts.config,
    program: opts.program as Program,
    instance: opts.instance,
    rules: opts.rules,
    aggregationRules: opts.aggregationRules,
    rewriteRules: opts.rewriteRules,
    requireStorageSchemas: false,
  });
  const aggregator = isAggregator
    ? createAggregatorStages(
        { aggregationRulesFile: settings.aggregationRulesPath, rewriteRulesFile: settings.rewriteRulesPath, forwardAll: settings.FORWARD_ALL },
        { forward: () => {}, generated: () => {} },
      )
    : null;
  if (opts.program === 'aggregator-cache') return { router: null, aggregator };
  const method = opts.program === 'aggregator' ? 'consistent-hashing' : settings.RELAY_METHOD;
  const aggregated = method === 'aggregated-consistent-hashing' || method === 'fast-aggregated-hashing';
  const router = createRouter({
    RELAY_METHOD: method,
    DESTINATIONS: parseDestinations(settings.DESTINATIONS),
    REPLICATION_FACTOR: settings.REPLICATION_FACTOR,
    DIVERSE_REPLICAS: settings.DIVERSE_REPLICAS,
    ROUTER_HASH_TYPE: settings.ROUTER_HASH_TYPE,
    TAG_RELAY_NORMALIZED: settings.TAG_RELAY_NORMALIZED,
    relayRulesPath: settings.relayRulesPath,
    aggregateNamesOf: aggregated ? createAggregateNameResolver(settings.aggregationRulesPath).aggregateNames : undefined,
  });
  return { router, aggregator };
}

export function routeReport(router: ExplainingRouter, metric: string): RouteReport {
  return { metric, destinations: router.getDestinations(metric), sections: router.explain(metric) };
}

/**
 * For the aggregator programs: rewrite:pre, the aggregation rules and outputs the name feeds, rewrite:post,
 * then where the forwarded raw point goes (its destinations are the report's) and where each aggregate goes.
 */
export function pipelineReport(p: RoutePipeline, metric: string): RouteReport {
  if (!p.aggregator) return routeReport(p.router!, metric);
  const e = p.aggregator.explain(metric);
  const sections = toExplanationSections(e);
  if (!p.router) {
    sections.push({ stage: 'write', summary: 'aggregates and forwarded points are written to this daemon\'s cache' });
    return { metric, destinations: [], sections };
  }
  for (const a of e.aggregates) {
    const dests = p.router.getDestinations(a.output);
    sections.push({ stage: 'aggregate-route', summary: `${a.output} → ${dests.map((d) => d.key).join(', ') || 'no destination'}`, detail: { aggregate: a.output, destinations: dests.map((d) => d.key) } });
  }
  if (e.forwardedAs === null) return { metric, destinations: [], sections };
  sections.push(...p.router.explain(e.forwardedAs));
  return { metric, destinations: p.router.getDestinations(e.forwardedAs), sections };
}

async function* metricNames(args: string[]): AsyncGenerator<string> {
  if (args.length > 0) {
    yield* args;
    return;
  }
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const name = line.trim();
    if (name !== '') yield name;
  }
}

export function registerRouteCommand(program: Command): void {
  program
    .command('route')
    .description('show where the relay sends each metric: the rule or ring that decided, and the destinations (primary first)')
    .argument('[metrics...]', 'metric names (read from stdin, one per line, when none are given)')
    .option('--config <file>', 'carbon.conf (default: $GRAPHITE_CONF_DIR/carbon.conf or $GRAPHITE_ROOT/conf/carbon.conf)')
    .option('--json', 'one JSON object per line: {"metric": ..., "destinations": [...], "explanation": [...]}')
    .option('--program <name>', 'relay, aggregator or aggregator-cache (which carbon.conf section and stages)', 'relay')
    .option('--instance <name>', 'daemon instance ([relay:NAME] overlay)', 'a')
    .option('--rules <file>', 'relay-rules.conf (relay) or aggregation-rules.conf (aggregators); default from carbon.conf')
    .option('--rewrite-rules <file>', 'rewrite-rules.conf (aggregators; default CONF_DIR/REWRITE_RULES)')
    .option('--aggregation-rules <file>', 'aggregation-rules.conf for the aggregated methods (default: CONF_DIR/AGGREGATION_RULES)')
    .action(async (metrics: string[], opts: RouteOptions) => {
      const pipeline = pipelineFromConfig(opts);
      const format = opts.json ? formatRouteReportJson : formatRouteReportText;
      for await (const metric of metricNames(metrics)) {
        process.stdout.write(format(pipelineReport(pipeline, metric)) + '\n');
      }
    });
}
