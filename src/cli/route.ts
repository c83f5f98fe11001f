import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { loadSettings, type Program } from '../config/carbon-conf.js';
import { createAggregateNameResolver } from '../pipeline/aggregate/name-resolver.js';
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
}

/**
 * The router a running relay (or aggregator, whose RELAY_METHOD carbon forces to consistent-hashing)
 * builds from the same carbon.conf, so `route` gives the daemon's answer.
 */
export function routerFromConfig(opts: RouteOptions): ExplainingRouter {
  if (opts.program !== 'relay' && opts.program !== 'aggregator') {
    throw new Error(`--program must be relay or aggregator, not '${opts.program}'`);
  }
  const settings = loadSettings({
    configPath: opts.config,
    program: opts.program as Program,
    instance: opts.instance,
    rules: opts.program === 'relay' ? opts.rules : undefined,
    aggregationRules: opts.aggregationRules,
    requireStorageSchemas: false,
  });
  const method = opts.program === 'aggregator' ? 'consistent-hashing' : settings.RELAY_METHOD;
  const aggregated = method === 'aggregated-consistent-hashing' || method === 'fast-aggregated-hashing';
  return createRouter({
    RELAY_METHOD: method,
    DESTINATIONS: parseDestinations(settings.DESTINATIONS),
    REPLICATION_FACTOR: settings.REPLICATION_FACTOR,
    DIVERSE_REPLICAS: settings.DIVERSE_REPLICAS,
    ROUTER_HASH_TYPE: settings.ROUTER_HASH_TYPE,
    TAG_RELAY_NORMALIZED: settings.TAG_RELAY_NORMALIZED,
    relayRulesPath: settings.relayRulesPath,
    aggregateNamesOf: aggregated ? createAggregateNameResolver(settings.aggregationRulesPath).aggregateNames : undefined,
  });
}

export function routeReport(router: ExplainingRouter, metric: string): RouteReport {
  return { metric, destinations: router.getDestinations(metric), sections: router.explain(metric) };
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
    .option('--program <name>', 'relay or aggregator (which carbon.conf section to read)', 'relay')
    .option('--instance <name>', 'daemon instance ([relay:NAME] overlay)', 'a')
    .option('--rules <file>', 'relay-rules.conf (default: CONF_DIR/RELAY_RULES)')
    .option('--aggregation-rules <file>', 'aggregation-rules.conf for the aggregated methods (default: CONF_DIR/AGGREGATION_RULES)')
    .action(async (metrics: string[], opts: RouteOptions) => {
      const router = routerFromConfig(opts);
      const format = opts.json ? formatRouteReportJson : formatRouteReportText;
      for await (const metric of metricNames(metrics)) {
        process.stdout.write(format(routeReport(router, metric)) + '\n');
      }
    });
}
