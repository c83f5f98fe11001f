// The whisper tools of carbon-ts against Debian's /usr/bin/whisper-* on the same inputs.
// Two directories evolve side by side, one driven only by the Python tools, one only by
// carbon-ts (`node dist/cli/main.js whisper <tool>`): every step must print the same bytes, exit
// the same way and leave byte-identical files. Read-only tools are also run by Python on the files
// carbon-ts wrote, so Python must read carbon-ts's files exactly as carbon-ts does.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WHISPER_TOOLS, toolForName } from '../../src/cli/whisper/tools.js';
import { seededRandom } from '../helpers/random.js';

const PYTHON = '/usr/bin/python3';
const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const ALIAS = join(ROOT, 'dist', 'cli', 'whisper-alias.js');
const RUNNER =
  'import sys, time, runpy; frozen = float(sys.argv[1]); time.time = lambda: frozen; ' +
  'tool = sys.argv[2]; sys.argv = sys.argv[2:]; runpy.run_path(tool, run_name="__main__")';
const TOOLS = [...WHISPER_TOOLS.keys()];
const METHODS = ['average', 'sum', 'last', 'max', 'min', 'avg_zero', 'absmax', 'absmin'];

const referenceInstalled =
  existsSync(PYTHON) && existsSync('/usr/bin/whisper-fetch') && spawnSync(PYTHON, ['-c', 'import whisper']).status === 0;

interface Run {
  stdout: string;
  stderr: string;
  exit: number;
}

function runPython(cwd: string, now: number, tool: string, args: string[]): Run {
  const r = spawnSync(PYTHON, ['-c', RUNNER, String(now), `/usr/bin/whisper-${tool}`, ...args], {
    cwd,
    env: { ...process.env, TZ: 'UTC', COLUMNS: '' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { stdout: r.stdout, stderr: r.stderr, exit: r.status ?? -1 };
}

/**
 * How carbon-ts is started: `node dist/cli/main.js whisper <tool>` when that works, else the
 * `whisper-<tool>` alias entry (dist/cli/whisper-alias.js, which does not load the daemons), else
 * the tool function in-process (no build at all).
 */
type Launcher = { kind: 'main' } | { kind: 'alias'; binDir: string } | { kind: 'in-process' };
let launcher: Launcher = { kind: 'in-process' };

function chooseLauncher(scratch: string): Launcher {
  const probe = (args: string[]) => spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 }).status === 0;
  if (existsSync(CLI) && probe([CLI, 'whisper', 'info', '--help'])) return { kind: 'main' };
  if (existsSync(ALIAS)) {
    const binDir = join(scratch, 'bin');
    mkdirSync(binDir);
    for (const tool of TOOLS) symlinkSync(ALIAS, join(binDir, `whisper-${tool}`));
    if (probe([join(binDir, 'whisper-info'), '--help'])) return { kind: 'alias', binDir };
  }
  return { kind: 'in-process' };
}

async function runCarbonTs(cwd: string, now: number, tool: string, args: string[]): Promise<Run> {
  if (launcher.kind !== 'in-process') {
    const argv = launcher.kind === 'main' ? [CLI, 'whisper', tool, ...args] : [join(launcher.binDir, `whisper-${tool}`), ...args];
    const r = spawnSync(process.execPath, argv, {
      cwd,
      env: { ...process.env, TZ: 'UTC', CARBON_TS_WHISPER_NOW: String(now) },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { stdout: r.stdout, stderr: r.stderr, exit: r.status ?? -1 };
  }
  const fn = toolForName(tool);
  if (!fn) throw new Error(`no tool ${tool}`);
  const saved = process.cwd();
  const savedTz = process.env.TZ;
  let stdout = '';
  let stderr = '';
  process.chdir(cwd);
  process.env.TZ = 'UTC';
  try {
    const exit = await fn(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), now: () => now });
    return { stdout, stderr, exit };
  } finally {
    process.chdir(saved);
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  }
}

/** Tracebacks name Python frames carbon-ts does not have: compare their last line. */
function comparable(run: Run): Run {
  if (!run.stderr.startsWith('Traceback')) return run;
  const lines = run.stderr.trimEnd().split('\n');
  return { ...run, stderr: lines[lines.length - 1] };
}

function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = readFileSync(join(dir, f)).toString('base64');
  return out;
}

