import { describe, expect, it } from 'vitest';
import { MetricBatch } from '../../src/pipeline/batch.js';
import {
  DATAGRAM_BAD_UTF8,
  DATAGRAM_OK,
  DATAGRAM_TRUNCATED_BY_INFINITE_TIMESTAMP,
  LINE_BAD_TIMESTAMP,
  LINE_BAD_UTF8,
  LINE_OK,
  LINE_TOO_LONG,
  LineStreamParser,
  parseDatagram,
} from '../../src/protocol/line-parser.js';
import { AcceptPath } from '../../src/receivers/accept-path.js';

const NOW = 1500000000.5;
const T = 1700000000;

function tcp(...chunks: (string | Buffer)[]): { points: [string, number, number][]; invalid: string[]; status: number } {
  const invalid: string[] = [];
  const parser = new LineStreamParser(new AcceptPath({ now: () => NOW }), (l) => invalid.push(l));
  const out = new MetricBatch(2);
  let status = LINE_OK as number;
  for (const c of chunks) {
    status = parser.feed(typeof c === 'string' ? Buffer.from(c, 'latin1') : c, out);
    if (status !== LINE_OK) break;
  }
  const points: [string, number, number][] = [];
  for (let i = 0; i < out.length; i++) points.push([out.names[i], out.values[i], out.timestamps[i]]);
  return { points, invalid, status };
}

describe('TCP plaintext line parser (spec §3.1 observed matrix)', () => {
  it.each([
    [`m 1.5 ${T}\n`, 1.5, T],
    [`m 2 ${T}\r\n`, 2, T],
    [`m\t2\t${T}\n`, 2, T],
    [`   m   2   ${T}   \n`, 2, T],
    [`m 5 ${T}.75\n`, 5, T + 0.75],
    ['m 6 -1\n', 6, NOW],
    ['m 6 -1.5\n', 6, NOW],
    [`m inf ${T}\n`, Infinity, T],
    [`m 1e3 ${T}e0\n`, 1000, T],
    [`m 1_000 ${T}\n`, 1000, T],
    [`m 1 +${T}\n`, 1, T],
  ])('%j is accepted', (line, value, ts) => {
    const r = tcp(line);
    expect(r.status).toBe(LINE_OK);
    expect(r.points).toEqual([['m', value, ts]]);
  });

  it('drops NaN values silently', () => {
    expect(tcp(`m nan ${T}\n`)).toEqual({ points: [], invalid: [], status: LINE_OK });
  });

  it.each([`m 1\n`, `m 1 2 3\n`, `m abc ${T}\n`, '\n', `m 0x10 ${T}\n`, `m 1,5 ${T}\n`])('logs and skips %j, keeping the connection', (line) => {
    const r = tcp(line + `ok 1 ${T}\n`);
    expect(r.status).toBe(LINE_OK);
    expect(r.invalid).toEqual([line.slice(0, -1)]);
    expect(r.points).toEqual([['ok', 1, T]]);
  });

  it.each([
    ['m 1 nan', LINE_BAD_TIMESTAMP],
    ['m 1 inf', LINE_BAD_TIMESTAMP],
    ['m \xff 1', LINE_BAD_UTF8],
  ])('drops the connection on %j after delivering the lines before it', (bad, status) => {
    const r = tcp(`a 1 ${T}\n${bad}\nb 2 ${T}\n`);
    expect(r.status).toBe(status);
    expect(r.points).toEqual([['a', 1, T]]);
  });

  it('keeps a partial line across reads and never delivers an unterminated last line', () => {
    const r = tcp('a 1 ', `${T}\nb 2`, ` ${T}\nc 3 ${T}`);
    expect(r.points).toEqual([
      ['a', 1, T],
      ['b', 2, T],
    ]);
  });

  it('allows lines of exactly 16384 bytes and drops the connection above', () => {
    const name16384 = 'x'.repeat(16384 - 4);
    expect(tcp(`${name16384} 1 2\n`).points.length).toBe(1);
    expect(tcp(`a 1 2\n${name16384}0 1 2\nb 1 2\n`)).toMatchObject({ status: LINE_TOO_LONG, points: [['a', 1, 2]] });
    expect(tcp('x'.repeat(16384)).status).toBe(LINE_OK);
    expect(tcp('x'.repeat(16000), 'x'.repeat(385)).status).toBe(LINE_TOO_LONG);
  });

  it('reads non-ASCII names and Unicode digits through the slow path', () => {
    const r = tcp(Buffer.from(`café.m ٣ ${T}\n`, 'utf8'));
    expect(r.points).toEqual([['café.m', 3, T]]);
  });

  it('reads each 10-digit timestamp anew when any of its bytes differs from the previous line', () => {
    const stamps = ['1700000000', '1700000000', '1700000001', '1800000001', '1700000091', '1700000000', '170000000.', '17000000e1', '-170000000', '1700000000'];
    const { points, invalid } = tcp(stamps.map((t, i) => `m${i} ${i} ${t}\n`).join(''));
    expect(invalid).toEqual([]);
    expect(points.map((p) => p[2])).toEqual([1700000000, 1700000000, 1700000001, 1800000001, 1700000091, 1700000000, 170000000, 170000000, -170000000, 1700000000]);
  });

  it('delivers many lines split at every possible byte boundary identically', () => {
    const text = Array.from({ length: 50 }, (_, i) => `metric.${i} ${i * 1.25} ${T + i}\n`).join('');
    const whole = tcp(text).points;
    for (let cut = 1; cut < text.length; cut += 7) expect(tcp(text.slice(0, cut), text.slice(cut)).points).toEqual(whole);
    expect(whole.length).toBe(50);
  });

  it('keeps a leading byte order mark as part of the name, as Python\'s utf-8 codec does', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const r = tcp(Buffer.concat([bom, Buffer.from(`sh.s21 321 ${T}\n`), bom, bom, Buffer.from(`x 6 ${T}\n`), bom, Buffer.from(` 5 ${T}\n`)]));
    expect(r.points).toEqual([
      ['\ufeffsh.s21', 321, T],
      ['\ufeff\ufeffx', 6, T],
      ['\ufeff', 5, T],
    ]);
  });
});

