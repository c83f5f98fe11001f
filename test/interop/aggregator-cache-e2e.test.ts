import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, readWhisper, type RunningDaemon, sendTcp, sleep, startDaemon, tempDir, writeConfig } from '../helpers/daemon.js';

/** `carbon-ts aggregator-cache`: rewrite → aggregate → write, read back with python3-whisper. */
const running: RunningDaemon[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  for (const d of dirs.splice(0)) cleanup(d);
});

describe('carbon-ts aggregator-cache end to end', () => {
  it('writes rewritten raw points and their aggregates to Whisper', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const conf = writeConfig(
      dir,
      { 'aggregator-cache': { ...baseOptions(dir), FORWARD_ALL: 'True' } },
      {
        'storage-schemas.conf': '[all]\npattern = .*\nretentions = 1s:1h\n',
        'aggregation-rules.conf': 'app.all.requests (2) = sum app.<host>.requests\n',
        'rewrite-rules.conf': '[pre]\n^legacy\\.app\\. = app.\n',
      },
    );
    const d = await startDaemon('aggregator-cache', conf, dir);
    running.push(d);
    const t = Math.floor(Date.now() / 1000 / 2) * 2 - 2;
    await sendTcp(d.ports.line!, `app.web1.requests 1 ${t}\napp.web2.requests 2 ${t}\nlegacy.app.web3.requests 4 ${t + 1}\n`);
    await sleep(3500); // the 2 s buffer computes at least once
    expect(await d.stop()).toBe(0);
    const data = join(dir, 'storage', 'whisper');
    expect(readWhisper(join(data, 'app', 'all', 'requests.wsp'), t - 10, t + 10)).toEqual([[t, 7]]);
    expect(readWhisper(join(data, 'app', 'web3', 'requests.wsp'), t - 10, t + 10)).toEqual([[t + 1, 4]]);
    expect(readWhisper(join(data, 'app', 'web1', 'requests.wsp'), t - 10, t + 10)).toEqual([[t, 1]]);
  });
});
