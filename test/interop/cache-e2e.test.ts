import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, PYTHON, readWhisper, surveyWhisper, type RunningDaemon, sendTcp, sendUdp, sleep, startDaemon, tempDir, writeConfig } from '../helpers/daemon.js';

/**
 * carbon-ts cache end to end: real sockets in, SIGTERM, and every Whisper file read back with
 * python3-whisper.
 */
const running: RunningDaemon[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  for (const d of dirs.splice(0)) cleanup(d);
});

function pickleFrame(points: Array<[string, [number, number]]>, protocol: number): Buffer {
  const code = `import pickle, struct, sys, json
pts = [(n, (t, v)) for n, (t, v) in json.loads(sys.stdin.read())]
data = pickle.dumps(pts, protocol=${protocol})
sys.stdout.buffer.write(struct.pack('!L', len(data)) + data)`;
  return execFileSync(PYTHON, ['-c', code], { input: JSON.stringify(points) });
}

async function startCache(extra: Record<string, string | number> = {}, files: Record<string, string> = {}) {
  const dir = tempDir();
  dirs.push(dir);
  const conf = writeConfig(dir, { cache: { ...baseOptions(dir), ENABLE_UDP_LISTENER: 'True', ...extra } }, files);
  const d = await startDaemon('cache', conf, dir);
  running.push(d);
  return { dir, d, data: join(dir, 'storage', 'whisper') };
}

const base = Math.floor(Date.now() / 1000 / 60) * 60 - 3600;

describe('carbon-ts cache end to end', () => {
  it('stores plaintext TCP, UDP and pickle (protocols 0-5) points and flushes them all on SIGTERM', async () => {
    const { d, data } = await startCache();
    const expected = new Map<string, Array<[number, number]>>();
    const add = (name: string, ts: number, v: number) => {
      if (!expected.has(name)) expected.set(name, []);
      expected.get(name)!.push([ts, v]);
    };
    let lines = '';
    for (let s = 0; s < 50; s++) for (let p = 0; p < 10; p++) {
      const ts = base + p * 60;
      lines += `e2e.tcp.s${s} ${s + p / 10} ${ts}\n`;
      add(`e2e.tcp.s${s}`, ts, s + p / 10);
    }
    await sendTcp(d.ports.line!, lines);

    let udp = '';
    for (let p = 0; p < 5; p++) {
      udp += `e2e.udp.m ${p * 1.5} ${base + p * 60}\n`;
      add('e2e.udp.m', base + p * 60, p * 1.5);
    }
    await sendUdp(d.ports.udp!, udp);

    for (const protocol of [0, 1, 2, 3, 4, 5]) {
      const pts: Array<[string, [number, number]]> = [];
      for (let p = 0; p < 4; p++) {
        pts.push([`e2e.pickle.p${protocol}`, [base + p * 60, protocol * 100 + p]]);
        add(`e2e.pickle.p${protocol}`, base + p * 60, protocol * 100 + p);
      }
      await sendTcp(d.ports.pickle!, pickleFrame(pts, protocol));
    }
    await sleep(300);
    expect(await d.stop()).toBe(0);

    for (const [name, pts] of expected) {
      const file = join(data, ...name.split('.')) + '.wsp';
      expect(existsSync(file), file).toBe(true);
      const got = readWhisper(file, base - 60, base + 3600);
      expect(got, name).toEqual(pts.sort((a, b) => a[0] - b[0]));
    }
  });

  it('keeps serving good clients while another sends garbage, and drops nothing good', async () => {
    const { d, data } = await startCache();
    const garbage = Buffer.concat([Buffer.from('no spaces here\nm abc 1\n\xff\xfe\n'), Buffer.alloc(20_000, 0x41), Buffer.from('\n')]);
    await Promise.all([
      sendTcp(d.ports.line!, garbage),
      sendTcp(d.ports.pickle!, Buffer.from([0, 0, 0, 5, 0x80, 0x02, 0x63, 0x6f, 0x73])), // truncated pickle naming a global
      sendTcp(d.ports.pickle!, Buffer.from([0xff, 0xff, 0xff, 0xff])), // oversized frame
      sendTcp(d.ports.line!, `good.one 1 ${base}\ngood.one 2 ${base + 60}\n`),
    ]);
    await sleep(300);
    expect(await d.stop()).toBe(0);
    expect(readWhisper(join(data, 'good', 'one.wsp'), base - 60, base + 600)).toEqual([
      [base, 1],
      [base + 60, 2],
    ]);
  });

  it('stores tagged series at carbon\'s hashed path, normalised', async () => {
    const { d, data } = await startCache();
    await sendTcp(d.ports.line!, `some.metric;tag2=b;tag1=a 7 ${base}\n`);
    await sleep(300);
    expect(await d.stop()).toBe(0);
    const h = '83e5201c883efdaf5fc4156cdd5246cf039542db7ffc5ec7da2c0d7c4cb08991';
    const file = join(data, '_tagged', h.slice(0, 3), h.slice(3, 6), `${h}.wsp`);
    expect(readWhisper(file, base - 60, base + 60)).toEqual([[base, 7]]);
  });

  it('flushes the whole cache on SIGTERM even when the update rate is limited', async () => {
    const { d, data } = await startCache({ MAX_UPDATES_PER_SECOND: 1, MAX_UPDATES_PER_SECOND_ON_SHUTDOWN: 1000 });
    let lines = '';
    for (let s = 0; s < 200; s++) lines += `slow.s${s} ${s} ${base}\n`;
    await sendTcp(d.ports.line!, lines);
    await sleep(200);
    expect(await d.stop()).toBe(0);
    for (let s = 0; s < 200; s += 37) expect(readWhisper(join(data, 'slow', `s${s}.wsp`), base - 60, base + 60)).toEqual([[base, s]]);
  });

  it('serves 1,000 concurrent connections, a slow client and a pickle naming os.system, storing every good point', async () => {
    const { d, data } = await startCache();
    // A slow client: half a line, then nothing for the whole test.
    const slow = createConnection({ host: '127.0.0.1', port: d.ports.line! });
    slow.write('slow.client 1');
    const hostile = execFileSync(PYTHON, ['-c', 'import pickle, os, struct, sys\nd = pickle.dumps([("evil", (1, os.system))], protocol=2)\nsys.stdout.buffer.write(struct.pack("!L", len(d)) + d)']);
    await sendTcp(d.ports.pickle!, hostile);
    const conns = 1000;
    await Promise.all(
      Array.from({ length: conns }, (_, i) => sendTcp(d.ports.line!, `many.c${i % 100}.p${Math.floor(i / 100)} ${i} ${base}\n`)),
    );
    await sendTcp(d.ports.pickle!, pickleFrame([['after.hostile', [base, 5]]], 2));
    await sleep(300);
    slow.destroy();
    expect(await d.stop()).toBe(0);
    const files = surveyWhisper(data);
    let stored = 0;
    for (let i = 0; i < conns; i++) stored += files.get(`many.c${i % 100}.p${Math.floor(i / 100)}`)?.points ?? 0;
    expect(stored).toBe(conns);
    expect(files.get('after.hostile')?.points).toBe(1);
    expect(files.has('evil')).toBe(false);
  });
});
