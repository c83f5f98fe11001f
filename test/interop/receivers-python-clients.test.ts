import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { stats } from '../../src/instrumentation/counters.js';
import { ReceiverGroup } from '../../src/receivers/receiver-group.js';
import { PYTHON } from '../protocol/helpers/python-oracle.js';
import { CollectingSink, waitFor } from '../receivers/helpers.js';

let group: ReceiverGroup | undefined;
afterEach(async () => {
  await group?.close();
  group = undefined;
  stats.reset();
});

function runPythonClient(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill(), 30_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`python client failed (${code}): ${err}`));
    });
  });
}

describe('receivers fed by Python clients (socket + pickle module, as carbon clients send)', () => {
  it('receives pickles of every protocol, plaintext and UDP from Python', async () => {
    const sink = new CollectingSink();
    group = new ReceiverGroup(sink.sink, { logConnectionSuccess: false });
    const line = await group.listenLine({ interface: '127.0.0.1', port: 0 });
    const pickle = await group.listenPickle({ interface: '127.0.0.1', port: 0 });
    const udp = await group.listenUdp({ interface: '127.0.0.1', port: 0 });
    await runPythonClient(`
import pickle, socket, struct
T = 1700000000
s = socket.create_connection(('127.0.0.1', ${pickle.port}))
for proto in range(6):
    points = [('py.pickle.p%d.n%d' % (proto, i), (T + i, i * 0.5)) for i in range(200)]
    points.append(['py.pickle.p%d.list' % proto, [str(T), '2.5']])
    data = pickle.dumps(points, protocol=proto)
    s.sendall(struct.pack('!L', len(data)) + data)
s.close()
l = socket.create_connection(('127.0.0.1', ${line.port}))
l.sendall(''.join('py.line.%d %d %d\\n' % (i, i, T) for i in range(1000)).encode())
l.sendall(('py.line.caf\\u00e9 1 %d\\r\\n' % T).encode('utf-8'))
l.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b'py.udp.a 1 1700000000\\npy.udp.b 2 1700000000', ('127.0.0.1', ${udp.port}))
`);
    const expected = 6 * 201 + 1001 + 2;
    await waitFor(() => sink.points.length >= expected, 20_000, `${expected} points`);
    expect(sink.points.length).toBe(expected);
    const byName = new Map(sink.points.map((p) => [p.name, p]));
    expect(byName.get('py.pickle.p0.n3')).toEqual({ name: 'py.pickle.p0.n3', timestamp: 1700000003, value: 1.5 });
    expect(byName.get('py.pickle.p5.list')).toEqual({ name: 'py.pickle.p5.list', timestamp: 1700000000, value: 2.5 });
    expect(byName.get('py.line.café')?.value).toBe(1);
    expect(byName.has('py.udp.b')).toBe(true);
  });
});
