import { describe, expect, it } from 'vitest';
import { encodeLineFrame } from '../../src/relay/encode/line.js';
import { encodePickleFrame } from '../../src/relay/encode/pickle.js';
import { FrameSlab } from '../../src/relay/encode/frame-slab.js';
import { formatCarbonTimestamp, formatCarbonValue } from '../../src/relay/encode/value-format.js';
import { PY_LOAD_POINTS, pointsToJson, runPython, type OraclePoints } from './python-oracle.js';

function makePoints(n: number, seed: number): OraclePoints {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const special = [0, -0, 1, -1, 1.5, -2.5, 1e-5, 1e-11, -1e-11, 1 / 2048, 3 / 2048, -5 / 2048, 1.2345678901234567e19, 1e21, 1e22, -3e25, Infinity, -Infinity, NaN, 0.1, 123456789.123456789, 2 ** 53, 5e-324];
  const names: string[] = [];
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    names.push(i % 7 === 3 ? `ünï.cödé.${i}.µs` : `servers.host${i % 13}.cpu.${Math.floor(rnd() * 1e6)}`);
    timestamps[i] = i % 5 === 0 ? 1_795_600_000 + i : 1_795_600_000 + rnd() * 1000;
    const r = rnd();
    values[i] = i < special.length ? special[i]! : r < 0.3 ? Math.floor(rnd() * 1e6) : r < 0.6 ? (rnd() - 0.5) * 10 ** Math.floor(rnd() * 30 - 15) : rnd() * 100;
  }
  return { names, timestamps, values };
}

describe('pickle frame', () => {
  it('matches the spec example frame byte for byte', () => {
    const f = encodePickleFrame({ names: ['foo.bar'], timestamps: Float64Array.of(1700000000), values: Float64Array.of(1.5) }, 0, 1);
    expect(f.toString('hex')).toBe(
      '0000002d80025d7100580700000066' + '6f6f2e626172710147' + '41d954fc40000000473ff800000000000086710286710361' + '2e',
    );
  });

  it.each([0, 1, 2, 3, 84, 85, 86, 500, 999, 1000, 1001, 2001])('is byte-identical to pickle.dumps(protocol=2) for %i points', (n) => {
    const p = makePoints(n, n + 17);
    const ours = encodePickleFrame(p, 0, n);
    const py = runPython(
      PY_LOAD_POINTS + `import pickle\nb = pickle.dumps(rows, protocol=2)\nsys.stdout.buffer.write(struct.pack('!I', len(b)) + b)`,
      pointsToJson(p),
    );
    expect(ours.toString('hex')).toBe(py.toString('hex'));
  });

  it('encodes a sub-range of a run', () => {
    const p = makePoints(10, 5);
    const sub = { names: p.names.slice(3, 7), timestamps: p.timestamps.slice(3, 7), values: p.values.slice(3, 7) };
    expect(encodePickleFrame(p, 3, 7).equals(encodePickleFrame(sub, 0, 4))).toBe(true);
  });
});

