#!/usr/bin/env node
// carbon-ts cache vs Python carbon-cache on the same workloads, in one run (npm run bench:cache).
//
//   node scripts/bench/cache.mjs [--scale 0.1] [--impl ts,py] [--protocol plaintext,pickle]
//                                [--workload 10000x100,100000x5,20000x5u (u: files exist already)] [--ts-cmd "node dist/cli/main.js cache --config {conf}"]
//                                [--timeout 900] [--keep] [--quick (= --scale 0.1)] [--thread-cpu] [--warmup 5000x100]
//                                [--fs fresh|tmp]
//
// An --impl entry `ts@KEY=VALUE@KEY=VALUE` runs carbon-ts with those lines added to its carbon.conf
// (e.g. --impl ts@WRITER_THREADS=1,ts@WRITER_THREADS=2 compares settings in one run).
//
// For each workload × protocol × implementation: a fresh STORAGE_DIR and carbon.conf (no rate limits,
// no logging of updates, sparse off, schema 1m:3h,10m:1d), the daemon started in the foreground, the
// whole payload sent over one TCP connection, then the data directory polled until every series'
// last point is in its file. Reported: ingest points/s (until the last point sent is in the
// daemon's cache, asked over CarbonLink, or already on disk),
// persisted points/s (until every point is on disk), CPU seconds per million points (utime+stime of
// the daemon process and all its threads from /proc, from load start to all persisted) and peak
// RSS (VmHWM). Before that, the in-process memory cost of the MetricCache itself.
// Before the measured workload each daemon gets a warm-up of other series (5,000 × 100 points,
// --warmup SxP), written to disk and not counted. It is sent in two halves, the second updating the
// files the first created, so one-time work — V8 compiling the hot paths on its helper threads,
// buffers growing — is not charged to the measured points (with 1,000 × 20, V8's helper threads
// still spent ~0.3 s compiling during the 10,000 × 100 run). A workload `SxPu` first creates its
// series' files with one earlier point each (not measured), so the measured points are updates.
// Each run gets a new ext4 filesystem of its own (--fs fresh, the default: an 8 GiB sparse image
// under the bench's temporary directory, loop-mounted; see freshFilesystem), so what a create costs
// the kernel does not depend on what this machine's filesystem went through before. Without root or
// a loop device (or with --fs tmp), the runs share the temporary directory instead; its files then
// stay until the whole bench is over, under a directory marked so that its subdirectories go to
// fresh ext4 block groups (isolateFromRecentRemovals): a create next to inodes freed minutes before
// costs the kernel 10-50× more, which would measure the bench's own cleanup rather than either
// daemon. Before and after each run the kernel's cost of one new file (create, write a bench Whisper
// file's bytes, close) is measured on the run's filesystem and the lower shown, with the floor it
// puts under either daemon's CPU on a workload of new series.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cpuSplit,
  fileCreateCost,
  freshFilesystem,
  isolateFromRecentRemovals,
  freePort,
  settleFilesystem,
  makeWorkload,
  peakRss,
  picklePayload,
  plaintextPayload,
  send,
  startDaemon,
  threadCpu,
  threadCpuReport,
  stopDaemon,
  waitForPort,
  waitIngested,
  waitPersisted,
  writeConfig,
} from './cache-harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const dist = join(repo, 'dist');

function parseArgs(argv) {
  const o = {
    scale: 1,
    impl: ['ts', 'py'],
    protocol: ['plaintext', 'pickle'],
    workload: ['10000x100', '100000x5', '20000x5u'],
    tsCmd: `node ${join(dist, 'cli', 'main.js')} cache --config {conf}`,
    timeout: 900,
    keep: false,
    fs: 'fresh',
    warmupSeries: WARMUP_SERIES,
    warmupPoints: WARMUP_POINTS,
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--scale') o.scale = Number(v());
    else if (a === '--impl') o.impl = v().split(',');
    else if (a === '--protocol') o.protocol = v().split(',');
    else if (a === '--workload') o.workload = v().split(',');
    else if (a === '--ts-cmd') o.tsCmd = v();
    else if (a === '--timeout') o.timeout = Number(v());
    else if (a === '--keep') o.keep = true;
    else if (a === '--thread-cpu') o.threadCpu = true;
    else if (a === '--fs') o.fs = v();
    else if (a === '--warmup') [o.warmupSeries, o.warmupPoints] = v().split('x').map(Number);
    else if (a === '--quick') o.scale = 0.1; // as `npm run bench -- --quick` passes to every bench
    else {
      console.error(`unknown argument ${a}`);
      process.exit(2);
    }
  }
  return o;
}

/** Warm-up workload (default): 5,000 series × 100 points under `warmup.*` (500,000 points, as bench:relay's). */
const WARMUP_SERIES = 5000;
const WARMUP_POINTS = 100;

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');

