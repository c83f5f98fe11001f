import type { PointRun } from './point-run.js';

/**
 * carbon.proto's Payload for points [start, end), with the 4-byte big-endian length prefix of
 * Int32StringReceiver:
 *   Payload { repeated Metric metrics = 1 }  Metric { string metric = 1; repeated Point points = 2 }
 *   Point { uint32 timestamp = 1; double value = 2 }
 * As carbon's CarbonProtobufClientProtocol does, points of the same name are grouped under one
 * Metric in order of first appearance, and timestamp = int(ts). proto3 leaves out fields equal to
 * their default (timestamp 0, value +0.0).
 */
export function encodeProtobufFrame(run: PointRun, start: number, end: number): Buffer {
  const order: string[] = [];
  const groups = new Map<string, number[]>();
  for (let i = start; i < end; i++) {
    const name = run.names[i]!;
    let g = groups.get(name);
    if (!g) {
      g = [];
      groups.set(name, g);
      order.push(name);
    }
    g.push(i);
  }
  const parts: Buffer[] = [];
  let total = 0;
  for (const name of order) {
    const nameBytes = Buffer.from(name, 'utf8');
    const idx = groups.get(name)!;
    const points: Buffer[] = [];
    let metricLen = 1 + varintSize(nameBytes.length) + nameBytes.length;
    for (const i of idx) {
      const p = encodePoint(run.timestamps[i]!, run.values[i]!);
      points.push(p);
      metricLen += 1 + varintSize(p.length) + p.length;
    }
    const m = Buffer.allocUnsafe(1 + varintSize(metricLen) + metricLen);
    let o = 0;
    m[o++] = 0x0a; // Payload.metrics, wire type 2
    o = writeVarint(m, o, metricLen);
    m[o++] = 0x0a; // Metric.metric
    o = writeVarint(m, o, nameBytes.length);
    o += nameBytes.copy(m, o);
    for (const p of points) {
      m[o++] = 0x12; // Metric.points
      o = writeVarint(m, o, p.length);
      o += p.copy(m, o);
    }
    parts.push(m);
    total += m.length;
  }
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(total, 0);
  return Buffer.concat([head, ...parts], total + 4);
}

function encodePoint(ts: number, value: number): Buffer {
  const t = Number.isFinite(ts) ? Math.trunc(ts) >>> 0 : 0;
  const b = Buffer.allocUnsafe(1 + 5 + 9);
  let o = 0;
  if (t !== 0) {
    b[o++] = 0x08; // Point.timestamp, varint
    o = writeVarint(b, o, t);
  }
  if (value !== 0 || Object.is(value, -0)) {
    b[o++] = 0x11; // Point.value, fixed64
    b.writeDoubleLE(value, o);
    o += 8;
  }
  return b.subarray(0, o);
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function writeVarint(b: Buffer, o: number, v: number): number {
  while (v >= 0x80) {
    b[o++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  b[o++] = v;
  return o;
}
