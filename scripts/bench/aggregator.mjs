// `npm run bench:aggregator`: 100 aggregation rules, plaintext in, forwarding by line protocol to a
// counting sink. Measures, in one run: carbon-ts's aggregator stage in-process, and the daemons
// carbon-ts (`node dist/cli/main.js aggregator`), Python carbon-aggregator and carbon-c-relay's
// `aggregate` fed the same lines. Reports input points/s and CPU seconds per million input points.
// Options: --quick (smaller inputs), --points=N (carbon-ts daemon input size). The peers get fewer points
// (carbon-c-relay's aggregate and Python run at tens of thousands of points/s); rates and CPU per
// million are per point, so sizes need not match.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { carbonRules, cpuSeconds, cRelayConfig, freePort, metricNames, RULE_COUNT, sleep, startSink, waitForPort } from './aggregator-workload.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const quick = process.argv.includes('--quick');
const pointsArg = process.argv.find((a) => a.startsWith('--points='));
const DAEMON_POINTS = pointsArg ? Number(pointsArg.slice(9)) : quick ? 300_000 : 2_000_000;
const C_RELAY_POINTS = quick ? 100_000 : 300_000;
const PYTHON_POINTS = quick ? 30_000 : 100_000;
const INPROC_POINTS = quick ? 2_000_000 : 10_000_000;

// BENCH_TS_NODE_ARGS: extra node flags for the carbon-ts daemon, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
const nodeArgs = (process.env.BENCH_TS_NODE_ARGS ?? '').split(' ').filter(Boolean);
// --only-daemon: just the carbon-ts daemon (no in-process stage, no peers), for profiling.
const onlyDaemon = process.argv.includes('--only-daemon');
const work = mkdtempSync(join(tmpdir(), 'carbon-ts-bench-agg-'));
const results = [];

function report(name, points, seconds, cpu, note = '') {
  const row = { name, points, pointsPerSec: points / seconds, cpuPerMillion: cpu === null ? null : (cpu / points) * 1e6, note };
  results.push(row);
  const cpuText = row.cpuPerMillion === null ? '-' : `${row.cpuPerMillion.toFixed(3)} s`;
  console.log(`${name.padEnd(44)} ${String(points).padStart(9)} pts  ${Math.round(row.pointsPerSec).toLocaleString('en').padStart(11)} pts/s  CPU/M ${cpuText.padStart(9)} ${note}`);
}

// ---- in-process: the aggregator stage alone (rewrite:pre → aggregate → rewrite:post → forward)
async function inProcess(label, ruleText, rewriteText) {
  const { createAggregatorStages } = await import(join(root, 'dist/pipeline/aggregate/stages.js'));
  const { MetricBatch } = await import(join(root, 'dist/pipeline/batch.js'));
  const rulesFile = join(work, `inproc-${results.length}.conf`);
  writeFileSync(rulesFile, ruleText);
  let rewriteFile;
  if (rewriteText) {
    rewriteFile = join(work, `inproc-rw-${results.length}.conf`);
    writeFileSync(rewriteFile, rewriteText);
  }
  let forwarded = 0;
  const stages = createAggregatorStages(
    { aggregationRulesFile: rulesFile, rewriteRulesFile: rewriteFile, logAggregatorMisses: false },
    { forward: (b) => (forwarded += b.length), generated: () => {} },
  );
  const names = metricNames();
  const ts = Math.floor(Date.now() / 1000);
  const batches = [];
  for (let off = 0; off < names.length; off += 1000) {
    const b = new MetricBatch(1000);
    for (let i = off; i < off + 1000; i++) b.push(names[i], i % 97, ts);
    batches.push(b);
  }
  for (const b of batches) stages.input(b); // warm the memo and the JIT
  const n = Math.ceil(INPROC_POINTS / 1000);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) stages.input(batches[i % batches.length]);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(cpu0);
  stages.stop();
  report(label, n * 1000, secs, (c.user + c.system) / 1e6);
}

/** 1,000 rules and 100 rewrite rules: the prefilter and memo keep per-point cost flat. */
function manyRules() {
  const lines = [carbonRules().trimEnd()];
  for (let i = 0; i < 900; i++) lines.push(`other.svc${i}.<env>.all.latency (60) = avg other.svc${i}.<env>.*.latency`);
  return lines.join('\n') + '\n';
}
function manyRewrites() {
  const out = ['[pre]'];
  for (let i = 0; i < 50; i++) out.push(`^legacy${i}\\.(\\w+) = bench.\\1`);
  out.push('[post]');
  for (let i = 0; i < 50; i++) out.push(`\\.host${i}x\\. = .h${i}.`);
  return out.join('\n') + '\n';
}

