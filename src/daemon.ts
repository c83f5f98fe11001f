import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ConfigError, loadSettings, type Settings } from './config/carbon-conf.js';
import { RegexList } from './config/lists.js';
import { isKnownWriteStrategy } from './cache/write-strategies.js';
import { unsupportedSettings } from './config/unsupported-options.js';
import { loadStorageAggregation } from './config/storage-aggregation.js';
import { loadStorageSchemas } from './config/storage-schemas.js';
import { CacheWriter, type AggregationMatcher, type SchemaMatcher } from './cache/cache-writer.js';
import { MetricCache } from './cache/metric-cache.js';
import { CarbonLinkServer } from './carbonlink/carbonlink-server.js';
import type { PidFile } from './daemon/pidfile.js';
import { checkCanBecome, dropPrivileges, lookupAccount } from './daemon/user.js';
import { stats } from './instrumentation/counters.js';
import { AGGREGATOR_COUNTERS } from './pipeline/aggregate/buffers.js';
import { metricKindFor, SelfMetrics } from './instrumentation/self-metrics.js';
import { configureLogging, flushLogs, getLogger } from './logging.js';
import { createAggregateNameResolver } from './pipeline/aggregate/name-resolver.js';
import { createAggregatorStages, type AggregatorStages } from './pipeline/aggregate/stages.js';
import type { BatchSink, MetricBatch } from './pipeline/batch.js';
import { createRouter } from './pipeline/route/create-router.js';
import type { Router } from './pipeline/route/destination.js';
import { parseDestinations } from './pipeline/route/parse-destination.js';
import { relayName } from './pipeline/route/tag-normalizing-router.js';
import { receivedNames } from './protocol/received-names.js';
import { ReceiverGroup } from './receivers/receiver-group.js';
import { TagRegistrar } from './tagdb/tag-registrar.js';
import { DestinationManager } from './relay/destination-manager.js';

export type DaemonProgram = 'cache' | 'relay' | 'aggregator' | 'aggregator-cache';

export interface DaemonOptions {
  program: DaemonProgram;
  configPath: string;
  instance: string;
  pidfile?: string;
  logDir?: string;
  debug: boolean;
  whitelist?: string;
  blacklist?: string;
  rules?: string;
  rewriteRules?: string;
  /** Bind every enabled listener to a port the OS chooses (reported in the `ready` log line): for tests. */
  ephemeralPorts?: boolean;
}

/** The ports a running daemon bound (0 when that listener is off). Logged in the `ready` line. */
export interface DaemonPorts {
  line: number;
  pickle: number;
  udp: number;
  protobuf: number;
  cacheQuery: number;
}

export interface Daemon {
  readonly settings: Settings;
  readonly ports: DaemonPorts;
  /** SIGHUP: re-reads storage schemas, storage aggregation and the white/blacklists. Keeps every cached point. */
  reload(): void;
  /** SIGTERM: stop accepting, then flush the cache to disk or the relay queues to destinations/spill. */
  stop(): Promise<void>;
}

const log = getLogger('daemon');

export function settingsFor(opts: DaemonOptions): Settings {
  return loadSettings({
    configPath: opts.configPath,
    program: opts.program,
    instance: opts.instance,
    pidfile: opts.pidfile,
    logdir: opts.logDir,
    whitelist: opts.whitelist,
    blacklist: opts.blacklist,
    rules: opts.rules,
    rewriteRules: opts.rewriteRules,
  });
}

/** Where the pidfile lives; reading carbon.conf also validates it, so stop/status fail on a broken file too. */
export function resolveDaemonPaths(opts: DaemonOptions): { pidDir: string; pidfile: string } {
  const s = settingsFor(opts);
  return { pidDir: s.PID_DIR, pidfile: s.pidfile };
}

interface ListFilters {
  isBlacklisted?: (name: string) => boolean;
  isWhitelisted?: (name: string) => boolean;
}

/** A ConfigError at the carbon.conf line of the first of `keys` the file sets (else the file itself). */
function configErrorAt(s: Settings, keys: readonly string[], reason: string): ConfigError {
  const src = keys.map((k) => s.sources.get(k)).find((x) => x !== undefined);
  return new ConfigError(src?.file ?? s.configPath, src?.line ?? null, reason);
}

/**
 * Runs `f`; an error it throws about option `key` becomes a ConfigError at the carbon.conf line that
 * set it (a ConfigError keeps its reason, anything else its message).
 */
