import { describe, expect, it } from 'vitest';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { ProtobufDecodeError } from '../../src/protocol/errors.js';
import { decodeProtobufPayload, encodeProtobufPayload } from '../../src/protocol/protobuf.js';
import { AcceptPath } from '../../src/receivers/accept-path.js';

function decode(data: Buffer): [string, number, number][] {
  const out = new MetricBatch(2);
  decodeProtobufPayload(data, new AcceptPath(), out);
  return Array.from({ length: out.length }, (_, i) => [out.names[i], out.timestamps[i], out.values[i]] as [string, number, number]);
}

describe('carbon.proto Payload codec', () => {
  it('encodes points grouped by name in first-appearance order and decodes them back', () => {
    const data = encodeProtobufPayload(['a.b', 'c', 'a.b', 'ü'], [1700000000.9, 5, 1700000060, 0], [1.5, -2, 0, Infinity]);
    expect(decode(data)).toEqual([
      ['a.b', 1700000000, 1.5],
      ['a.b', 1700000060, 0],
      ['c', 5, -2],
      ['ü', 0, Infinity],
    ]);
  });

  it('matches hand-encoded bytes: Payload{metrics:[{metric:"m", points:[{timestamp:1, value:1.5}]}]}', () => {
    const point = Buffer.from([0x08, 0x01, 0x11, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f]);
    const metric = Buffer.concat([Buffer.from([0x0a, 0x01, 0x6d, 0x12, point.length]), point]);
    const payload = Buffer.concat([Buffer.from([0x0a, metric.length]), metric]);
    expect(encodeProtobufPayload(['m'], [1], [1.5])).toEqual(payload);
    expect(decode(payload)).toEqual([['m', 1, 1.5]]);
  });

  it('skips unknown fields, keeps the low 32 bits of a long timestamp and drops NaN values', () => {
    const point = Buffer.from([0x08, 0x81, 0x80, 0x80, 0x80, 0x10, 0x18, 0x05, 0x11, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f]);
    const metric = Buffer.concat([Buffer.from([0x0a, 0x01, 0x6d, 0x25, 1, 2, 3, 4, 0x12, point.length]), point]);
    const payload = Buffer.concat([Buffer.from([0x10, 0x07, 0x0a, metric.length]), metric]);
    expect(decode(payload)).toEqual([]);
    const withValue = Buffer.from(payload);
    withValue[withValue.length - 1] = 0x3f;
    withValue[withValue.length - 2] = 0xf0;
    expect(decode(withValue)).toEqual([['m', 1, 1]]);
  });

  it('follows the C++ parser: a zero or end-group tag ends the top level, groups are skipped, length varints count', () => {
    const metric = encodeProtobufPayload(['m'], [1], [2]);
    expect(decode(Buffer.concat([metric, Buffer.from([0x00, 0xff, 0xff])]))).toEqual([['m', 1, 2]]);
    expect(decode(Buffer.concat([metric, Buffer.from([0x0c, 0xff])]))).toEqual([['m', 1, 2]]);
    expect(decode(Buffer.concat([Buffer.from([0x1b, 0x0a, 0x00, 0x1c]), metric]))).toEqual([['m', 1, 2]]);
    expect(() => decode(Buffer.from([0x1b, 0x0a, 0x00, 0x24]))).toThrow(ProtobufDecodeError);
    expect(() => decode(Buffer.from([0x0a, 0x01, 0x00]))).toThrow(ProtobufDecodeError);
    expect(decode(Buffer.concat([Buffer.from([0x42, 0x82, 0x00, 0x0a, 0x00]), metric]))).toEqual([['m', 1, 2]]);
  });

  it('rejects truncated data, bad wire types and invalid UTF-8 names, delivering nothing', () => {
    const good = encodeProtobufPayload(['name', 'other'], [1, 2], [3, 4]);
    const firstMetricEnd = 2 + good[1];
    for (let n = 1; n < good.length; n++) if (n !== firstMetricEnd) expect(() => decode(good.subarray(0, n)), `prefix ${n}`).toThrow(ProtobufDecodeError);
    expect(() => decode(Buffer.from([0x0f]))).toThrow(ProtobufDecodeError);
    expect(() => decode(Buffer.from([0x0a, 0x03, 0x0a, 0x01, 0xff]))).toThrow(ProtobufDecodeError);
    expect(decode(Buffer.alloc(0))).toEqual([]);
  });
});
