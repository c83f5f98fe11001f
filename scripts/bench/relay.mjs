// `npm run bench:relay`: plaintext in → consistent-hashing (carbon_ch) to 3 counting TCP sinks on
// 127.0.0.1, pickle and line out, for carbon-ts, Python carbon-relay (/usr/bin/carbon-relay) and
// carbon-c-relay (/usr/bin/carbon-c-relay, line out only: it has no pickle output) in one run.
// Reports end-to-end points/s (first byte sent → last point counted at the sinks), relay CPU
// seconds per million points (utime+stime from /proc/<pid>/stat) and points lost.
//
// Options: --points N (carbon-ts and carbon-c-relay, default 2,000,000), --py-points N (Python,
// default 300,000: it is ~20× slower), --series N (10,000), --conns N (4), --quick (÷4),
// --only ts,py,c  --protocols pickle,line  --warmup N (points sent first, not measured; default
// 500,000, at most a third of a contender's run)  --repeat N (runs per case, default 5, interleaved: the median run by
// CPU per point is reported, with the spread of all runs, since one run's figure moves ±15% here)
import { fork, spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const quick = args.includes('--quick') ? 4 : 1;
const POINTS = Math.floor(Number(opt('points', 2_000_000)) / quick);
const PY_POINTS = Math.floor(Number(opt('py-points', 300_000)) / quick);
const SERIES = Number(opt('series', 10_000));
const CONNS = Number(opt('conns', 4));
const ONLY = opt('only', 'ts,py,c').split(',');
const PROTOCOLS = opt('protocols', 'pickle,line').split(',');
const REPEAT = Math.max(1, Number(opt('repeat', 5)));
// Points sent before each measured run (not measured): see runCase.
const WARMUP = Math.max(0, Number(opt('warmup', 500_000)) / quick);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
// BENCH_TS_NODE_ARGS: extra node flags for the carbon-ts daemon, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
const nodeArgs = (process.env.BENCH_TS_NODE_ARGS ?? '').split(' ').filter(Boolean);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen({ host: '127.0.0.1', port: 0 }, r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
}

/** Kernel-mode share of cpuSeconds (socket reads and writes, mostly). */
function sysSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[12]) + Number(f[14])) / CLK_TCK;
}

async function waitForPort(port, proc, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`relay exited with code ${proc.exitCode} before listening`);
    const ok = await new Promise((r) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`relay did not listen on ${port} within ${timeoutMs} ms`);
}

function ask(child, msg, key) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m && m[key] !== undefined) {
        child.off('message', on);
        resolve(m[key]);
      }
    };
    child.on('message', on);
    if (msg !== null) child.send(msg);
  });
}

async function stopProcess(p) {
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 8000);
  await new Promise((r) => p.once('exit', r));
  clearTimeout(t);
}

function carbonConf(dir, linePort, picklePort, sinkPorts, protocol, maxQueue) {
  const conf = join(dir, 'conf');
  mkdirSync(conf, { recursive: true });
  writeFileSync(join(conf, 'storage-schemas.conf'), '[default]\npattern = .*\nretentions = 60s:1d\n');
  writeFileSync(
    join(conf, 'carbon.conf'),
    `[relay]
STORAGE_DIR = ${dir}/storage
LOCAL_DATA_DIR = ${dir}/storage/whisper
LOG_DIR = ${dir}/log
PID_DIR = ${dir}
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = ${linePort}
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = ${picklePort}
RELAY_METHOD = consistent-hashing
DESTINATIONS = ${sinkPorts.map((p, i) => `127.0.0.1:${p}:${'abc'[i]}`).join(', ')}
DESTINATION_PROTOCOL = ${protocol}
MAX_QUEUE_SIZE = ${maxQueue}
MAX_DATAPOINTS_PER_MESSAGE = 500
USE_FLOW_CONTROL = True
CARBON_METRIC_INTERVAL = 0
LOG_LISTENER_CONN_SUCCESS = False
`,
  );
  return join(conf, 'carbon.conf');
}