function atLine<T>(s: Settings, key: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw configErrorAt(s, [key], err instanceof ConfigError ? err.reason : `${key}: ${(err as Error).message}`);
  }
}

/** WRITER_THREADS: as configured, or for 0 one per core up to 2. */
export function writerThreadCount(configured: number): number {
  if (configured > 0) return Math.floor(configured);
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * carbon's white/blacklists: only with USE_WHITELIST. Both files are watched from the start, as
 * carbon re-reads them every 10 s when their mtime grew (a list created after start applies too);
 * an empty or missing list filters nothing.
 */
function watchLists(s: Settings): { filters: ListFilters; reloadNow(): void; stop(): void } | null {
  if (!s.USE_WHITELIST) return null;
  const black = new RegexList(s.blacklistPath);
  const white = new RegexList(s.whitelistPath);
  for (const list of [black, white]) {
    list.loadAtStart();
    list.watch();
  }
  return {
    filters: {
      isBlacklisted: (n) => !black.isEmpty && black.matches(n),
      isWhitelisted: (n) => white.isEmpty || white.matches(n),
    },
    reloadNow() {
      black.reload(true);
      white.reload(true);
    },
    stop() {
      black.stop();
      white.stop();
    },
  };
}

function loadMatchers(s: Settings): { schema: SchemaMatcher; aggregation: AggregationMatcher } {
  const schemas = loadStorageSchemas(s.storageSchemasPath);
  const aggregation = existsSync(s.storageAggregationPath) ? loadStorageAggregation(s.storageAggregationPath) : null;
  if (!aggregation) log.info(`${s.storageAggregationPath} not found or wrong perms, ignoring.`);
  return {
    schema: (metric) => {
      const m = schemas.match(metric);
      return { name: m.name, archives: m.archives.map(([spp, n]) => [spp, n] as [number, number]) };
    },
    aggregation: (metric) => {
      const m = aggregation?.match(metric);
      if (!m) return undefined;
      return { name: m.name, xFilesFactor: m.xFilesFactor ?? undefined, aggregationMethod: m.aggregationMethod ?? undefined };
    },
  };
}

/** Builds and starts the pipeline for one daemon (spec carbon.md §1.1). */
export async function startDaemon(settings: Settings, options: { ephemeralPorts?: boolean } = {}): Promise<Daemon> {
  for (const message of unsupportedSettings(settings)) log.warn(message);
  if (settings.program === 'cache' || settings.program === 'aggregator-cache') {
    // carbon's start-up line; an unknown strategy drains first-in first-out (see FifoStrategy).
    const strategy = settings.CACHE_WRITE_STRATEGY;
    if (isKnownWriteStrategy(strategy)) log.info(`Using ${strategy} write strategy for cache`);
    else log.error(`${strategy} is not a valid value for CACHE_WRITE_STRATEGY, defaulting to sorted`);
  }
  const s = settings;
  /** carbon: a receiver port of 0 disables that receiver; with ephemeralPorts an enabled one binds to an OS-chosen port. */
  const bindPort = (port: number) => (options.ephemeralPorts ? 0 : port);
  const program = s.program as DaemonProgram;
  const isCache = program === 'cache' || program === 'aggregator-cache';
  const isAggregator = program === 'aggregator' || program === 'aggregator-cache';

  // Receivers are created first so the sinks' flow control can reach them; they listen last.
  let receivers: ReceiverGroup | null = null;
  const pause = () => {
    if (s.USE_FLOW_CONTROL) receivers?.pauseAll();
  };
  const resume = () => receivers?.resumeAll();

  let cache: MetricCache | null = null;
  let writer: CacheWriter | null = null;
  let tagRegistrar: TagRegistrar | null = null;
  let carbonlink: CarbonLinkServer | null = null;
  let destinations: DestinationManager | null = null;
  let aggregator: AggregatorStages | null = null;
  /** The daemon's last stage: `write` (into the cache) or `relay` (to destinations). */
  let sink: BatchSink;
  /** Where self-metrics go on relays and aggregators: ahead of every queue, as carbon sends them. */
  let selfMetricsSink: BatchSink | null = null;
  const samplers: Array<() => void> = [];

  if (isCache) {
    const matchers = loadMatchers(s);
    // carbon drops the rest of a read once the cache is full, even with flow control. carbon-ts pauses the
    // readers at MAX_CACHE_SIZE but still takes what was already read (one socket read per connection, a few
    // thousand points each), up to a hard limit of MAX_CACHE_SIZE + max(MAX_CACHE_SIZE, 1,000,000) points;
    // UDP, which cannot be paused, is capped there too. So flow control loses nothing it has read.
    const flowControlled = s.USE_FLOW_CONTROL && Number.isFinite(s.MAX_CACHE_SIZE);
    cache = new MetricCache({
      maxSize: flowControlled ? s.MAX_CACHE_SIZE + Math.max(s.MAX_CACHE_SIZE, 1_000_000) : s.MAX_CACHE_SIZE,
      strategy: s.CACHE_WRITE_STRATEGY,
      minTimestampLag: s.MIN_TIMESTAMP_LAG,
      logQueueSorts: s.LOG_CACHE_QUEUE_SORTS,
      // With flow control the pause/resume below watches MAX_CACHE_SIZE itself; the cache's own events
      // would fire at the hard limit and resume too early.
      onFull: flowControlled ? undefined : pause,
      onSpaceAvailable: flowControlled ? undefined : resume,
      // A cache daemon does not relay, so the cache may keep its rows in the receivers' name slots.
      nameSlots: program === 'cache' ? receivedNames : undefined,
    });
    // ENABLE_TAGS (carbon's default): series the writer creates, and every TAG_UPDATE_INTERVAL-th it
    // writes, are registered with graphite-web's TagDB at GRAPHITE_URL.
    tagRegistrar = s.ENABLE_TAGS
      ? new TagRegistrar({ graphiteUrl: s.GRAPHITE_URL, batchSize: s.TAG_BATCH_SIZE, queueSize: s.TAG_QUEUE_SIZE })
      : null;
    writer = new CacheWriter({
      cache,
      onTags: tagRegistrar?.onTags,
      whisper: {
        tagUpdateInterval: tagRegistrar ? Math.max(1, s.TAG_UPDATE_INTERVAL) : 0,
        dataDir: s.LOCAL_DATA_DIR,
        tagHashFilenames: s.TAG_HASH_FILENAMES,
        sparseCreate: s.WHISPER_SPARSE_CREATE,
        fallocateCreate: s.WHISPER_FALLOCATE_CREATE,
        lockWrites: s.WHISPER_LOCK_WRITES,
        autoflush: s.WHISPER_AUTOFLUSH,
        fadviseRandom: s.WHISPER_FADVISE_RANDOM,
        maxOpenFiles: s.WHISPER_MAX_OPEN_FILES,
      },
      matchSchema: matchers.schema,
      matchAggregation: matchers.aggregation,
      maxUpdatesPerSecond: s.MAX_UPDATES_PER_SECOND,
      maxUpdatesPerSecondOnShutdown: s.MAX_UPDATES_PER_SECOND_ON_SHUTDOWN ?? undefined,
      maxCreatesPerMinute: s.MAX_CREATES_PER_MINUTE,
      createQueueEnabled: s.CREATE_QUEUE_ENABLED,
      createQueueMaxSize: s.CREATE_QUEUE_MAX_SIZE,
      logCreates: s.LOG_CREATES,
      logUpdates: s.LOG_UPDATES,
      writerThreads: writerThreadCount(s.WRITER_THREADS),
    });
    const c = cache;
    if (flowControlled) {
      const pauseAt = s.MAX_CACHE_SIZE;
      const resumeBelow = s.CACHE_SIZE_LOW_WATERMARK;
      let watcher: NodeJS.Timeout | null = null;
      sink = (batch) => {
        c.storeBatch(batch);
        if (c.size < pauseAt || watcher) return;
        receivers?.pauseAll();
        log.info(`cache is full (${c.size} points): reading from clients paused until it is below ${resumeBelow}`);
        watcher = setInterval(() => {
          if (c.size >= resumeBelow) return;
          clearInterval(watcher!);
          watcher = null;
          receivers?.resumeAll();
          log.info(`cache is below ${resumeBelow} points: reading from clients resumed`);
        }, 50);
        watcher.unref();
      };
    } else {
      sink = (batch) => c.storeBatch(batch);
    }
    const w = writer;
    samplers.push(() => w.sampleStats());
  } else {
    const dests = atLine(s, 'DESTINATIONS', () => parseDestinations(s.DESTINATIONS));
    const router: Router = createRouter({
      RELAY_METHOD: isAggregator ? 'consistent-hashing' : s.RELAY_METHOD, // carbon forces it for aggregators
      DESTINATIONS: dests,
      REPLICATION_FACTOR: s.REPLICATION_FACTOR,
      DIVERSE_REPLICAS: s.DIVERSE_REPLICAS,
      ROUTER_HASH_TYPE: s.ROUTER_HASH_TYPE,
      // With TAG_RELAY_NORMALIZED the sink below renames the points before routing, so the router need not.
      TAG_RELAY_NORMALIZED: false,
      relayRulesPath: s.relayRulesPath,
      aggregateNamesOf: aggregatedMethod(s.RELAY_METHOD) && !isAggregator ? aggregateNamesFromRules(s) : undefined,
    });
    destinations = new DestinationManager(
      dests,
      {
        protocol: s.DESTINATION_PROTOCOL as 'pickle' | 'line' | 'protobuf',
        maxQueueSize: s.MAX_QUEUE_SIZE,
        maxDatapointsPerMessage: s.MAX_DATAPOINTS_PER_MESSAGE,
        queueLowWatermarkPct: s.QUEUE_LOW_WATERMARK_PCT,
        reconnectMaxDelayMs: s.RELAY_RECONNECT_MAX_DELAY * 1000,
        tcpKeepAlive: s.TCP_KEEPALIVE,
        tcpKeepIdleSec: s.TCP_KEEPIDLE,
        spillEnabled: s.RELAY_SPILL_ENABLED,
        spillDir: s.RELAY_SPILL_DIR,
        spillMaxBytes: s.RELAY_SPILL_MAX_BYTES,
        segmentBytes: s.RELAY_SPILL_SEGMENT_BYTES,
        replayMaxPointsPerSecond: s.RELAY_REPLAY_MAX_POINTS_PER_SECOND,
      },
      { onSaturated: pause, onHasRoom: resume },
    );
    const d = destinations;
    selfMetricsSink = (batch) => d.sendHighPriority(batch, router);
    if (s.TAG_RELAY_NORMALIZED) {
      // carbon routes and sends the normalised name (the batch is ours for the duration of the call).
      sink = (batch) => {
        for (let i = 0; i < batch.length; i++) batch.names[i] = relayName(batch.names[i]!);
        d.send(batch, router);
      };
    } else {
      sink = (batch) => d.send(batch, router);
    }
  }

  // Aggregator outputs and self-metrics are "generated" points: they enter only the last stage.
  const generated = sink;
  let pipelineEntry: BatchSink = sink;
  if (isAggregator) {
    aggregator = createAggregatorStages(
      {
        aggregationRulesFile: s.aggregationRulesPath,
        rewriteRulesFile: s.rewriteRulesPath, // carbon keeps checking for it, so it may appear later
        forwardAll: s.FORWARD_ALL,
        logAggregatorMisses: s.LOG_AGGREGATOR_MISSES,
        maxAggregationIntervals: s.MAX_AGGREGATION_INTERVALS,
        writeBackFrequency: s.WRITE_BACK_FREQUENCY,
        latenessWindow: s.AGGREGATION_LATENESS_WINDOW,
        cacheMetricNamesMax: s.CACHE_METRIC_NAMES_MAX,
        cacheMetricNamesTtl: s.CACHE_METRIC_NAMES_TTL,
      },
      { forward: sink, generated },
    );
    pipelineEntry = aggregator.input;
    // carbon records allocatedBuffers, bufferedDatapoints and aggregateDatapointsSent every
    // interval, also when no point came in (0 when nothing was sent).
    const stages = aggregator;
    samplers.push(() => {
      stages.buffers.publishGauges();
      stats.increment(AGGREGATOR_COUNTERS.sent, 0);
    });
  }

  const lists = watchLists(s);
  receivers = new ReceiverGroup(pipelineEntry, {
    ...lists?.filters,
    minTimestampResolution: s.MIN_TIMESTAMP_RESOLUTION,
    maxConnections: s.MAX_RECEIVER_CONNECTIONS,
    idleTimeoutSeconds: s.METRIC_CLIENT_IDLE_TIMEOUT,
    tcpKeepAlive: s.TCP_KEEPALIVE,
    tcpKeepIdle: s.TCP_KEEPIDLE,
    logConnectionSuccess: s.LOG_LISTENER_CONN_SUCCESS,
    logConnectionLost: s.LOG_LISTENER_CONN_LOST,
  });
  const group = receivers;
  samplers.push(() => stats.setGauge('activeConnections', group.connectionCount));

  // Self-metrics: cache kinds store straight into their cache (no pipeline, no tag handling), as carbon.
  const c = cache;
  const selfSink: BatchSink = c
    ? (batch: MetricBatch) => {
        for (let i = 0; i < batch.length; i++) c.store(batch.names[i]!, batch.timestamps[i]!, batch.values[i]!);
      }
    : (selfMetricsSink ?? generated);
  const selfMetrics = new SelfMetrics({
    prefix: s.CARBON_METRIC_PREFIX,
    kind: metricKindFor(program),
    instance: s.instance,
    intervalSeconds: s.CARBON_METRIC_INTERVAL,
    sink: selfSink,
    sample: () => {
      for (const f of samplers) f();
    },
  });

  writer?.start();
  tagRegistrar?.start();
  destinations?.start();
  aggregator?.start();

  const ports: DaemonPorts = { line: 0, pickle: 0, udp: 0, protobuf: 0, cacheQuery: 0 };
  /** A listener that cannot open: a ConfigError naming the carbon.conf line of its interface or port. */
  const listening = async <T>(prefix: string, open: () => Promise<T>): Promise<T> => {
    try {
      return await open();
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const e = err as NodeJS.ErrnoException;
      const addressProblem = e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'EADDRNOTAVAIL';
      const [iface, port] = [`${prefix}_INTERFACE`, `${prefix}_PORT`];
      const keys = addressProblem ? [iface, port] : [port, iface];
      throw configErrorAt(s, keys, `${keys[0]}: cannot listen on ${String(s.raw.get(iface))}:${String(s.raw.get(port))}: ${e.message}`);
    }
  };
  try {
    if (cache && writer) {
      carbonlink = new CarbonLinkServer({
        host: s.CACHE_QUERY_INTERFACE,
        port: bindPort(s.CACHE_QUERY_PORT),
        cache,
        metadata: writer,
        logCacheHits: s.LOG_CACHE_HITS,
      });
      const cl = carbonlink;
      samplers.push(() => cl.sampleStats());
      await listening('CACHE_QUERY', () => cl.start());
      ports.cacheQuery = cl.port;
    }
    if (s.LINE_RECEIVER_PORT) {
      ports.line = (await listening('LINE_RECEIVER', () => group.listenLine({ interface: s.LINE_RECEIVER_INTERFACE, port: bindPort(s.LINE_RECEIVER_PORT) }))).port;
    }
    if (s.PICKLE_RECEIVER_PORT) {
      const o = { interface: s.PICKLE_RECEIVER_INTERFACE, port: bindPort(s.PICKLE_RECEIVER_PORT), maxFrameLength: s.PICKLE_RECEIVER_MAX_LENGTH };
      ports.pickle = (await listening('PICKLE_RECEIVER', () => group.listenPickle(o))).port;
    }
    if (s.ENABLE_UDP_LISTENER && s.UDP_RECEIVER_PORT) {
      ports.udp = (await listening('UDP_RECEIVER', () => group.listenUdp({ interface: s.UDP_RECEIVER_INTERFACE, port: bindPort(s.UDP_RECEIVER_PORT) }))).port;
    }
    const protobufPort = s.PROTOBUF_RECEIVER_PORT;
    const protobufInterface = s.PROTOBUF_RECEIVER_INTERFACE;
    if (protobufPort && protobufInterface !== null) {
      ports.protobuf = (await listening('PROTOBUF_RECEIVER', () => group.listenProtobuf({ interface: protobufInterface, port: bindPort(protobufPort) }))).port;
    }
  } catch (err) {
    lists?.stop();
    await group.close();
    await carbonlink?.stop();
    await writer?.stop();
    tagRegistrar?.stop();
    await destinations?.stop();
    aggregator?.stop();
    throw err;
  }
  selfMetrics.start();

  // carbon's writer re-reads storage-schemas.conf and storage-aggregation.conf every 60 s; a file that fails
  // to parse is logged and the previous schemas stay.
  const reloadSchemas = (): void => {
    if (!writer) return;
    try {
      const m = loadMatchers(s);
      writer.reloadSchemas(m.schema, m.aggregation);
    } catch (err) {
      log.error(`Failed to reload storage schemas: ${(err as Error).message}`);
    }
  };
  const schemaTimer = writer ? setInterval(reloadSchemas, 60_000) : null;
  schemaTimer?.unref();

  let stopping: Promise<void> | null = null;
  return {
    settings: s,
    ports,
    reload() {
      reloadSchemas();
      try {
        lists?.reloadNow();
        aggregator?.reloadNow();
        log.info('reloaded storage schemas, storage aggregation, white/blacklists and rules');
      } catch (err) {
        log.error(`reload failed, keeping the previous configuration: ${(err as Error).message}`);
      }
    },
    stop() {
      stopping ??= (async () => {
        if (schemaTimer) clearInterval(schemaTimer);
        lists?.stop();
        selfMetrics.stop();
        await group.close();
        await carbonlink?.stop();
        aggregator?.stop();
        if (cache && writer) {
          cache.setMinTimestampLag(0);
          log.info(`flushing ${cache.size} cached points for ${cache.queues} series before exit`);
          await writer.flush();
          await writer.stop();
        }
        // As carbon: series still waiting for the TagDB are not registered at exit (a series' next
        // TAG_UPDATE_INTERVAL-th write queues it again).
        tagRegistrar?.stop();
        if (destinations) await destinations.stop();
      })();
      return stopping;
    },
  };
}

function aggregatedMethod(method: string): boolean {
  return method === 'aggregated-consistent-hashing' || method === 'fast-aggregated-hashing';
}

/** For aggregated-* relay methods: the aggregate names a metric feeds, from aggregation-rules.conf. */
function aggregateNamesFromRules(s: Settings): (metric: string) => string[] {
  // carbon re-reads aggregation-rules.conf for these routers too, and a missing file means no rules.
  const resolver = createAggregateNameResolver(s.aggregationRulesPath);
  resolver.start();
  return resolver.aggregateNames;
}

/**
 * `carbon-ts <program> start`: runs the daemon in the foreground until SIGTERM/SIGINT. A bad config
 * throws before anything listens (the CLI prints the message, which names file, line and problem).
 */
export async function runDaemon(opts: DaemonOptions, pidfile: PidFile): Promise<void> {
  const settings = settingsFor(opts);
  configureLogging({
    logDir: opts.logDir,
    debug: opts.debug,
    name: `${settings.programName}-${settings.instance}`,
    rotateDaily: settings.ENABLE_LOGROTATION,
  });
  // USER is checked before anything listens, and applied once the listeners are bound (as twistd).
  const account = settings.USER ? atLine(settings, 'USER', () => lookupAccount(settings.USER, settings.configPath)) : null;
  if (account) atLine(settings, 'USER', () => checkCanBecome(account, settings.configPath));
  const daemon = await startDaemon(settings, { ephemeralPorts: opts.ephemeralPorts });
  pidfile.write();
  if (account) {
    dropPrivileges(account, opts.logDir ? [opts.logDir] : []);
    log.info(`running as ${account.name} (uid ${account.uid}, gid ${account.gid})`);
  }
  log.info({ event: 'ready', ports: daemon.ports, pid: process.pid }, `${settings.programName} (instance ${settings.instance}) ready`);

  await new Promise<void>((resolve) => {
    let shuttingDown = false;
    const shutdown = (signal: string) => {
      // A second signal while flushing must not kill the process and lose the cache: it is logged and ignored.
      if (shuttingDown) {
        log.info(`Received ${signal} again; still flushing, please wait`);
        return;
      }
      shuttingDown = true;
      log.info(`Received ${signal}, shutting down.`);
      // Listeners are closed first, so nothing else may hold the event loop open while the cache drains.
      const keepAlive = setInterval(() => {}, 1000);
      daemon
        .stop()
        .catch((err: unknown) => log.error(`error during shutdown: ${(err as Error).message}`))
        .finally(() => {
          clearInterval(keepAlive);
          pidfile.remove();
          resolve();
        });
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => {
      log.info('Received SIGHUP, reloading configuration files');
      daemon.reload();
    });
  });
  log.info('shutdown complete');
  flushLogs();
  // Give the asynchronous log destination a moment to drain before exiting.
  await new Promise((r) => setTimeout(r, 50));
  process.exit(0);
}

export { ConfigError };
