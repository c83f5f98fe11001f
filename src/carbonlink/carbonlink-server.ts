import { createServer, type Server, type Socket } from 'node:net';
import { type Counters, stats as globalStats } from '../instrumentation/counters.js';
import { getLogger, RateLimiter } from '../logging.js';
import { decodePickle } from '../protocol/pickle-decoder.js';
import { encodePickleFrame, type PicklableValue } from '../protocol/pickle-encoder.js';
import { FRAMES_OK, FRAMES_STOPPED, FrameReader } from '../protocol/frame-reader.js';
import { PyTuple, type PyValue, pyIterate } from '../protocol/pickle-values.js';

const log = getLogger('query');
const limited = new RateLimiter();

/** carbon's CacheManagementHandler.MAX_LENGTH: request frames up to 2^30 bytes. */
export const CARBONLINK_MAX_REQUEST_LENGTH = 1024 ** 3;

/** What CarbonLink reads from the cache: the cached points of exactly one key, in insertion order. */
export interface CachedPointsSource {
  getDatapoints(metric: string): { timestamps: Float64Array; values: Float64Array } | undefined;
}

/** get-metadata / set-metadata, answered by the writer (which owns the files): carbon's result dicts. */
export interface MetadataSource {
  getMetadata(metric: string, key: string): Promise<Record<string, unknown>>;
  setMetadata(metric: string, key: string, value: unknown): Promise<Record<string, unknown>>;
}

export interface CarbonLinkOptions {
  /** CACHE_QUERY_INTERFACE. */
  host: string;
  /** CACHE_QUERY_PORT (0 = any free port, for tests). */
  port: number;
  cache: CachedPointsSource;
  /** The CacheWriter; without it metadata requests answer with an error dict. */
  metadata?: MetadataSource;
  /** LOG_CACHE_HITS: one query-log line per request (at debug level). Default true. */
  logCacheHits?: boolean;
  counters?: Counters;
}

/** A request carbon cannot answer: the connection is dropped without a response, as Twisted does. */
class BadRequest extends Error {}

/**
 * The CACHE_QUERY_PORT server graphite-web's CarbonLink talks to (spec carbon.md §3.7):
 * length-prefixed pickled request dicts in, protocol-2 pickled response dicts out, in order.
 */
export class CarbonLinkServer {
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  private readonly counters: Counters;
  private bulkSizeSum = 0;
  private bulkCount = 0;

  constructor(private opts: CarbonLinkOptions) {
    this.counters = opts.counters ?? globalStats;
  }

