import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON } from './daemon.js';
import { freePort, terminate } from './python-carbon.js';

/**
 * Debian's graphite-web (Django) with its own sqlite TagDB under `dir`, served by Django's
 * development server on a port the OS picked: the TagDB carbon registers series with.
 */
export class GraphiteWeb {
  private proc: ChildProcess | null = null;
  url = '';
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly dir: string) {
    mkdirSync(join(dir, 'log'), { recursive: true });
    mkdirSync(join(dir, 'whisper'), { recursive: true });
    writeFileSync(
      join(dir, 'gwtest_settings.py'),
      [
        'from graphite.settings import *',
        `DATABASES = {'default': {'NAME': '${dir}/graphite.db', 'ENGINE': 'django.db.backends.sqlite3'}}`,
        `STORAGE_DIR = '${dir}'`,
        `WHISPER_DIR = '${dir}/whisper'`,
        'STANDARD_DIRS = [WHISPER_DIR]',
        `LOG_DIR = '${dir}/log'`,
        `INDEX_FILE = '${dir}/index'`,
        "TAGDB = 'graphite.tags.localdatabase.LocalDatabaseTagDB'",
        "SECRET_KEY = 'carbon-ts-tests'",
        "ALLOWED_HOSTS = ['127.0.0.1']",
        '',
      ].join('\n'),
    );
    this.env = { ...process.env, PYTHONPATH: dir, DJANGO_SETTINGS_MODULE: 'gwtest_settings' };
  }

  async start(): Promise<void> {
    execFileSync(PYTHON, ['-m', 'django', 'migrate', '--run-syncdb'], { env: this.env, cwd: this.dir, stdio: 'ignore' });
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.proc = spawn(PYTHON, ['-m', 'django', 'runserver', '--noreload', `127.0.0.1:${port}`], { env: this.env, cwd: this.dir, stdio: 'ignore' });
    for (const end = Date.now() + 30_000; Date.now() < end; ) {
      try {
        await this.findSeries('name=none');
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error('graphite-web did not start');
  }

  /** graphite-web's /tags/findSeries for one expression: the registered series that match. */
  async findSeries(expr: string): Promise<string[]> {
    const res = await fetch(`${this.url}/tags/findSeries?expr=${encodeURIComponent(expr)}`);
    if (res.status !== 200) throw new Error(`findSeries ${res.status}`);
    return ((await res.json()) as string[]).sort();
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    await terminate(p);
  }
}