// ---- daemons
function carbonConf(dir, linePort, picklePort, sinkPort) {
  const storage = join(dir, 'storage');
  mkdirSync(join(storage, 'log'), { recursive: true });
  mkdirSync(join(storage, 'whisper'), { recursive: true });
  const conf = `[aggregator]
STORAGE_DIR = ${storage}
LOCAL_DATA_DIR = ${storage}/whisper
LOG_DIR = ${storage}/log
PID_DIR = ${storage}
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = ${linePort}
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = ${picklePort}
UDP_RECEIVER_PORT = 0
CACHE_QUERY_PORT = 0
DESTINATIONS = 127.0.0.1:${sinkPort}
DESTINATION_PROTOCOL = line
MAX_QUEUE_SIZE = 100000000
FORWARD_ALL = True
LOG_AGGREGATOR_MISSES = False
CARBON_METRIC_INTERVAL = 0
`;
  writeFileSync(join(dir, 'carbon.conf'), conf);
  writeFileSync(join(dir, 'aggregation-rules.conf'), carbonRules());
  writeFileSync(join(dir, 'storage-schemas.conf'), '[default]\npattern = .*\nretentions = 60s:1d\n');
  return join(dir, 'carbon.conf');
}

const PEERS = {
  'carbon-ts aggregator (daemon)': async (dir, sinkPort) => {
    const port = await freePort();
    const conf = carbonConf(dir, port, await freePort(), sinkPort);
    return { port, proc: spawn(process.execPath, [...nodeArgs, join(root, 'dist/cli/main.js'), 'aggregator', '--config', conf], { stdio: ['ignore', 'ignore', 'pipe'] }) };
  },
  'carbon-c-relay aggregate': async (dir, sinkPort) => {
    const port = await freePort();
    const conf = join(dir, 'relay.conf');
    writeFileSync(conf, cRelayConfig(sinkPort));
    return { port, proc: spawn('/usr/bin/carbon-c-relay', ['-f', conf, '-p', String(port), '-s', '-b', '25000', '-q', '2500000'], { stdio: ['ignore', 'ignore', 'pipe'] }) };
  },
  'Python carbon-aggregator': async (dir, sinkPort) => {
    const port = await freePort();
    const conf = carbonConf(dir, port, await freePort(), sinkPort);
    return { port, proc: spawn('/usr/bin/carbon-aggregator', [`--config=${conf}`, '--nodaemon', 'start'], { stdio: ['ignore', 'ignore', 'pipe'] }) };
  },
};

async function daemon(name, points) {
  const dir = join(work, name.replace(/\W+/g, '-'));
  mkdirSync(dir, { recursive: true });
  const sink = await startSink();
  const { port, proc } = await PEERS[name](dir, sink.port);
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const exited = new Promise((r) => proc.once('exit', r));
  try {
    if (!(await waitForPort(port))) {
      console.log(`${name.padEnd(44)} not available (no listener): ${stderr.trim().split('\n').slice(-2).join(' | ')}`);
      return;
    }
    for (let i = 0; i < 100 && sink.connections === 0; i++) await sleep(100);
    const sender = new Worker(new URL('./aggregator-sender.mjs', import.meta.url), { workerData: { port, count: points } });
    await new Promise((r) => sender.once('message', r));
    const cpu0 = cpuSeconds(proc.pid);
    const t0 = process.hrtime.bigint();
    sender.postMessage('go');
    const complete = await sink.waitFor(points);
    await sender.terminate();
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = cpuSeconds(proc.pid) - cpu0;
    report(name, points, secs, cpu, complete ? '' : `INCOMPLETE: ${sink.lines}/${points} forwarded`);
  } finally {
    proc.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await sink.close();
  }
}

try {
  console.log(`aggregator benchmark: ${RULE_COUNT} rules, 10,000 input series, plaintext in, line out to a counting sink`);
  if (!existsSync(join(root, 'dist/pipeline/aggregate/stages.js'))) throw new Error('run `npm run build` first');
  if (!onlyDaemon) await inProcess('carbon-ts stage in-process (100 rules)', carbonRules());
  if (!onlyDaemon) await inProcess('carbon-ts stage in-process (1000 + 100 rewrite)', manyRules(), manyRewrites());
  await daemon('carbon-ts aggregator (daemon)', DAEMON_POINTS);
  if (!onlyDaemon) await daemon('carbon-c-relay aggregate', C_RELAY_POINTS);
  if (!onlyDaemon) await daemon('Python carbon-aggregator', PYTHON_POINTS);
  const get = (n) => results.find((r) => r.name === n);
  const ts = get('carbon-ts aggregator (daemon)');
  const c = get('carbon-c-relay aggregate');
  const py = get('Python carbon-aggregator');
  if (ts && c) console.log(`carbon-ts daemon CPU per million input points = ${(ts.cpuPerMillion / c.cpuPerMillion).toFixed(2)} × carbon-c-relay's (target ≤ 0.5)`);
  if (ts && py) console.log(`carbon-ts daemon input rate = ${(ts.pointsPerSec / py.pointsPerSec).toFixed(1)} × Python carbon-aggregator's`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
