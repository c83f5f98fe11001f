import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import type { MetricBatch } from '../../src/pipeline/batch.js';

/** A sink that copies every batch it is handed (batches are reused by the receivers). */
export class CollectingSink {
  points: { name: string; value: number; timestamp: number }[] = [];
  batches = 0;
  readonly sink = (batch: MetricBatch): void => {
    this.batches++;
    for (let i = 0; i < batch.length; i++) this.points.push({ name: batch.names[i], value: batch.values[i], timestamp: batch.timestamps[i] });
  };
  names(): string[] {
    return this.points.map((p) => p.name);
  }
}

/** Waits until `cond` holds, polling; fails after `ms`. */
export async function waitFor(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function connectTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when the server closes the socket (or it errors), with whether it closed. */
export function closed(s: Socket): Promise<true> {
  return new Promise((resolve) => {
    if (s.destroyed) return resolve(true);
    s.on('error', () => undefined);
    s.once('close', () => resolve(true));
  });
}

export function sendUdp(port: number, data: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.send(typeof data === 'string' ? Buffer.from(data) : data, port, '127.0.0.1', (err) => {
      s.close();
      if (err) reject(err);
      else resolve();
    });
  });
}