describe('line frame', () => {
  it('is byte-identical to carbon CarbonLineClientProtocol formatting', () => {
    const p = makePoints(400, 99);
    p.timestamps[1] = -1.5;
    p.timestamps[2] = 1795600000.9;
    p.timestamps[3] = 1e22;
    const ours = encodeLineFrame(p, 0, 400);
    const py = runPython(
      PY_LOAD_POINTS +
        `out = []
for metric, datapoint in rows:
    if isinstance(datapoint[1], float):
        value = ("%.10f" % datapoint[1]).rstrip('0').rstrip('.')
    else:
        value = "%d" % datapoint[1]
    out.append(("%s %s %d" % (metric, value, datapoint[0])).encode('utf-8') + b'\\r\\n')
sys.stdout.buffer.write(b''.join(out))`,
      pointsToJson(p),
    );
    expect(ours.toString('utf8')).toBe(py.toString('utf8'));
  });

  it('formats the documented examples', () => {
    expect(formatCarbonValue(1.5)).toBe('1.5');
    expect(formatCarbonValue(1e-5)).toBe('0.00001');
    expect(formatCarbonValue(1e-11)).toBe('0');
    expect(formatCarbonValue(-0)).toBe('-0');
    expect(formatCarbonValue(1.2345678901234567e19)).toBe('12345678901234567168');
    expect(formatCarbonValue(1 / 2048)).toBe('0.0004882812');
    expect(formatCarbonValue(NaN)).toBe('nan');
    expect(formatCarbonValue(-Infinity)).toBe('-inf');
    expect(formatCarbonTimestamp(1795600000.9)).toBe('1795600000');
    expect(formatCarbonTimestamp(-0.5)).toBe('0');
    expect(formatCarbonTimestamp(Infinity)).toBeNull();
  });

  it('leaves out points whose timestamp Python cannot format, and counts them', () => {
    const skipped = { count: 0 };
    const f = encodeLineFrame({ names: ['a', 'b'], timestamps: Float64Array.of(NaN, 10), values: Float64Array.of(1, 2) }, 0, 2, skipped);
    expect(f.toString()).toBe('b 2 10\r\n');
    expect(skipped.count).toBe(1);
  });

  it('grows the frame when names are longer than the space reserved per point (slab or not)', () => {
    const names = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? `ü${'long.name.'.repeat(30)}${i}` : `s${i}`));
    const run = { names, timestamps: new Float64Array(60).fill(1795600000), values: Float64Array.from(names, (_, i) => i * 1e20 + 0.5) };
    const expected = names.map((n, i) => `${n} ${formatCarbonValue(run.values[i]!)} 1795600000\r\n`).join('');
    expect(encodeLineFrame(run, 0, 60).toString('utf8')).toBe(expected);
    const slab = new FrameSlab(1 << 16);
    const first = slab.reserve(10);
    slab.commit(first.buf, first.off, first.off + 10); // the next frame starts past the slab's first bytes
    expect(encodeLineFrame(run, 0, 60, undefined, slab).toString('utf8')).toBe(expected);
    expect(encodeLineFrame(run, 10, 20, undefined, slab).toString('utf8')).toBe(names.slice(10, 20).map((n, k) => `${n} ${formatCarbonValue(run.values[10 + k]!)} 1795600000\r\n`).join(''));
  });

  it('writes arbitrary doubles as Python %.10f rounds them (ties to even, exact binary value)', () => {
    let s = 987654321;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const values: number[] = [];
    const next = (x: number) => {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(x);
      b.writeBigUInt64BE(b.readBigUInt64BE() + 1n);
      return b.readDoubleBE();
    };
    for (let i = 0; i < 6000; i++) {
      const mag = 10 ** (Math.floor(rnd() * 18) - 12);
      values.push(rnd() * mag, -rnd() * mag, rnd() * 524287.99);
      const tie = (2 * Math.floor(rnd() * 1e6) + 1) / 2048; // exact ties of %.10f
      values.push(tie, next(tie), -tie);
      const digits = Math.floor(rnd() * 1e12) / 1e11; // 11-12 significant decimals
      values.push(digits, digits + 5e-11, Math.round(rnd() * 1e10) / 1e10 + 5e-11);
    }
    values.push(1e-6, 0.9999999999999999, 524287.9999999999, 5e-11, 4.9999999999e-11, 0.00000000005000000001, 1.00000000005);
    const run = { names: values.map(() => 'v'), timestamps: new Float64Array(values.length).fill(1), values: Float64Array.from(values) };
    const ours = encodeLineFrame(run, 0, values.length).toString();
    const py = runPython(
      PY_LOAD_POINTS +
        `sys.stdout.write(''.join('v %s 1\\r\\n' % ("%.10f" % v).rstrip('0').rstrip('.') for _, (t, v) in rows))`,
      pointsToJson(run),
    ).toString();
    const a = ours.split('\r\n');
    const b = py.split('\r\n');
    expect(a.length).toBe(b.length);
    const wrong = a.map((line, i) => (line === b[i] ? null : `${values[i]}: ${line} vs ${b[i]}`)).filter((x) => x !== null);
    expect(wrong).toEqual([]);
  });

  it('writes repeated and boundary timestamps as formatCarbonTimestamp does', () => {
    const stamps = [1795600000, 1795600000, 1795600000.7, NaN, 1795600000, 0, 0, -0.5, -7, -7, 2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31, 2 ** 53 + 2, 9, 1e22, 1e22, 1795600060];
    const run = { names: stamps.map((_, i) => `s${i}`), timestamps: Float64Array.from(stamps), values: new Float64Array(stamps.length).fill(2) };
    const skipped = { count: 0 };
    const text = encodeLineFrame(run, 0, stamps.length, skipped).toString();
    const expected = stamps.flatMap((t, i) => (Number.isFinite(t) ? [`s${i} 2 ${formatCarbonTimestamp(t)}\r\n`] : [])).join('');
    expect(text).toBe(expected);
    expect(text).toContain('s11 2 2147483647\r\ns12 2 2147483648\r\n');
    expect(skipped.count).toBe(1);
  });

  it('writes every value as formatCarbonValue does (digits written directly for short decimals)', () => {
    let s = 12345;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const values: number[] = [0, -0, 0.5, -0.5, 1e-10, 5e-11, 0.1 + 0.2, 524287.999999999, 524288.5, 262144.0000000001, 1e15 - 1, 1e15, -1e-11, 99.99, 0.001];
    for (let i = 0; i < 4000; i++) {
      const k = Math.floor(rnd() * 12);
      const scale = 10 ** k;
      const v = Math.round((rnd() - 0.3) * 10 ** Math.floor(rnd() * 8) * scale) / scale;
      values.push(v, v * 1.0000001, rnd() * 600000);
    }
    const run = { names: values.map(() => 'm'), timestamps: new Float64Array(values.length).fill(1), values: Float64Array.from(values) };
    const lines = encodeLineFrame(run, 0, values.length).toString().split('\r\n');
    values.forEach((v, i) => expect(lines[i]).toBe(`m ${formatCarbonValue(v)} 1`));
  });

  it('writes the same bytes into a frame slab, for a sub-range, as on its own', async () => {
    const { FrameSlab } = await import('../../src/relay/encode/frame-slab.js');
    const p = makePoints(300, 7);
    p.timestamps[5] = NaN;
    p.timestamps[6] = -(2 ** 60);
    const slab = new FrameSlab(4096);
    const first = Buffer.from(encodeLineFrame(p, 0, 10, undefined, slab));
    const sub = { names: p.names.slice(10, 300), timestamps: p.timestamps.slice(10, 300), values: p.values.slice(10, 300) };
    expect(encodeLineFrame(p, 10, 300, undefined, slab).equals(encodeLineFrame(sub, 0, 290))).toBe(true);
    expect(first.toString()).toContain(`${p.names[6]} ${formatCarbonValue(p.values[6]!)} -1152921504606846976\r\n`);
    expect(first.toString()).not.toContain(`${p.names[5]} `);
  });
});

