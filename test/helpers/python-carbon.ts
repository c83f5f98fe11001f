import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1, chosen by the OS (for daemons that cannot be told "port 0"). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      r(true);
    });
    s.on('error', () => r(false));
  });
}

/** The reference carbon-cache (/usr/bin/carbon-cache) in the foreground, with its files under `dir`. */
export class PythonCarbonCache {
  proc: ChildProcess | null = null;
  readonly conf: string;
  readonly dataDir: string;
  linePort = 0;
  picklePort = 0;

  constructor(
    readonly dir: string,
    readonly instance: string,
    private readonly schemas = '[default]\npattern = .*\nretentions = 1s:1d\n',
    /** More carbon.conf lines for [cache]. */
    private readonly extraConf = '',
  ) {
    const confDir = join(dir, 'conf');
    mkdirSync(confDir, { recursive: true });
    this.conf = join(confDir, 'carbon.conf');
    this.dataDir = join(dir, 'storage', 'whisper');
  }

  private queryPort = 0;

  /** The first start takes free ports from the OS; a restart reuses them, so senders find the node again. */
  async start(): Promise<void> {
    if (this.picklePort === 0) {
      this.linePort = await freePort();
      this.picklePort = await freePort();
      this.queryPort = await freePort();
    }
    const queryPort = this.queryPort;
    writeFileSync(
      this.conf,
      `[cache]\nSTORAGE_DIR = ${this.dir}/storage\nLOCAL_DATA_DIR = ${this.dataDir}\nLOG_DIR = ${this.dir}/log\nPID_DIR = ${this.dir}\n` +
        `LINE_RECEIVER_INTERFACE = 127.0.0.1\nLINE_RECEIVER_PORT = ${this.linePort}\nPICKLE_RECEIVER_INTERFACE = 127.0.0.1\n` +
        `PICKLE_RECEIVER_PORT = ${this.picklePort}\nCACHE_QUERY_INTERFACE = 127.0.0.1\nCACHE_QUERY_PORT = ${queryPort}\n` +
        `MAX_CREATES_PER_MINUTE = inf\nMAX_UPDATES_PER_SECOND = inf\nCARBON_METRIC_INTERVAL = 0\n${this.extraConf}`,
    );
    writeFileSync(join(this.dir, 'conf', 'storage-schemas.conf'), this.schemas);
    this.proc = spawn('/usr/bin/carbon-cache', [`--config=${this.conf}`, `--instance=${this.instance}`, '--nodaemon', 'start'], { stdio: 'ignore' });
    for (const end = Date.now() + 30_000; Date.now() < end; ) {
      if ((await portOpen(this.picklePort)) && (await portOpen(this.linePort))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`carbon-cache in ${this.dir} did not start listening`);
  }

  /**
   * SIGTERM. Observed: carbon-cache 1.1.x then exits without writing the points it received in roughly its
   * last second (its writer thread sleeps 1 s between passes and stops with the reactor).
   */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    await terminate(p);
  }
}

/** SIGTERM, SIGKILL after `graceMs`; resolves once the process has exited. */
export async function terminate(p: ChildProcess | null, graceMs = 20_000): Promise<void> {
  if (!p || p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}
