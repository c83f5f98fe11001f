/** carbon's USER: the daemon binds its listeners, then runs as that account (needs root; CI runs as root). */
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { lookupAccount } from '../../src/daemon/user.js';
import { baseOptions, cleanup, sendTcp, sleep, startDaemon, tempDir, writeConfig } from '../helpers/daemon.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));
const isRoot = process.getuid?.() === 0;

describe('USER', () => {
  it('looks the account up as getpwnam does, and names the config file when there is none', () => {
    const nobody = lookupAccount('nobody', '/etc/carbon/carbon.conf');
    expect(nobody.uid).toBe(65534);
    expect(() => lookupAccount('no-such-user-carbon-ts', '/etc/carbon/carbon.conf')).toThrow(ConfigError);
    expect(() => lookupAccount('no-such-user-carbon-ts', '/etc/carbon/carbon.conf')).toThrow('/etc/carbon/carbon.conf: USER = no-such-user-carbon-ts: no such user');
  });

  it.skipIf(!isRoot)('binds as root, then writes Whisper files as USER', async () => {
    const dir = tempDir();
    dirs.push(dir);
    chmodSync(dir, 0o777); // the account must be able to make the storage directories
    const conf = writeConfig(dir, { cache: { ...baseOptions(dir), USER: 'nobody' } });
    const d = await startDaemon('cache', conf, dir);
    try {
      const now = Math.floor(Date.now() / 1000);
      await sendTcp(d.ports.line!, `as.nobody 1 ${now}\n`);
      for (let i = 0; i < 50 && !d.logs().includes('running as nobody'); i++) await sleep(20);
      expect(d.logs()).toContain('running as nobody (uid 65534');
    } finally {
      expect(await d.stop()).toBe(0);
    }
    expect(statSync(join(dir, 'storage', 'whisper', 'as', 'nobody.wsp')).uid).toBe(65534);
  });
});
