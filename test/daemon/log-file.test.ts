import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configureLogging, flushLogs, getLogger } from '../../src/logging.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
afterEach(() => {
  configureLogging({ name: 'tests' }); // back to stdout, the file check stopped
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function logLine(text: string): Promise<void> {
  getLogger('test').info(text);
  flushLogs();
  await sleep(60);
}

describe('log file under --logdir', () => {
  it('is opened again at its path once logrotate moved it (ENABLE_LOGROTATION = False, as Debian ships)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carbon-ts-logs-'));
    dirs.push(dir);
    configureLogging({ logDir: dir, name: 'carbon-cache-a', rotateDaily: false, checkMs: 20 });
    await logLine('before rotation');
    renameSync(join(dir, 'console.log'), join(dir, 'console.log.1'));
    await sleep(100);
    await logLine('after rotation');
    expect(readFileSync(join(dir, 'console.log.1'), 'utf8')).toContain('before rotation');
    expect(readFileSync(join(dir, 'console.log.1'), 'utf8')).not.toContain('after rotation');
    expect(readFileSync(join(dir, 'console.log'), 'utf8')).toContain('after rotation');
  });

  it("writes carbon's log types to their own files (creates.log, listener.log, ...), the rest to console.log", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carbon-ts-logs-'));
    dirs.push(dir);
    configureLogging({ logDir: dir, name: 'carbon-cache-a', rotateDaily: false, checkMs: 20 });
    getLogger('creates').info('creating database metric a.b');
    getLogger('listener').info('MetricLineReceiver connection with 127.0.0.1:5555 established');
    await logLine('general message');
    expect(readFileSync(join(dir, 'creates.log'), 'utf8')).toContain('creating database metric a.b');
    expect(readFileSync(join(dir, 'listener.log'), 'utf8')).toContain('connection with 127.0.0.1:5555 established');
    const console = readFileSync(join(dir, 'console.log'), 'utf8');
    expect(console).toContain('general message');
    expect(console).not.toContain('creating database metric');
    // Each file follows logrotate on its own.
    renameSync(join(dir, 'creates.log'), join(dir, 'creates.log.1'));
    await sleep(100);
    getLogger('creates').info('creating database metric c.d');
    await logLine('flush');
    expect(readFileSync(join(dir, 'creates.log'), 'utf8')).toContain('c.d');
    expect(readFileSync(join(dir, 'creates.log.1'), 'utf8')).not.toContain('c.d');
  });

  it('rotates daily to console.log.YEAR_MONTH_DAY of the day it covers (ENABLE_LOGROTATION = True)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carbon-ts-logs-'));
    dirs.push(dir);
    let now = new Date();
    const day = `${now.getFullYear()}_${now.getMonth() + 1}_${now.getDate()}`;
    configureLogging({ logDir: dir, name: 'carbon-cache-a', rotateDaily: true, checkMs: 20, now: () => now });
    await logLine('first day');
    await sleep(60);
    now = new Date(now.getTime() + 86_400_000);
    await sleep(100);
    await logLine('second day');
    expect(readFileSync(join(dir, `console.log.${day}`), 'utf8')).toContain('first day');
    expect(readFileSync(join(dir, 'console.log'), 'utf8')).toContain('second day');
    expect(readFileSync(join(dir, 'console.log'), 'utf8')).not.toContain('first day');
    // A clock that goes back does not rotate again.
    now = new Date(now.getTime() - 2 * 86_400_000);
    await sleep(100);
    await logLine('clock went back');
    expect(readdirSync(dir).sort()).toEqual(['console.log', `console.log.${day}`]);
    expect(readFileSync(join(dir, 'console.log'), 'utf8')).toContain('clock went back');
  });
});
