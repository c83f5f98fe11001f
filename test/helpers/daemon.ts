import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');
export const PYTHON = '/usr/bin/python3';

/** The ports a daemon reports in its `ready` log line (0 / absent = that listener is off). */
export interface ReadyPorts {
  line?: number;
  udp?: number;
  pickle?: number;
  protobuf?: number;
  cacheQuery?: number;
}

export interface RunningDaemon {
  proc: ChildProcess;
  ports: ReadyPorts;
  dir: string;
  logs: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export function tempDir(prefix = 'carbon-ts-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes carbon.conf (plus storage-schemas.conf etc.) into a fresh folder. `sections` maps a section name to
 * its options.
 */
export function writeConfig(dir: string, sections: Record<string, Record<string, string | number>>, files: Record<string, string> = {}): string {
  let text = '';
  for (const [name, opts] of Object.entries(sections)) {
    text += `[${name}]\n`;
    for (const [k, v] of Object.entries(opts)) text += `${k} = ${v}\n`;
    text += '\n';
  }
  const path = join(dir, 'carbon.conf');
  writeFileSync(path, text);
  const defaults: Record<string, string> = {
    'storage-schemas.conf': '[default]\npattern = .*\nretentions = 60s:1d\n',
    'storage-aggregation.conf': '',
  };
  for (const [name, body] of Object.entries({ ...defaults, ...files })) writeFileSync(join(dir, name), body);
  return path;
}

/**
 * Options every test daemon shares: loopback, data under the temp dir. Ports are carbon's defaults here, but
 * startDaemon passes --ephemeral-ports, so every enabled listener binds to a port the OS chooses.
 */
export function baseOptions(dir: string): Record<string, string | number> {
  return {
    STORAGE_DIR: join(dir, 'storage'),
    LOCAL_DATA_DIR: join(dir, 'storage', 'whisper'),
    LINE_RECEIVER_INTERFACE: '127.0.0.1',
    LINE_RECEIVER_PORT: 2003,
    PICKLE_RECEIVER_INTERFACE: '127.0.0.1',
    PICKLE_RECEIVER_PORT: 2004,
    CACHE_QUERY_INTERFACE: '127.0.0.1',
    CACHE_QUERY_PORT: 7002,
    UDP_RECEIVER_INTERFACE: '127.0.0.1',
    UDP_RECEIVER_PORT: 2003,
    CARBON_METRIC_INTERVAL: 0,
    // carbon's default is True, which POSTs every new series to GRAPHITE_URL (port 80): tests that
    // want the TagDB point it at their own server.
    ENABLE_TAGS: 'False',
  };
}

export async function startDaemon(program: string, configPath: string, dir: string, extraArgs: string[] = [], timeoutMs = 20_000): Promise<RunningDaemon> {
  const proc = spawn(process.execPath, [CLI, program, '--config', configPath, '--pidfile', join(dir, `${program}.pid`), '--ephemeral-ports', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CARBON_TS_LOG_LEVEL: 'info' },
  });
  let out = '';
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  const ports = await new Promise<ReadyPorts>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`daemon did not report ready in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    proc.stdout!.on('data', (d: string) => {
      out += d;
      for (const line of out.split('\n')) {
        if (!line.includes('"ready"')) continue;
        try {
          const rec = JSON.parse(line) as { event?: string; ports?: ReadyPorts };
          if (rec.event === 'ready') {
            clearTimeout(timer);
            res(rec.ports ?? {});
            return;
          }
        } catch {
          /* partial line */
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`daemon exited with ${code} before ready:\n${out}`));
    });
  });
  return {
    proc,
    ports,
    dir,
    logs: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      const killer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}

export function sendTcp(port: number, data: string | Buffer): Promise<void> {
  return new Promise((res, rej) => {
    const s: Socket = createConnection({ host: '127.0.0.1', port }, () => {
      s.end(data);
    });
    s.on('error', rej);
    s.on('close', () => res());
  });
}

export function sendUdp(port: number, data: string | Buffer): Promise<void> {
  return new Promise((res, rej) => {
    const s = createSocket('udp4');
    s.send(data, port, '127.0.0.1', (err) => {
      s.close();
      if (err) rej(err);
      else res();
    });
  });
}

/** Runs Python code with the reference modules and returns its stdout. */
export function python(code: string, input?: string): string {
  return execFileSync(PYTHON, ['-c', code], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** Every non-None point of a Whisper file's finest archive, as [ts, value] pairs, read by python3-whisper. */
export function readWhisper(path: string, from: number, until: number): Array<[number, number]> {
  const out = python(
    `import json, sys, whisper\n(start, end, step), vals = whisper.fetch(sys.argv[1] if len(sys.argv) > 1 else ${JSON.stringify(path)}, ${from}, ${until})\nprint(json.dumps([[start + i * step, v] for i, v in enumerate(vals) if v is not None]))`,
  );
  return JSON.parse(out) as Array<[number, number]>;
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** For every Whisper file under `dataDir`: its metric name → [non-empty points in the finest archive, archives as [secondsPerPoint, points]]. */
export function surveyWhisper(dataDir: string): Map<string, { points: number; archives: Array<[number, number]> }> {
  const out = python(
    `import json, os, sys, whisper
root = sys.argv[1] if len(sys.argv) > 1 else ${JSON.stringify(dataDir)}
res = {}
for d, _, files in os.walk(root):
    for f in files:
        if not f.endswith('.wsp'):
            continue
        p = os.path.join(d, f)
        info = whisper.info(p)
        a0 = info['archives'][0]
        (_, _, _), vals = whisper.fetch(p, 0, None, archiveToSelect=a0['secondsPerPoint'])
        name = os.path.relpath(p, root)[:-4].replace(os.sep, '.')
        res[name] = [sum(1 for v in vals if v is not None), [[a['secondsPerPoint'], a['points']] for a in info['archives']]]
print(json.dumps(res))`,
  );
  const parsed = JSON.parse(out) as Record<string, [number, Array<[number, number]>]>;
  return new Map(Object.entries(parsed).map(([k, [points, archives]]) => [k, { points, archives }]));
}