async function runOne(impl, protocol, w, payload, opts, benchRoot, warmup) {
  const root = mkdtempSync(join(benchRoot, `${impl.replace(/[^\w.-]+/g, '_')}-${protocol}-${w.series}x${w.points}-`));
  const ports = { line: await freePort(), pickle: await freePort(), query: await freePort() };
  const [kind, ...extra] = impl.split('@');
  const { conf, dataDir, storage } = writeConfig(root, ports, extra);
  const [cmd, ...args] =
    kind === 'py' ? ['/usr/bin/carbon-cache', `--config=${conf}`, '--nodaemon', 'start'] : opts.tsCmd.replace('{conf}', conf).split(/\s+/);
  const child = startDaemon(cmd, args, join(storage, 'daemon.out'));
  const result = { impl, protocol, series: w.series, points: w.total, label: `${w.series} × ${w.points}${w.existing ? ' (files exist)' : ''}` };
  try {
    const port = protocol === 'pickle' ? ports.pickle : ports.line;
    await waitForPort(port);
    const pid = child.pid;
    // Warm-up (not measured): other series, written to disk first, so one-time work (JIT
    // compilation, the writer thread's first files) is not charged to the measured workload.
    for (const half of warmup) {
      await send(port, half[protocol]);
      await waitPersisted(half.w, dataDir, { timeoutMs: opts.timeout * 1000 });
    }
    if (w.existing) {
      await send(port, w.existing.payload);
      await waitPersisted(w.existing, dataDir, { timeoutMs: opts.timeout * 1000 });
    }
    const cpu0 = cpuSplit(pid);
    const threads0 = opts.threadCpu ? threadCpu(pid) : null;
    const t0 = performance.now();
    await send(protocol === 'pickle' ? ports.pickle : ports.line, payload);
    await waitIngested(w, ports.query, dataDir, dist, opts.timeout * 1000);
    const t1 = performance.now();
    await waitPersisted(w, dataDir, { timeoutMs: opts.timeout * 1000 });
    const t2 = performance.now();
    const cpu1 = cpuSplit(pid);
    if (threads0) process.stderr.write(`\n${threadCpuReport(threads0, threadCpu(pid))}\n`);
    result.ingest = w.total / ((t1 - t0) / 1000);
    result.persisted = w.total / ((t2 - t0) / 1000);
    result.seconds = (t2 - t0) / 1000;
    result.cpuPerMillion = ((cpu1.user + cpu1.system - cpu0.user - cpu0.system) / w.total) * 1e6;
    result.systemPerMillion = ((cpu1.system - cpu0.system) / w.total) * 1e6;
    result.rss = peakRss(pid);
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    await stopDaemon(child, 120000);
    settleFilesystem();
  }
  return result;
}

function memoryReport() {
  const script = join(here, 'cache-memory.mjs');
  const allocated = spawnSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8' });
  const resident = spawnSync(process.execPath, ['--expose-gc', script, '--rss', '--no-header'], { encoding: 'utf8' });
  return `${(allocated.stdout || allocated.stderr).trim()}\n${(resident.stdout || resident.stderr).trim()}`;
}