describe('protobuf frame', () => {
  it('groups points by name in first-appearance order, length-prefixed, and decodes back', async () => {
    const { decodeProtobufPayload } = await import('../../src/protocol/protobuf.js');
    const { MetricBatch } = await import('../../src/pipeline/batch.js');
    const { encodeProtobufFrame } = await import('../../src/relay/encode/protobuf.js');
    const run = { names: ['x', 'a.b', 'c', 'a.b', 'c', 'a.b'], timestamps: Float64Array.of(9, 100.9, 101, 102, 103, 104), values: Float64Array.of(0, 1.5, 0, -2, 3, 4) };
    const f = encodeProtobufFrame(run, 1, 6);
    expect(f.readUInt32BE(0)).toBe(f.length - 4);
    const out = new MetricBatch(8);
    decodeProtobufPayload(f.subarray(4), { accept: (b: InstanceType<typeof MetricBatch>, name: string, value: number, ts: number) => (b.push(name, value, ts), 0 as const) }, out);
    const got = Array.from({ length: out.length }, (_, i) => [out.names[i], out.timestamps[i], out.values[i]]);
    expect(got).toEqual([
      ['a.b', 100, 1.5],
      ['a.b', 102, -2],
      ['a.b', 104, 4],
      ['c', 101, 0],
      ['c', 103, 3],
    ]);
    // Metric "a.b": field 1 = name, then three Points (field 2); first point = ts varint 100, value 1.5.
    expect(f.subarray(4, 4 + 2 + 5 + 2).toString('hex')).toBe('0a' + f[5]!.toString(16).padStart(2, '0') + '0a03612e62' + '12' + '0b');
  });
});

describe('value formatting against Python on many values', () => {
  it('agrees with ("%.10f" % v).rstrip("0").rstrip(".") for random magnitudes', () => {
    let s = 12345;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const vals: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const mag = 10 ** Math.floor(rnd() * 40 - 20);
      const v = (rnd() - 0.5) * mag;
      vals.push(v, Math.round(v * 1000) / 1000, Math.round(v * 1e10) / 1e10, Math.floor(v) + 0.5, 524287.1234567891, 524288.1234567891);
    }
    for (let k = -30; k < 30; k++) vals.push(k / 2048, k / 1024 + 1e-12, 2 ** 19 + k / 2048);
    const hex = vals.map((v) => {
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleBE(v, 0);
      return b.toString('hex');
    });
    const py = runPython(
      `import sys, json, struct
for h in json.loads(sys.stdin.read()):
    v = struct.unpack('>d', bytes.fromhex(h))[0]
    print(("%.10f" % v).rstrip('0').rstrip('.'))`,
      JSON.stringify(hex),
    )
      .toString()
      .trimEnd()
      .split('\n');
    const ours = vals.map(formatCarbonValue);
    const diffs = ours.map((o, i) => (o === py[i] ? null : `${vals[i]}: ours ${o} python ${py[i]}`)).filter((d) => d);
    expect(diffs).toEqual([]);
  });
});
