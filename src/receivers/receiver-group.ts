/**
 * All metric listeners of a daemon and their connections, managed together as carbon does:
 * - MAX_RECEIVER_CONNECTIONS counts TCP metric connections across every listener. Carbon stops
 *   accepting (the kernel backlog holds new clients) while at the limit; Node cannot pause
 *   accept(), so a connection over the limit is held unread in a short FIFO (Twisted's backlog of
 *   50) and admitted when a slot frees; beyond that it is closed.
 * - Flow control: pauseAll()/resumeAll() stop and restart reading on every TCP connection,
 *   present and future (the cache calls them when full / below its low watermark). UDP is never
 *   paused.
 * - METRIC_CLIENT_IDLE_TIMEOUT closes a connection that delivered no accepted point for that long.
 * - TCP keepalive per TCP_KEEPALIVE / TCP_KEEPIDLE.
 * - close() stops accepting and closes every connection (SIGTERM).
 * Every read is delivered as one batch to the sink.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { stats } from '../instrumentation/counters.js';
import { getLogger } from '../logging.js';
import { MetricBatch, type BatchSink } from '../pipeline/batch.js';
import { AcceptPath, type AcceptFilterOptions } from './accept-path.js';
import { reportBadInput } from './bad-input.js';
import { deliver } from './deliver.js';
import { lineProtocol } from './line-protocol.js';
import { pickleProtocol } from './pickle-protocol.js';
import { protobufProtocol } from './protobuf-protocol.js';
import type { StreamDecoder, StreamProtocol } from './stream-decoder.js';
import { UdpReceiver, type UdpListenOptions } from './udp-receiver.js';

const log = getLogger('listener');

/** Twisted's listen backlog: how many clients carbon leaves waiting while at the connection limit. */
const WAITING_CONNECTIONS = 50;

export interface ReceiverGroupOptions extends AcceptFilterOptions {
  /** MAX_RECEIVER_CONNECTIONS (default: unlimited). */
  maxConnections?: number;
  /** METRIC_CLIENT_IDLE_TIMEOUT in seconds; undefined/null/0 = never. */
  idleTimeoutSeconds?: number | null;
  /** TCP_KEEPALIVE (default true). */
  tcpKeepAlive?: boolean;
  /** TCP_KEEPIDLE seconds (default 10). Node cannot set TCP_KEEPINTVL/TCP_KEEPCNT; the kernel's are used. */
  tcpKeepIdle?: number;
  /** LOG_LISTENER_CONN_SUCCESS (default true). */
  logConnectionSuccess?: boolean;
  /** LOG_LISTENER_CONN_LOST (default false, 1.1.8+). */
  logConnectionLost?: boolean;
}

export interface TcpListenOptions {
  /** LINE_RECEIVER_INTERFACE etc.; default 0.0.0.0. */
  interface?: string;
  /** 0 = let the OS choose (tests); read the bound port from `port` afterwards. */
  port: number;
}

/** A listening TCP metric port. */
export interface TcpReceiver {
  readonly protocol: string;
  /** The bound port. */
  readonly port: number;
  readonly server: Server;
}

class Connection {
  readonly peer: string;
  lastAccepted = Date.now();
  idleTimer?: NodeJS.Timeout;
  closing = false;

  constructor(
    readonly socket: Socket,
    readonly protocol: StreamProtocol,
    readonly decoder: StreamDecoder,
  ) {
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
  }
}

export class ReceiverGroup {
  readonly accept: AcceptPath;
  private readonly opts: ReceiverGroupOptions;
  private readonly batch = new MetricBatch(1024);
  private readonly connections = new Set<Connection>();
  private readonly waiting: { socket: Socket; protocol: StreamProtocol }[] = [];
  private readonly servers: Server[] = [];
  private readonly udp: UdpReceiver[] = [];
  private pausedReading = false;
  private closed = false;

  constructor(
    private readonly sink: BatchSink,
    options: ReceiverGroupOptions = {},
  ) {
    this.opts = options;
    this.accept = new AcceptPath(options);
  }

  /** Open TCP metric connections (carbon's connectedMetricReceiverProtocols). */
  get connectionCount(): number {
    return this.connections.size;
  }

  get paused(): boolean {
    return this.pausedReading;
  }

  listenLine(opts: TcpListenOptions): Promise<TcpReceiver> {
    return this.listenTcp(opts, lineProtocol);
  }

  /** `maxFrameLength` = PICKLE_RECEIVER_MAX_LENGTH. */
  listenPickle(opts: TcpListenOptions & { maxFrameLength?: number }): Promise<TcpReceiver> {
    return this.listenTcp(opts, pickleProtocol(opts.maxFrameLength));
  }

  listenProtobuf(opts: TcpListenOptions): Promise<TcpReceiver> {
    return this.listenTcp(opts, protobufProtocol);
  }

  async listenUdp(opts: UdpListenOptions): Promise<UdpReceiver> {
    const r = new UdpReceiver(this.accept, this.sink, opts);
    await r.listen();
    this.udp.push(r);
    return r;
  }

