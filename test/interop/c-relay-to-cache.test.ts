import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, type RunningDaemon, sendTcp, sleep, startDaemon, surveyWhisper, tempDir, writeConfig } from '../helpers/daemon.js';
import { freePort, portOpen } from '../helpers/python-carbon.js';

/** carbon-c-relay (a client no one here wrote) forwarding plaintext to carbon-ts cache; every point must be stored. */
const procs: ChildProcess[] = [];
const running: RunningDaemon[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  for (const d of dirs.splice(0)) cleanup(d);
});

describe('carbon-c-relay → carbon-ts cache', () => {
  it('stores every point carbon-c-relay forwards', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const conf = writeConfig(dir, { cache: baseOptions(dir) });
    const cache = await startDaemon('cache', conf, dir);
    running.push(cache);
    const relayPort = await freePort();
    const relayConf = join(dir, 'c-relay.conf');
    writeFileSync(relayConf, `cluster carbonts\n    forward\n        127.0.0.1:${cache.ports.line}\n    ;\nmatch *\n    send to carbonts\n    stop\n    ;\n`);
    const relay = spawn('/usr/bin/carbon-c-relay', ['-f', relayConf, '-p', String(relayPort), '-s', '-w', '1'], { stdio: 'ignore' });
    procs.push(relay);
    for (const end = Date.now() + 15_000; Date.now() < end && !(await portOpen(relayPort)); ) await sleep(100);

    const t0 = Math.floor(Date.now() / 1000 / 60) * 60 - 3000;
    const series = 300;
    const points = 10;
    let text = '';
    for (let p = 0; p < points; p++) for (let s = 0; s < series; s++) text += `crelay.host${s % 7}.m${s} ${s + p} ${t0 + p * 60}\n`;
    await sendTcp(relayPort, text);
    // carbon-c-relay forwards asynchronously: wait until carbon-ts has received everything.
    let survey = surveyWhisper(join(dir, 'storage', 'whisper'));
    for (let i = 0; i < 3; i++) {
      await sleep(1500);
      survey = surveyWhisper(join(dir, 'storage', 'whisper'));
      if ([...survey.values()].reduce((a, f) => a + f.points, 0) === series * points) break;
    }
    relay.kill('SIGTERM');
    expect(await cache.stop()).toBe(0);
    survey = surveyWhisper(join(dir, 'storage', 'whisper'));
    for (let s = 0; s < series; s++) expect(survey.get(`crelay.host${s % 7}.m${s}`)?.points, `crelay.host${s % 7}.m${s}`).toBe(points);
  });
});