const contenders = {
  ts: {
    label: 'carbon-ts relay',
    protocols: ['pickle', 'line'],
    points: POINTS,
    // The daemon command first; if it is not wired yet (exits before listening), the same pieces assembled by hand.
    starts: [
      (dir, linePort, picklePort, sinkPorts, protocol) => {
        const conf = carbonConf(dir, linePort, picklePort, sinkPorts, protocol, Number(process.env.BENCH_TS_MAX_QUEUE ?? 1_000_000));
        return { proc: spawn(process.execPath, [...nodeArgs, join(root, 'dist/cli/main.js'), 'relay', '--config', conf], { stdio: ['ignore', process.env.BENCH_TS_STDOUT ? 'inherit' : 'ignore', 'ignore'], env: { ...process.env, CARBON_TS_LOG_LEVEL: 'warn' } }), how: 'node dist/cli/main.js relay --config' };
      },
      (dir, linePort, _picklePort, sinkPorts, protocol) => {
        const dests = sinkPorts.map((p, i) => `127.0.0.1:${p}:${'abc'[i]}`).join(',');
        return {
          proc: spawn(process.execPath, [join(here, 'relay-ts-standalone.mjs'), String(linePort), protocol, dests, join(dir, 'spill'), '1000000'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CARBON_TS_LOG_LEVEL: 'warn' } }),
          how: 'scripts/bench/relay-ts-standalone.mjs (the `carbon-ts relay` command did not start)',
        };
      },
    ],
  },
  py: {
    label: 'Python carbon-relay',
    protocols: ['pickle', 'line'],
    points: PY_POINTS,
    starts: [(dir, linePort, picklePort, sinkPorts, protocol) => {
      const conf = carbonConf(dir, linePort, picklePort, sinkPorts, protocol, 100_000_000);
      return { proc: spawn('/usr/bin/carbon-relay', [`--config=${conf}`, '--nodaemon', 'start'], { stdio: 'ignore' }), how: '/usr/bin/carbon-relay --nodaemon' };
    }],
  },
  c: {
    label: 'carbon-c-relay',
    protocols: ['line'],
    points: POINTS,
    starts: [(dir, linePort, _picklePort, sinkPorts) => {
      const conf = join(dir, 'c-relay.conf');
      writeFileSync(
        conf,
        `cluster bench carbon_ch ${sinkPorts.map((p, i) => `127.0.0.1:${p}=${'abc'[i]}`).join(' ')} ;\nmatch * send to bench stop ;\nlisten type linemode 127.0.0.1:${linePort} proto tcp ;\n`,
      );
      return { proc: spawn('/usr/bin/carbon-c-relay', ['-f', conf, '-q', '10000000', '-B', '128'], { stdio: 'ignore' }), how: '/usr/bin/carbon-c-relay -f (2 workers)' };
    }],
  },
};

/** Warm-up points for a contender: WARMUP, but at most a third of its measured run. */
function warmupFor(c) {
  return Math.min(WARMUP, Math.floor(c.points / 3));
}

/**
 * Sends `points` lines through the relay on `linePort` and waits until the sinks have counted
 * `before + points` (or nothing arrived for 10 s). Returns the sinks' total and the times.
 */
async function pushLoad(linePort, sinks, procs, points, before) {
  if (points <= 0) return { received: before, t0: performance.now(), tDone: performance.now() };
  const load = fork(join(here, 'relay-load.mjs'), [linePort, points, SERIES, CONNS].map(String), { stdio: 'inherit' });
  procs.push(load);
  await ask(load, null, 'ready');
  const t0 = performance.now();
  load.send('go');
  let received = before;
  let lastProgress = performance.now();
  let tDone = t0;
  while (received < before + points) {
    await sleep(25);
    const counts = await ask(sinks, 'count', 'counts');
    const total = counts.reduce((a, b) => a + b, 0);
    if (total > received) {
      received = total;
      lastProgress = performance.now();
      tDone = lastProgress;
    } else if (performance.now() - lastProgress > 10_000) break;
  }
  return { received, t0, tDone };
}