  /** The bound port (after start). */
  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  start(): Promise<void> {
    const server = createServer((socket) => this.onConnection(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.opts.host, port: this.opts.port, backlog: 50 }, () => {
        server.off('error', reject);
        server.on('error', (err) => log.error(`CarbonLink listener error: ${err.message}`));
        log.info(`CarbonLink (cache query) listening on ${this.opts.host}:${this.port}`);
        resolve();
      });
    });
  }

  /** Stops listening and closes every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Call before the self-metrics are read: cache.bulk_queries_average_size when there were bulk queries. */
  sampleStats(): void {
    if (this.bulkCount > 0) this.counters.increment('cache.bulk_queries_average_size', this.bulkSizeSum / this.bulkCount);
    this.counters.increment('cache.queries', 0);
    this.counters.increment('cache.bulk_queries', 0);
    this.bulkSizeSum = 0;
    this.bulkCount = 0;
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    log.debug(`${peer} connected`);
    const reader = new FrameReader(CARBONLINK_MAX_REQUEST_LENGTH);
    // Responses leave in request order even when a metadata request waits for the writer.
    let chain: Promise<void> = Promise.resolve();
    let dead = false;
    const fail = (reason: string): void => {
      if (dead) return;
      dead = true;
      this.counters.increment('cache.badQueries');
      const suppressed = limited.allow('bad');
      if (suppressed >= 0) log.warn(`${peer} CarbonLink request rejected, closing the connection: ${reason}`);
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      if (dead) return;
      const status = reader.feed(chunk, (frame) => {
        let request: Map<PyValue, PyValue>;
        try {
          request = parseRequest(frame);
        } catch (err) {
          // Answer what came before, then drop the connection.
          chain = chain.then(() => fail(err instanceof Error ? err.message : String(err)));
          return false;
        }
        chain = chain.then(async () => {
          if (dead) return;
          let response: PicklableValue;
          try {
            response = await this.answer(request, peer);
          } catch (err) {
            fail(err instanceof Error ? err.message : String(err));
            return;
          }
          if (!dead && !socket.destroyed) socket.write(encodePickleFrame(response));
        });
        return true;
      });
      if (status !== FRAMES_OK && status !== FRAMES_STOPPED) fail(`request frame of ${reader.rejectedLength} bytes exceeds ${CARBONLINK_MAX_REQUEST_LENGTH}`);
    });
    socket.on('error', () => {});
    socket.on('close', (hadError) => {
      this.sockets.delete(socket);
      log.debug(hadError ? `${peer} connection lost` : `${peer} disconnected`);
    });
  }

  private async answer(request: Map<PyValue, PyValue>, peer: string): Promise<PicklableValue> {
    const type = required(request, 'type');
    switch (type) {
      case 'cache-query': {
        const metric = required(request, 'metric');
        const datapoints = this.pointsOf(metric);
        if (this.opts.logCacheHits ?? true) log.debug(`[${peer}] cache query for "${pyStr(metric)}" returned ${datapoints.length} values`);
        this.counters.increment('cache.queries');
        return new Map<PicklableValue, PicklableValue>([['datapoints', datapoints]]);
      }
      case 'cache-query-bulk': {
        const metrics = required(request, 'metrics');
        const names = iterate(metrics);
        const byMetric = new Map<PicklableValue, PicklableValue>();
        let total = 0;
        for (const m of names) {
          const points = this.pointsOf(m);
          byMetric.set(m as PicklableValue, points);
          total += points.length;
        }
        if (this.opts.logCacheHits ?? true) log.debug(`[${peer}] cache query bulk for "${names.length}" metrics returned ${total} values`);
        this.counters.increment('cache.bulk_queries');
        this.bulkSizeSum += names.length;
        this.bulkCount++;
        return new Map<PicklableValue, PicklableValue>([['datapointsByMetric', byMetric]]);
      }
      case 'get-metadata': {
        const metric = required(request, 'metric');
        const key = required(request, 'key');
        if (!this.opts.metadata) return { error: noWriter() };
        return (await this.opts.metadata.getMetadata(pyStr(metric), pyStr(key))) as PicklableValue;
      }
      case 'set-metadata': {
        const metric = required(request, 'metric');
        const key = required(request, 'key');
        const value = required(request, 'value');
        if (!this.opts.metadata) return { error: noWriter() };
        const r = await this.opts.metadata.setMetadata(pyStr(metric), pyStr(key), value);
        // Echo the request's value object itself, as carbon's dict(new_value=value) does.
        if ('new_value' in r) return new Map<PicklableValue, PicklableValue>([['old_value', r.old_value as PicklableValue], ['new_value', value]]);
        return r as PicklableValue;
      }
      default:
        return { error: `Invalid request type "${pyStr(type)}"` };
    }
  }

  private pointsOf(metric: PyValue): PyTuple[] {
    if (typeof metric !== 'string') return [];
    const d = this.opts.cache.getDatapoints(metric);
    if (!d) return [];
    const out = new Array<PyTuple>(d.timestamps.length);
    for (let i = 0; i < out.length; i++) out[i] = new PyTuple([d.timestamps[i], d.values[i]]);
    return out;
  }
}

function parseRequest(frame: Buffer): Map<PyValue, PyValue> {
  const request = decodePickle(frame);
  if (!(request instanceof Map)) throw new BadRequest(`request is not a dict`);
  return request;
}

/** request[key], raising KeyError as carbon would (the connection is then dropped). */
function required(request: Map<PyValue, PyValue>, key: string): PyValue {
  if (!request.has(key)) throw new BadRequest(`KeyError: '${key}'`);
  return request.get(key)!;
}

function iterate(v: PyValue): PyValue[] {
  const items = pyIterate(v);
  if (items === undefined) throw new BadRequest(`'metrics' is not iterable`);
  return [...items];
}

/** Python's str() for the values a request carries. */
function pyStr(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return `b'${Buffer.from(v).toString('latin1')}'`;
  return String(v);
}

function noWriter(): string {
  return 'Traceback (most recent call last):\nException: no Whisper writer in this process\n';
}