async function main() {
  const opts = parseArgs(process.argv);
  if (opts.impl.some((i) => i.startsWith('ts')) && !existsSync(join(dist, 'cli', 'main.js'))) {
    console.error('dist/ is missing: run `npm run build` first (npm run bench:cache does).');
    process.exit(1);
  }
  console.log(`# carbon-cache benchmark (${new Date().toISOString()}, node ${process.version}, scale ${opts.scale})`);
  const benchRoot = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  const isolated = isolateFromRecentRemovals(benchRoot);
  if (!isolated) console.error(`note: chattr +T ${benchRoot} failed; creates may pay for earlier file removals`);
  console.log('\n## MetricCache memory (in process)\n');
  console.log(memoryReport());
  const rows = [];
  let freshFailed = false;
  // Interrupted (Ctrl-C, kill): the run's filesystem is unmounted, not left behind.
  let mounted = null;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      mounted?.release();
      process.exit(130);
    });
  }
  // Sent to every daemon before its measured workload, and waited for until on disk (see runOne).
  // In two halves, each waited for: the first creates the warm-up files, the second updates them,
  // so both paths are compiled before the measurement.
  const warmW = makeWorkload(opts.warmupSeries, opts.warmupPoints, 'warmup');
  const half = Math.max(1, Math.floor(warmW.points / 2));
  const warmup = [];
  for (const w of [
    { ...warmW, points: half, total: warmW.series * half },
    { ...warmW, base: warmW.base + half * 60, points: warmW.points - half, total: warmW.series * (warmW.points - half) },
  ]) {
    if (w.points > 0) warmup.push({ w, plaintext: plaintextPayload(w), pickle: await picklePayload(w, dist) });
  }
  for (const spec of opts.workload) {
    const [s, p] = spec.replace(/u$/, '').split('x').map(Number);
    const w = makeWorkload(Math.max(1, Math.round(s * opts.scale)), p);
    // `SxPu`: the series' files exist before the measurement (made by one earlier point each, sent
    // after the warm-up and not measured), so the measured points are updates, not creates.
    if (spec.endsWith('u')) w.existing = { ...w, points: 1, base: w.base - 60, total: w.series };
    for (const protocol of opts.protocol) {
      const payload = protocol === 'pickle' ? await picklePayload(w, dist) : plaintextPayload(w);
      if (w.existing) w.existing.payload = protocol === 'pickle' ? await picklePayload(w.existing, dist) : plaintextPayload(w.existing);
      for (const impl of opts.impl) {
        process.stderr.write(`running ${impl} ${protocol} ${w.series}x${w.points} ... `);
        settleFilesystem();
        const fs = opts.fs === 'fresh' ? freshFilesystem(benchRoot, { keep: opts.keep }) : null;
        mounted = fs;
        if (opts.fs === 'fresh' && !fs && !freshFailed) {
          freshFailed = true;
          console.error(`note: no loop-mounted ext4 for the runs (needs root, mkfs.ext4, a loop device): they share ${benchRoot}`);
        }
        const runRoot = fs?.path ?? benchRoot;
        const before = fileCreateCost(runRoot);
        const r = await runOne(impl, protocol, w, payload, opts, runRoot, warmup);
        // The kernel's cost moves from minute to minute on a VM: the lower of just before and just after.
        r.createMicros = Math.min(before.cpuMicros, fileCreateCost(runRoot).cpuMicros);
        r.freshFs = fs !== null;
        fs?.release();
        mounted = null;
        process.stderr.write(r.error ? `error: ${r.error}\n` : `${r.seconds.toFixed(1)} s\n`);
        rows.push(r);
      }
    }
  }
  if (!opts.keep) rmSync(benchRoot, { recursive: true, force: true });
  else console.error(`kept ${benchRoot}`);
  console.log('\n## Daemons\n');
  console.log('Kernel µs/new file: CPU cost of creating, writing and closing one file of a bench Whisper file\'s size');
  console.log('(3,928 bytes), measured just before and just after the run (the lower is shown). Every new series');
  console.log('costs both daemons at least this: 17-21 µs on a new filesystem on the 2-core VM this was written on,');
  console.log('60-200 µs on its own filesystem after millions of files had been removed from it.');
  const onFresh = rows.filter((r) => r.freshFs).length;
  console.log(
    onFresh === rows.length
      ? 'Each run had a new loop-mounted ext4 filesystem of its own.\n'
      : `${rows.length - onFresh} of ${rows.length} runs shared ${isolated ? 'a directory marked chattr +T' : 'a directory (chattr +T FAILED: creates may pay for earlier removals)'}.\n`,
  );
  console.log('| workload | protocol | impl | ingest points/s | persisted points/s | CPU s / M points (of which system) | peak RSS MB | kernel µs/new file |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const name = r.impl.startsWith('ts') ? `carbon-ts${r.impl.slice(2).replaceAll('@', ' ')}` : 'carbon (Python)';
    if (r.error) {
      console.log(`| ${r.label} | ${r.protocol} | ${name} | error: ${r.error} | | | | |`);
      continue;
    }
    console.log(
      `| ${r.label} | ${r.protocol} | ${name} | ${fmt(r.ingest)} | ${fmt(r.persisted)} | ${fmt(r.cpuPerMillion, 2)} (${fmt(r.systemPerMillion, 2)}) | ${fmt(r.rss / 2 ** 20, 0)} | ${fmt(r.createMicros, 0)} |`,
    );
  }
  const ratios = [];
  for (const r of rows.filter((x) => x.impl.startsWith('ts') && !x.error)) {
    const py = rows.find((x) => x.impl === 'py' && !x.error && x.protocol === r.protocol && x.label === r.label);
    if (!py) continue;
    // Workloads of new series: the kernel's part of creating their files alone, s per M points.
    const floor = r.label.includes('files exist') ? 'n/a' : fmt(r.createMicros / (r.points / r.series), 2);
    ratios.push(
      `| ${r.impl} | ${r.label} | ${r.protocol} | ${fmt(r.persisted / py.persisted, 2)}× | ${fmt(py.cpuPerMillion / r.cpuPerMillion, 2)}× less | ${fmt(py.cpuPerMillion / 5, 2)} | ${floor} |`,
    );
  }
  if (ratios.length) {
    console.log('\nFile floor: kernel µs/new file × new series per million points, the CPU no daemon can go below on');
    console.log('that workload (n/a: the files exist). Where it is above Python / 5, CPU ≤ 1/5 of Python\'s cannot be met.');
    console.log('\n| impl | workload | protocol | persisted vs Python | CPU per point vs Python | Python CPU / 5, s/M | file floor, s/M |\n|---|---|---|---:|---:|---:|---:|');
    for (const l of ratios) console.log(l);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