async function runCase(key, protocol) {
  const c = contenders[key];
  const dir = mkdtempSync(join(tmpdir(), `bench-relay-${key}-`));
  const sinks = fork(join(here, 'relay-sink.mjs'), [protocol, '3'], { stdio: 'inherit' });
  const procs = [];
  try {
    const sinkPorts = await ask(sinks, null, 'ports');
    const linePort = await freePort();
    const picklePort = await freePort();
    let proc;
    let how;
    for (const start of c.starts) {
      ({ proc, how } = start(dir, linePort, picklePort, sinkPorts, protocol));
      procs.push(proc);
      try {
        await waitForPort(linePort, proc);
        break;
      } catch (e) {
        if (start === c.starts[c.starts.length - 1]) throw e;
      }
    }
    // Warm-up: every series once or more, so that one-time work (JIT compilation, first routes of
    // each name, buffers growing) is not charged to the measured points; then the measured run.
    const warm = await pushLoad(linePort, sinks, procs, warmupFor(c), 0);
    const cpu0 = cpuSeconds(proc.pid);
    const sys0 = sysSeconds(proc.pid);
    const run = await pushLoad(linePort, sinks, procs, c.points, warm.received);
    const { t0, tDone } = run;
    const received = run.received - warm.received;
    const cpu = cpuSeconds(proc.pid) - cpu0;
    const sys = sysSeconds(proc.pid) - sys0;
    const secs = (tDone - t0) / 1000;
    return { relay: c.label, protocol, points: c.points, received, lost: warmupFor(c) + c.points - run.received, secs, pps: received / secs, cpuPerM: (cpu / received) * 1e6, sysPerM: (sys / received) * 1e6, how };
  } finally {
    for (const p of procs.reverse()) await stopProcess(p);
    sinks.send('exit');
    await new Promise((r) => sinks.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

// Runs are interleaved (ts, py, c, ts, py, c, …) so that every contender sees the same spells of a
// busy or quiet VM, and the median run of each is reported.
const results = [];
for (const protocol of PROTOCOLS) {
  const keys = ONLY.filter((key) => contenders[key]?.protocols.includes(protocol));
  const runs = new Map(keys.map((k) => [k, []]));
  const failed = new Set();
  for (let k = 0; k < REPEAT; k++) {
    for (const key of keys) {
      if (failed.has(key)) continue;
      try {
        runs.get(key).push(await runCase(key, protocol));
      } catch (e) {
        failed.add(key);
        console.log(`${contenders[key].label} (${protocol} out) failed: ${e.message}`);
      }
    }
  }
  for (const key of keys) {
    const all = runs.get(key);
    if (all.length === 0) continue;
    all.sort((a, b) => a.cpuPerM - b.cpuPerM);
    const r = { ...all[Math.floor((all.length - 1) / 2)], lost: all.reduce((a, x) => a + x.lost, 0), runs: all };
    results.push(r);
    const spread = all.length > 1 ? ` [runs: ${all.map((x) => x.cpuPerM.toFixed(2)).join(', ')}]` : '';
    console.log(
      `${contenders[key].label} (${protocol} out, ${contenders[key].points.toLocaleString('en')} points × ${all.length}): ` +
        `${Math.round(r.pps).toLocaleString('en')} points/s, ${r.cpuPerM.toFixed(2)} CPU s/M (${r.sysPerM.toFixed(2)} in the kernel), lost ${r.lost}${spread}`,
    );
  }
}

console.log(`\nbench:relay — plaintext in, consistent-hashing (carbon_ch) to 3 sinks, ${SERIES.toLocaleString('en')} series, ${CONNS} sender connections`);
console.log(`Median of ${REPEAT} run(s) per row (by CPU per point), each after a warm-up of up to ${WARMUP.toLocaleString('en')} points; lost counts every run.`);
console.log('| relay | out | points | points/s end to end | CPU s per million points | lost |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of results) console.log(`| ${r.relay} | ${r.protocol} | ${r.points.toLocaleString('en')} | ${Math.round(r.pps).toLocaleString('en')} | ${r.cpuPerM.toFixed(3)} | ${r.lost} |`);
const ratio = (a, b) => (a && b ? (b.cpuPerM / a.cpuPerM).toFixed(1) : 'n/a');
for (const protocol of PROTOCOLS) {
  const ts = results.find((r) => r.relay === contenders.ts.label && r.protocol === protocol);
  const py = results.find((r) => r.relay === contenders.py.label && r.protocol === protocol);
  const c = results.find((r) => r.relay === contenders.c.label && r.protocol === 'line');
  if (ts) console.log(`${protocol}: carbon-ts uses ${ratio(ts, py)}× less CPU per point than Python carbon-relay, ${ratio(ts, c)}× less than carbon-c-relay (line)`);
}
const how = [...new Set(results.map((r) => `${r.relay}: ${r.how}`))];
for (const h of how) console.log(`  ${h}`);
process.exit(results.some((r) => r.lost !== 0) ? 1 : 0);
