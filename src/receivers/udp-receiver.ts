/** UDP plaintext, carbon's MetricDatagramReceiver: one datagram = one batch; never paused, not counted as a connection. */
import { createSocket, type Socket } from 'node:dgram';
import { getLogger } from '../logging.js';
import { MetricBatch, type BatchSink } from '../pipeline/batch.js';
import { DATAGRAM_BAD_UTF8, DATAGRAM_TRUNCATED_BY_INFINITE_TIMESTAMP, MAX_DATAGRAM_LENGTH, parseDatagram } from '../protocol/line-parser.js';
import { carbonLogLine } from '../protocol/python-text.js';
import type { AcceptPath } from './accept-path.js';
import { reportBadInput } from './bad-input.js';
import { deliver } from './deliver.js';

const log = getLogger('listener');

export interface UdpListenOptions {
  /** UDP_RECEIVER_INTERFACE; default 0.0.0.0. */
  interface?: string;
  /** UDP_RECEIVER_PORT; 0 = OS-chosen. */
  port: number;
  /** Bytes of a datagram carbon reads (Twisted: 8192); the rest is cut off as in carbon. */
  maxDatagramBytes?: number;
}

export class UdpReceiver {
  private readonly socket: Socket;
  private readonly batch = new MetricBatch(256);
  private boundPort = 0;

  constructor(
    private readonly accept: AcceptPath,
    private readonly sink: BatchSink,
    private readonly opts: UdpListenOptions,
  ) {
    this.socket = createSocket({ type: 'udp4', reuseAddr: true });
    this.socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo.address));
    this.socket.on('error', (err) => log.error(`UDP listener error: ${err.message}`));
  }

  get port(): number {
    return this.boundPort;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: this.opts.interface ?? '0.0.0.0', port: this.opts.port }, () => {
        this.socket.off('error', reject);
        this.boundPort = this.socket.address().port;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }

  private onDatagram(msg: Buffer, host: string): void {
    const batch = this.batch;
    batch.clear();
    const status = parseDatagram(
      msg,
      this.accept,
      batch,
      (line) => reportBadInput('invalidLines', `invalid line received from ${host}, ignoring [${carbonLogLine(line)}]`),
      this.opts.maxDatagramBytes ?? MAX_DATAGRAM_LENGTH,
    );
    this.accept.flushCounters();
    if (status === DATAGRAM_BAD_UTF8) reportBadInput('invalidDatagrams', `datagram from ${host} is not valid UTF-8, dropped`);
    else if (status === DATAGRAM_TRUNCATED_BY_INFINITE_TIMESTAMP) reportBadInput('invalidDatagrams', `datagram from ${host} has an infinite timestamp; the rest of it was dropped`);
    if (batch.length > 0) deliver(this.sink, batch, 'MetricDatagramReceiver');
  }
}