const prng = seededRandom;

interface Scenario {
  archives: string[];
  retention: number;
  finest: number;
  method: string;
  xff: string;
}

function randomScenario(rand: () => number): Scenario {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  let spp = pick([1, 5, 10, 60]);
  let points = 6 + Math.floor(rand() * 20);
  const archives = [`${spp}:${points}`];
  const finest = spp;
  const count = 1 + Math.floor(rand() * 3);
  for (let i = 1; i < count; i++) {
    const factor = 2 + Math.floor(rand() * Math.min(4, points - 1));
    const nextSpp = spp * factor;
    const nextPoints = Math.ceil((spp * points) / nextSpp) + 2 + Math.floor(rand() * 10);
    spp = nextSpp;
    points = nextPoints;
    archives.push(`${spp}:${points}`);
  }
  return { archives, retention: spp * points, finest, method: pick(METHODS), xff: pick(['0', '0.1', '0.3', '0.5', '1']) };
}

function randomValue(rand: () => number): string {
  const r = rand();
  if (r < 0.1) return '0';
  if (r < 0.2) return String(-Math.floor(rand() * 100));
  if (r < 0.25) return `${Math.floor(rand() * 1000)}e-3`;
  if (r < 0.3) return '0.1';
  return (rand() * 1000).toFixed(Math.floor(rand() * 4));
}

function randomPoints(rand: () => number, s: Scenario, now: number, n: number): string[] {
  const points: string[] = [];
  for (let i = 0; i < n; i++) {
    // Mostly inside the retention, some too old, a few in the future, some duplicates.
    const age = Math.floor(rand() * s.retention * 1.1) - Math.floor(rand() * 3 * s.finest);
    const t = points.length > 0 && rand() < 0.1 ? Number(points[points.length - 1].split(':')[0]) : now - age;
    points.push(`${t}:${randomValue(rand)}`);
  }
  return points;
}

