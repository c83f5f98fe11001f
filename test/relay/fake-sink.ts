import { createServer, type Server, type Socket } from 'node:net';

/** One point as a sink saw it. */
export interface SinkPoint {
  name: string;
  value: number;
  ts: number;
}

/**
 * A carbon destination stand-in on 127.0.0.1: accepts line or pickle frames (the opcode subset
 * carbon's client writes) and records every point in arrival order. It can go down and come back
 * on the same port.
 */
export class FakeSink {
  readonly points: SinkPoint[] = [];
  port = 0;
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  connections = 0;

  constructor(readonly protocol: 'line' | 'pickle') {}

  async listen(port = this.port): Promise<void> {
    const server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /**
   * Goes down. Graceful: stop accepting, half-close every connection and keep reading until the
   * client closes (like a daemon that reads its buffers before exiting) — nothing in flight is lost.
   * Abrupt: destroy every connection (RST; unread bytes are lost).
   */
  async down(graceful = true): Promise<void> {
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    for (const s of this.sockets) {
      if (graceful) s.end();
      else s.resetAndDestroy();
    }
    await closed;
  }

  /** Stops reading (the kernel buffers fill and the client's writes start returning false). */
  pauseReading(): void {
    for (const s of this.sockets) s.pause();
  }

  resumeReading(): void {
    for (const s of this.sockets) s.resume();
  }

  async close(): Promise<void> {
    await this.down(false);
  }

  /** Waits until at least n points have arrived (or the time is up), then returns how many did. */
  async waitFor(n: number, timeoutMs = 20_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    while (this.points.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return this.points.length;
  }

  private accept(s: Socket): void {
    this.connections++;
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => {});
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      buf = this.protocol === 'line' ? this.takeLines(buf) : this.takeFrames(buf);
    });
  }

  private takeLines(buf: Buffer): Buffer {
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      const line = buf.toString('utf8', start, nl).replace(/\r$/, '');
      const [name, value, ts] = line.split(' ');
      this.points.push({ name: name!, value: Number(value), ts: Number(ts) });
      start = nl + 1;
    }
    return buf.subarray(start);
  }

  private takeFrames(buf: Buffer): Buffer {
    let o = 0;
    while (o + 4 <= buf.length) {
      const len = buf.readUInt32BE(o);
      if (o + 4 + len > buf.length) break;
      decodeCarbonPickle(buf.subarray(o + 4, o + 4 + len), this.points);
      o += 4 + len;
    }
    return buf.subarray(o);
  }
}

/** Decodes the pickle opcodes carbon's client emits for `[(name, (ts, value)), ...]`. */
export function decodeCarbonPickle(p: Buffer, out: SinkPoint[]): void {
  let o = 2; // PROTO 2
  let name = '';
  let nums: number[] = [];
  while (o < p.length) {
    const op = p[o++]!;
    switch (op) {
      case 0x5d: // EMPTY_LIST
      case 0x28: // MARK
      case 0x61: // APPEND
      case 0x65: // APPENDS
        break;
      case 0x71:
        o += 1;
        break;
      case 0x72:
        o += 4;
        break;
      case 0x58: {
        const len = p.readUInt32LE(o);
        name = p.toString('utf8', o + 4, o + 4 + len);
        o += 4 + len;
        nums = [];
        break;
      }
      case 0x47:
        nums.push(p.readDoubleBE(o));
        o += 8;
        break;
      case 0x86:
        if (nums.length === 2) {
          out.push({ name, ts: nums[0]!, value: nums[1]! });
          nums = [];
        }
        break;
      case 0x2e:
        return;
      default:
        throw new Error(`unexpected pickle opcode 0x${op.toString(16)} at ${o - 1}`);
    }
  }
}