describe('UDP datagram parser (spec §3.2)', () => {
  const run = (data: Buffer | string) => {
    const invalid: string[] = [];
    const out = new MetricBatch(2);
    const status = parseDatagram(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, new AcceptPath({ now: () => NOW }), out, (l) => invalid.push(l));
    return { status, invalid, names: out.names.slice(0, out.length) };
  };

  it('splits on every splitlines() break and needs no trailing newline', () => {
    expect(run('a 1 1\rb 1 1\r\nc 1 1\x0bd 1 1\x0ce 1 1\x1cf 1 1\x1dg 1 1\x1eh 1 1').names).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(run(Buffer.from('a 1 1\u2028b 1 1\u0085c 1 1', 'utf8')).names).toEqual(['a', 'b', 'c']);
  });

  it('logs a NaN timestamp as an invalid line and goes on; an infinite one ends the datagram', () => {
    expect(run('a 1 nan\nb 1 1')).toEqual({ status: DATAGRAM_OK, invalid: ['a 1 nan'], names: ['b'] });
    expect(run('a 1 1\nb 1 inf\nc 1 1')).toEqual({ status: DATAGRAM_TRUNCATED_BY_INFINITE_TIMESTAMP, invalid: [], names: ['a'] });
  });

  it('keeps a byte order mark at the start of a datagram and of its other lines', () => {
    const bom = '\xef\xbb\xbf';
    expect(run(`${bom}u.a 1 1\n${bom}u.b 2 1`).names).toEqual(['\ufeffu.a', '\ufeffu.b']);
  });

  it('drops a datagram that is not UTF-8 entirely', () => {
    expect(run('a 1 1\nb \xff 1\n')).toEqual({ status: DATAGRAM_BAD_UTF8, invalid: [], names: [] });
  });

  it('reads only the first 8192 bytes of a datagram, as Twisted does', () => {
    const line = 'm 1 1\n';
    const data = line.repeat(Math.ceil(9000 / line.length));
    const r = run(data);
    expect(r.names.length).toBe(Math.floor(8192 / line.length));
    expect(r.invalid.length).toBe(1); // the cut last line
  });
});