describe.skipIf(!referenceInstalled)('whisper tools interoperate with the Python tools', () => {
  let base: string;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'carbon-ts-wsp-interop-'));
    launcher = chooseLauncher(base);
  });

  test('carbon-ts is started as a built CLI', () => {
    expect(launcher.kind, 'dist/ is missing or broken: the tools ran in-process').not.toBe('in-process');
  });
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  for (const seed of [1, 2, 3, 4]) {
    test(`random scenario ${seed}`, async () => {
      const rand = prng(seed * 7919);
      const s = randomScenario(rand);
      const now = 1_700_000_000 + seed * 3_607;
      const py = join(base, `py-${seed}`);
      const ts = join(base, `ts-${seed}`);
      mkdirSync(py);
      mkdirSync(ts);
      const steps: string[] = [];

      /** Runs one command on both sides and expects identical output and identical files. */
      const both = async (tool: string, args: string[], at = now): Promise<Run> => {
        steps.push(`${tool} ${args.join(' ')}`);
        const p = comparable(runPython(py, at, tool, args));
        const c = comparable(await runCarbonTs(ts, at, tool, args));
        const context = `seed ${seed}, after: ${steps.join(' ; ')}`;
        expect(c.stdout.split('\n'), context).toEqual(p.stdout.split('\n'));
        expect(c.stderr, context).toBe(p.stderr);
        expect(c.exit, context).toBe(p.exit);
        expect(Object.keys(filesOf(ts)), context).toEqual(Object.keys(filesOf(py)));
        expect(filesOf(ts), context).toEqual(filesOf(py));
        return p;
      };
      /** Python reading carbon-ts's files prints what carbon-ts prints for them. */
      const pythonReadsCarbonTs = async (tool: string, args: string[]): Promise<void> => {
        const p = comparable(runPython(ts, now, tool, args));
        const c = comparable(await runCarbonTs(ts, now, tool, args));
        expect(c, `seed ${seed}: ${tool} ${args.join(' ')} on carbon-ts's files`).toEqual(p);
      };

      await both('create', ['--xFilesFactor', s.xff, '--aggregationMethod', s.method, 'a.wsp', ...s.archives]);
      await both('create', ['--aggregationMethod', s.method, 'b.wsp', ...s.archives]);
      await both('create', ['a.wsp', ...s.archives]); // already exists
      for (const file of ['a.wsp', 'b.wsp']) {
        for (let batch = 0; batch < 3; batch++) {
          await both('update', [file, ...randomPoints(rand, s, now, 1 + Math.floor(rand() * 40))]);
        }
        await both('update', [file, ...randomPoints(rand, s, now, 1)]);
      }
      const reads: [string, string[]][] = [
        ['info', ['a.wsp']],
        ['info', ['--json', 'b.wsp']],
        ['info', ['a.wsp', 'xFilesFactor']],
        ['dump', ['a.wsp']],
        ['dump', ['--pretty', 'b.wsp']],
        ['fetch', ['a.wsp']],
        ['fetch', ['--json', '--from', String(now - s.retention), 'a.wsp']],
        ['fetch', ['--from', String(now - Math.floor(s.retention / 3)), '--until', String(now - s.finest * 2), 'b.wsp']],
        ['fetch', ['--drop', 'nulls', '--pretty', '--from', String(now - s.retention * 2), 'b.wsp']],
        ['fetch', ['--drop', 'zeroes', '--json', 'a.wsp']],
        ['diff', ['a.wsp', 'b.wsp']],
        ['diff', ['--summary', '--json', 'a.wsp', 'b.wsp']],
        ['diff', ['--ignore-empty', '--columns', '--until', String(now - s.finest * 3), 'a.wsp', 'b.wsp']],
      ];
      const stored = await both('fetch', ['--json', '--from', String(now - s.retention), 'a.wsp']);
      expect(stored.stdout, 'the scenario stores some points').toMatch(/"values" : \[.*\d/);
      for (const [tool, args] of reads) {
        await both(tool, args);
        await pythonReadsCarbonTs(tool, args);
      }
      await both('merge', ['--from', String(now - Math.floor(s.retention / 2)), 'a.wsp', 'b.wsp']);
      await both('fill', ['b.wsp', 'a.wsp'], now + s.finest * 5);
      await both('merge', ['a.wsp', 'b.wsp'], now + s.finest * 7);
      await both('set-aggregation-method', ['a.wsp', METHODS[seed % METHODS.length], '0.25']);
      await both('set-xfilesfactor', ['b.wsp', '0.7']);
      const coarser = s.archives.map((def) => {
        const [spp, points] = def.split(':').map(Number);
        return `${spp}:${points + 5}`;
      });
      await both('resize', ['a.wsp', ...coarser, '--nobackup']);
      await both('resize', ['--newfile', 'c.wsp', '--aggregationMethod', 'max', 'b.wsp', `${s.finest}:${Math.ceil(s.retention / s.finest)}`]);
      await both('dump', ['a.wsp']);
      await pythonReadsCarbonTs('dump', ['c.wsp']);
    }, 180_000);
  }

  test('error paths: missing, corrupt and mismatched files', async () => {
    const py = join(base, 'py-errors');
    const ts = join(base, 'ts-errors');
    mkdirSync(py);
    mkdirSync(ts);
    const now = 1_700_000_000;
    const cases: [string, string[]][] = [
      ['create', ['x.wsp', '1m:1h', '5m:1d']],
      ['create', ['y.wsp', '10s:1m']],
      ['fetch', ['nosuch.wsp']],
      ['info', ['nosuch.wsp']],
      ['dump', ['nosuch.wsp']],
      ['merge', ['x.wsp', 'y.wsp']],
      ['diff', ['x.wsp', 'y.wsp']],
      ['update', ['x.wsp', `${now + 100}:1`]],
      ['update', ['x.wsp', 'abc:1']],
      ['set-aggregation-method', ['x.wsp', 'median']],
      ['set-xfilesfactor', ['x.wsp', '-1']],
      ['resize', ['x.wsp', '1m:1h', '5m:1h']],
      ['fetch', ['--from', 'yesterday', 'x.wsp']],
      ['fetch', ['--until', String(now - 100), '--from', String(now), 'x.wsp']],
    ];
    for (const [tool, args] of cases) {
      const p = comparable(runPython(py, now, tool, args));
      const c = comparable(await runCarbonTs(ts, now, tool, args));
      expect(c, `${tool} ${args.join(' ')}`).toEqual(p);
      expect(filesOf(ts)).toEqual(filesOf(py));
    }
  }, 180_000);
});
