import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, CLI, type RunningDaemon, startDaemon, tempDir, writeConfig } from '../helpers/daemon.js';

const running: RunningDaemon[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  for (const d of dirs.splice(0)) cleanup(d);
});

function fresh() {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('daemon lifecycle and command line', () => {
  it('fails at start on a bad config, naming the file, the line and the problem', () => {
    const dir = fresh();
    const conf = join(dir, 'carbon.conf');
    writeFileSync(join(dir, 'storage-schemas.conf'), '[default]\npattern = .*\nretentions = 60s:1d\n');
    writeFileSync(conf, '[cache]\nLINE_RECEIVER_PORT = 0\nUSE_FLOW_CONTROL = maybe\n');
    const r = run(['cache', '--config', conf, '--pidfile', join(dir, 'p.pid')]);
    expect(r.status).not.toBe(0);
    const msg = r.stdout + r.stderr;
    expect(msg).toContain(conf);
    expect(msg).toMatch(/line 3|:3/);
    expect(msg).toMatch(/USE_FLOW_CONTROL/);
  });

  it('fails at start naming the carbon.conf line when a listener cannot open, USER is unknown or DESTINATIONS is malformed', () => {
    const cases: [string, string, Record<string, string | number>, RegExp][] = [
      // 192.0.2.1 (TEST-NET-1) is no address of this machine: EADDRNOTAVAIL.
      ['cache', 'cache', { LINE_RECEIVER_INTERFACE: '192.0.2.1' }, /LINE_RECEIVER_INTERFACE: cannot listen on 192\.0\.2\.1/],
      ['cache', 'cache', { USER: 'nosuchuserzz' }, /USER = nosuchuserzz: no such user/],
      ['relay', 'relay', { DESTINATIONS: '127.0.0.1' }, /DESTINATIONS: invalid destination "127\.0\.0\.1"/],
    ];
    for (const [program, section, extra, re] of cases) {
      const dir = fresh();
      const options = { ...baseOptions(dir), ...extra };
      const conf = writeConfig(dir, { [section]: options });
      // The line of the option that is wrong: the section header is line 1.
      const line = Object.keys(options).lastIndexOf(Object.keys(extra)[0]) + 2;
      const r = run([program, '--config', conf, '--pidfile', join(dir, 'p.pid'), '--ephemeral-ports']);
      const msg = r.stdout + r.stderr;
      expect(r.status, msg).not.toBe(0);
      expect(msg).toMatch(re);
      expect(msg).toContain(`${conf}:${line}`);
    }
  });

  it('fails at start on a malformed storage-schemas.conf, naming the file and line', () => {
    const dir = fresh();
    const conf = writeConfig(dir, { cache: baseOptions(dir) }, { 'storage-schemas.conf': '[default]\npattern = .*\nretentions = 60s:banana\n' });
    const r = run(['cache', '--config', conf, '--pidfile', join(dir, 'p.pid')]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('storage-schemas.conf');
  });

  it('writes a pidfile, answers status and stop, exits 0 on SIGTERM and removes the pidfile', async () => {
    const dir = fresh();
    const conf = writeConfig(dir, { cache: baseOptions(dir) });
    const pidfile = join(dir, 'cache.pid');
    const d = await startDaemon('cache', conf, dir);
    running.push(d);
    expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(d.proc.pid));
    const status = run(['cache', 'status', '--config', conf, '--pidfile', pidfile]);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(`running with pid ${d.proc.pid}`);
    const again = run(['cache', '--config', conf, '--pidfile', pidfile]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already running');
    expect(run(['cache', 'stop', '--config', conf, '--pidfile', pidfile]).status).toBe(0);
    expect(await d.stop()).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
    const after = run(['cache', 'status', '--config', conf, '--pidfile', pidfile]);
    expect(after.status).toBe(1);
  });

  it('rejects an unknown action', () => {
    const dir = fresh();
    const conf = writeConfig(dir, { cache: baseOptions(dir) });
    const r = run(['cache', 'restart', '--config', conf]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('start stop status');
  });

  it('prints the whisper tools and daemons in --help', () => {
    const out = execFileSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    for (const c of ['cache', 'relay', 'aggregator', 'aggregator-cache', 'route', 'whisper']) expect(out).toContain(c);
  });
});
