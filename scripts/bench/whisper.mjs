#!/usr/bin/env node
// Benchmark: update_many on schema 10s:1d,1m:30d,10m:5y across many files,
// 1 and 10 points per call — carbon-ts's WhisperStore against python3-whisper's
// update_many in the same run, on the same workload (files created sparse,
// explicit `now`, one untimed warm-up pass each). Run after a build:
//   node scripts/bench/whisper.mjs [--files N] [--rounds R] [--max-open N] [--skip-python] [--quick]
//
// Prints calls/s, points/s, CPU seconds per million points and the ratio
// carbon-ts / Python for each case, and checks that both wrote identical bytes.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WhisperStore, create, parseRetentionDef } from '../../dist/whisper/index.js';

const { values: args } = parseArgs({
  options: {
    files: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'max-open': { type: 'string', default: '' },
    'skip-python': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
  },
});
// --quick (as `npm run bench -- --quick` passes to every bench): a fifth of the files.
const FILES = args.quick ? Math.max(100, Math.floor(Number(args.files) / 5)) : Number(args.files);
const PY_HELPER = fileURLToPath(new URL('./whisper_py.py', import.meta.url));
const SCHEMA = ['10s:1d', '1m:30d', '10m:5y'];
// A multiple of 600: the first point (each archive's base) is aligned to every archive, as in a file
// that has been written for a while, where a propagation window straddles the archive end only
// once per retention period.
const T0 = 1_699_999_800;
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-whisper-'));

function batchesFor(rounds, perCall) {
  const ts = [];
  const vs = [];
  for (let r = 0; r < rounds; r++) {
    const t = new Float64Array(perCall);
    const v = new Float64Array(perCall);
    for (let j = 0; j < perCall; j++) {
      t[j] = T0 + (r * perCall + j) * 10;
      v[j] = r * perCall + j;
    }
    ts.push(t);
    vs.push(v);
  }
  return { ts, vs };
}

function runOurs(dir, rounds, perCall, now, maxOpenFiles) {
  const paths = Array.from({ length: FILES }, (_, i) => path.join(dir, `m${String(i).padStart(5, '0')}.wsp`));
  for (const p of paths) create(p, SCHEMA.map(parseRetentionDef), 0.5, 'average', true);
  const { ts, vs } = batchesFor(rounds + 1, perCall);
  const store = new WhisperStore({ maxOpenFiles });
  // Warm-up pass, not timed: opens the files (a long-running writer keeps them open) and
  // brings pages into the cache, as the Python side's warm-up pass does.
  for (const p of paths) store.updateMany(p, ts[0], vs[0], perCall, now);
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  for (let r = 1; r <= rounds; r++) {
    const t = ts[r];
    const v = vs[r];
    for (const p of paths) store.updateMany(p, t, v, perCall, now);
  }
  const wall = Number(process.hrtime.bigint() - wall0) / 1e9;
  const cpuUsage = process.cpuUsage(cpu0);
  store.closeAll();
  return { calls: FILES * rounds, points: FILES * rounds * perCall, wall, cpu: (cpuUsage.user + cpuUsage.system) / 1e6 };
}

function runPython(dir, rounds, perCall, now) {
  const r = spawnSync(args.python, [PY_HELPER, dir, String(FILES), String(rounds), String(perCall), String(T0), String(now)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`python helper failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function digestDir(dir) {
  const h = createHash('sha256');
  for (const name of fs.readdirSync(dir).sort()) h.update(fs.readFileSync(path.join(dir, name)));
  return h.digest('hex');
}

function describe(label, m) {
  const callsPerSec = m.calls / m.wall;
  const pointsPerSec = m.points / m.wall;
  const cpuPerMillion = (m.cpu / m.points) * 1e6;
  // Calls per CPU second: what one writer thread sustains when it has a core to itself
  // (robust on a shared, loaded machine where wall-clock rates swing with other load).
  const callsPerCpuSec = m.calls / m.cpu;
  console.log(
    `  ${label.padEnd(10)} ${String(Math.round(callsPerSec)).padStart(9)} calls/s ${String(Math.round(pointsPerSec)).padStart(10)} points/s` +
      `  ${cpuPerMillion.toFixed(2).padStart(7)} CPU s per 1M points  ${String(Math.round(callsPerCpuSec)).padStart(9)} calls per CPU s` +
      `  (${m.calls} calls in ${m.wall.toFixed(2)} s)`,
  );
  return { callsPerSec, pointsPerSec, cpuPerMillion, callsPerCpuSec };
}

console.log(
  `whisper update_many benchmark: schema ${SCHEMA.join(',')}, ${FILES} files, node ${process.version}, ` +
    `load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs`,
);
try {
  for (const perCall of [1, 10]) {
    const rounds = Number(args.rounds || (perCall === 1 ? 40 : 20));
    const now = T0 + (rounds + 1) * perCall * 10 + 60;
    const maxOpenFiles = Number(args['max-open'] || FILES + 16);
    const oursDir = path.join(tmpRoot, `ts-${perCall}`);
    const pyDir = path.join(tmpRoot, `py-${perCall}`);
    fs.mkdirSync(oursDir);
    fs.mkdirSync(pyDir);
    console.log(`\n${perCall} point(s) per call, ${rounds} rounds (max open files ${maxOpenFiles}):`);
    const ours = describe('carbon-ts', runOurs(oursDir, rounds, perCall, now, maxOpenFiles));
    if (!args['skip-python']) {
      const py = describe('python', runPython(pyDir, rounds, perCall, now));
      console.log(
        `  ratio carbon-ts/python: ${(ours.callsPerSec / py.callsPerSec).toFixed(2)}x calls/s (wall), ` +
          `${(ours.callsPerCpuSec / py.callsPerCpuSec).toFixed(2)}x calls per CPU second`,
      );
      const same = digestDir(oursDir) === digestDir(pyDir);
      console.log(`  files byte-identical: ${same ? 'yes' : 'NO'}`);
      if (!same) process.exitCode = 1;
    }
    fs.rmSync(oursDir, { recursive: true, force: true });
    fs.rmSync(pyDir, { recursive: true, force: true });
  }
} finally {
  fs.rmSync(tmpRoot, { recursive: true, force: true });
}
