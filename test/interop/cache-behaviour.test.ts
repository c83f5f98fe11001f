import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, type RunningDaemon, sendTcp, sleep, startDaemon, surveyWhisper, tempDir, writeConfig } from '../helpers/daemon.js';

/** Daemon-level cache behaviour: self-metrics, SIGHUP reloads, flow control without loss. */
const running: RunningDaemon[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  for (const d of dirs.splice(0)) cleanup(d);
});

async function startCache(extra: Record<string, string | number>, files: Record<string, string> = {}) {
  const dir = tempDir();
  dirs.push(dir);
  const conf = writeConfig(dir, { cache: { ...baseOptions(dir), ...extra } }, files);
  const d = await startDaemon('cache', conf, dir);
  running.push(d);
  return { dir, d, data: join(dir, 'storage', 'whisper') };
}

const now = () => Math.floor(Date.now() / 1000);

describe('carbon-ts cache behaviour', () => {
  it('writes its own carbon.agents.<host>-<instance>.* metrics every CARBON_METRIC_INTERVAL', async () => {
    const { d, data } = await startCache({ CARBON_METRIC_INTERVAL: 1 });
    await sendTcp(d.ports.line!, `x.y 1 ${now()}\nx.z 2 ${now()}\n`);
    await sleep(2600);
    expect(await d.stop()).toBe(0);
    const files = surveyWhisper(data);
    const prefix = `carbon.agents.${hostname().replace(/\./g, '_')}-a.`;
    for (const stat of ['metricsReceived', 'committedPoints', 'updateOperations', 'creates', 'cache.size', 'cache.queues', 'cpuUsage', 'memUsage', 'errors', 'activeConnections']) {
      expect(files.has(prefix + stat), `${prefix + stat} in ${[...files.keys()].join(', ')}`).toBe(true);
    }
  });

  it('SIGHUP reloads storage-schemas.conf: series created afterwards use the new schema, cached points survive', async () => {
    const { d, dir, data } = await startCache({ MAX_UPDATES_PER_SECOND: 1 });
    await sendTcp(d.ports.line!, `before.hup 1 ${now()}\n`);
    writeFileSync(join(dir, 'storage-schemas.conf'), '[fine]\npattern = ^after\\.\nretentions = 10s:1h\n\n[default]\npattern = .*\nretentions = 60s:1d\n');
    d.proc.kill('SIGHUP');
    await sleep(300);
    await sendTcp(d.ports.line!, `after.hup 2 ${now()}\n`);
    await sleep(200);
    expect(await d.stop()).toBe(0);
    const files = surveyWhisper(data);
    expect(files.get('before.hup')).toEqual({ points: 1, archives: [[60, 1440]] });
    expect(files.get('after.hup')).toEqual({ points: 1, archives: [[10, 360]] });
  });

  it('USE_WHITELIST: a whitelist written after start applies within carbon\'s 10 s re-read, without SIGHUP', async () => {
    const { d, dir, data } = await startCache({ USE_WHITELIST: 'True' });
    await sendTcp(d.ports.line!, `early.any 1 ${now()}\n`);
    // carbon reads CONF_DIR/whitelist.conf, the folder of carbon.conf; there was none at start.
    writeFileSync(join(dir, 'whitelist.conf'), '^ok\\.\n');
    await sleep(10_700);
    await sendTcp(d.ports.line!, `ok.kept 2 ${now()}\nnot.kept 3 ${now()}\n`);
    await sleep(300);
    expect(await d.stop()).toBe(0);
    const files = surveyWhisper(data);
    expect(files.has('early.any')).toBe(true);
    expect(files.has('ok.kept')).toBe(true);
    expect(files.has('not.kept')).toBe(false);
  }, 30_000);

  it('with a small MAX_CACHE_SIZE and USE_FLOW_CONTROL, pauses senders instead of losing points', async () => {
    const { d, data } = await startCache({ MAX_CACHE_SIZE: 2000, USE_FLOW_CONTROL: 'True' });
    const t0 = now() - 3000;
    const series = 500;
    const perSeries = 40;
    let text = '';
    for (let p = 0; p < perSeries; p++) for (let s = 0; s < series; s++) text += `fc.s${s} ${p} ${t0 + p * 60}\n`;
    await sendTcp(d.ports.line!, text);
    await sleep(500);
    expect(await d.stop()).toBe(0);
    const files = surveyWhisper(data);
    let total = 0;
    for (let s = 0; s < series; s++) total += files.get(`fc.s${s}`)?.points ?? 0;
    expect(total).toBe(series * perSeries);
  });
});
