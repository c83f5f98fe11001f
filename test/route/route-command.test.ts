import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/daemon.js';

// The built command (`npm test` builds first), as an operator runs it.
const dir = mkdtempSync(join(tmpdir(), 'route-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const conf = join(dir, 'carbon.conf');
writeFileSync(conf, '[relay]\nRELAY_METHOD = consistent-hashing\nREPLICATION_FACTOR = 2\nDESTINATIONS = 10.0.0.1:2004:a, 10.0.0.2:2004:b, 10.0.0.3:2004:c\n');

const run = (args: string[], input = ''): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, [CLI, 'route', ...args], { input, encoding: 'utf8', timeout: 30_000 });

describe.skipIf(!existsSync(CLI))('carbon-ts route (built CLI)', () => {
  it('routes names given as arguments, and from stdin with --json', () => {
    const text = run(['--config', conf, 'foo']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('primary  10.0.0.3:2004:c\n  replica  10.0.0.1:2004:a\n');
    const json = run(['--config', conf, '--json'], 'foo\n\nfoo.bar\n');
    expect(json.status).toBe(0);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.metric, l.destinations])).toEqual([
      ['foo', ['10.0.0.3:2004:c', '10.0.0.1:2004:a']],
      ['foo.bar', ['10.0.0.3:2004:c', '10.0.0.2:2004:b']],
    ]);
  });
  it('fails with the reason when the configuration is unusable', () => {
    const bad = join(dir, 'bad.conf');
    writeFileSync(bad, '[relay]\nRELAY_METHOD = nope\nDESTINATIONS = 10.0.0.1:2004:a\n');
    const res = run(['--config', bad, 'foo']);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/RELAY_METHOD/);
  });
});