  /** Any TCP metric protocol. */
  listenTcp(opts: TcpListenOptions, protocol: StreamProtocol): Promise<TcpReceiver> {
    const server = createServer({ noDelay: true }, (socket) => this.onConnection(socket, protocol));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: opts.interface ?? '0.0.0.0', port: opts.port, backlog: 511 }, () => {
        server.off('error', reject);
        server.on('error', (err) => log.error(`${protocol.className} listener error: ${err.message}`));
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : opts.port;
        resolve({ protocol: protocol.className, port, server });
      });
    });
  }

  /** Stops reading from every TCP connection (flow control: the cache is full). */
  pauseAll(): void {
    if (this.pausedReading) return;
    this.pausedReading = true;
    for (const c of this.connections) c.socket.pause();
  }

  resumeAll(): void {
    if (!this.pausedReading) return;
    this.pausedReading = false;
    for (const c of this.connections) if (!c.closing) c.socket.resume();
  }

  /** Stops listening and closes every connection and UDP socket. Resolves when all are closed. */
  async close(): Promise<void> {
    this.closed = true;
    const closing = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const w of this.waiting.splice(0)) w.socket.destroy();
    for (const c of this.connections) this.drop(c);
    await Promise.all([...closing, ...this.udp.map((u) => u.close())]);
  }

  private onConnection(socket: Socket, protocol: StreamProtocol): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    socket.on('error', () => {
      /* reported through 'close' */
    });
    const max = this.opts.maxConnections ?? Infinity;
    if (this.connections.size >= max) {
      if (this.waiting.length >= WAITING_CONNECTIONS) {
        reportBadInput('refusedConnections', `${protocol.className}: refusing connection from ${socket.remoteAddress}:${socket.remotePort} (${this.connections.size}/${max} connections, backlog full)`);
        socket.destroy();
        return;
      }
      socket.pause();
      const entry = { socket, protocol };
      this.waiting.push(entry);
      socket.once('close', () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
      });
      return;
    }
    this.admit(socket, protocol);
  }

  private admit(socket: Socket, protocol: StreamProtocol): void {
    const conn = new Connection(socket, protocol, protocol.createDecoder(`${socket.remoteAddress}:${socket.remotePort}`, this.accept));
    this.connections.add(conn);
    stats.setGauge('receiver.activeConnections', this.connections.size);
    if (this.opts.tcpKeepAlive ?? true) socket.setKeepAlive(true, (this.opts.tcpKeepIdle ?? 10) * 1000);
    if (this.opts.logConnectionSuccess ?? true) log.info(`${protocol.className} connection with ${conn.peer} established`);
    this.armIdleTimer(conn);
    let lostReason: string | undefined;
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', (err) => {
      lostReason = err.message;
    });
    socket.on('close', () => {
      this.connections.delete(conn);
      clearTimeout(conn.idleTimer);
      stats.setGauge('receiver.activeConnections', this.connections.size);
      if (lostReason === undefined) {
        if (this.opts.logConnectionSuccess ?? true) log.info(`${protocol.className} connection with ${conn.peer} closed cleanly`);
      } else if (this.opts.logConnectionLost) log.info(`${protocol.className} connection with ${conn.peer} lost: ${lostReason}`);
      this.admitWaiting();
    });
    if (this.pausedReading) socket.pause();
    else socket.resume();
  }

  private admitWaiting(): void {
    const max = this.opts.maxConnections ?? Infinity;
    while (!this.closed && this.waiting.length > 0 && this.connections.size < max) {
      const next = this.waiting.shift()!;
      if (!next.socket.destroyed) this.admit(next.socket, next.protocol);
    }
  }

  private onData(conn: Connection, chunk: Buffer): void {
    if (conn.closing) return;
    const batch = this.batch;
    batch.clear();
    let dropReason: string | undefined;
    try {
      dropReason = conn.decoder.feed(chunk, batch);
    } catch (err) {
      // A decoder bug must cost one connection, never the listener.
      dropReason = `internal error: ${(err as Error).message}`;
      log.error({ err }, `${conn.protocol.className} failed on data from ${conn.peer}`);
    }
    this.accept.flushCounters();
    if (batch.length > 0) {
      conn.lastAccepted = Date.now();
      deliver(this.sink, batch, conn.protocol.className);
    }
    if (dropReason !== undefined) {
      reportBadInput('droppedConnections', `${conn.protocol.className} connection with ${conn.peer} dropped: ${dropReason}`);
      this.drop(conn);
    }
  }

  private drop(conn: Connection): void {
    conn.closing = true;
    conn.socket.destroy();
  }

  private armIdleTimer(conn: Connection): void {
    const timeout = this.opts.idleTimeoutSeconds;
    if (!timeout || timeout <= 0) return;
    const ms = timeout * 1000;
    const check = (): void => {
      const idle = Date.now() - conn.lastAccepted;
      if (idle >= ms) {
        log.info(`${conn.protocol.className} connection with ${conn.peer} timed out after ${timeout}s without a metric`);
        conn.closing = true;
        conn.socket.destroySoon();
        return;
      }
      conn.idleTimer = setTimeout(check, ms - idle);
      conn.idleTimer.unref();
    };
    conn.idleTimer = setTimeout(check, ms);
    conn.idleTimer.unref();
  }
}
