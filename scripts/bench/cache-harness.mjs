// Pieces of the cache benchmark (scripts/bench/cache.mjs): workload payloads, daemon control,
// /proc measurements and the "every point is on disk" poller.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

/** A workload: `series` names, each with `points` points one minute apart ending about now. */
export function makeWorkload(series, points, prefix = 'bench') {
  const now = Math.floor(Date.now() / 1000);
  const base = now - (now % 60) - points * 60;
  const names = new Array(series);
  for (let s = 0; s < series; s++) names[s] = `${prefix}.g${s % 100}.s${s}`;
  return { series, points, base, names, prefix, total: series * points, valueOf: (s, p) => (s % 1000) + p };
}

/** Plaintext payload, one round of every series per timestamp (as a fleet of senders would). */
export function plaintextPayload(w) {
  const chunks = [];
  let lines = [];
  for (let p = 0; p < w.points; p++) {
    const ts = w.base + p * 60;
    for (let s = 0; s < w.series; s++) {
      lines.push(`${w.names[s]} ${w.valueOf(s, p)} ${ts}\n`);
      if (lines.length === 10000) {
        chunks.push(Buffer.from(lines.join('')));
        lines = [];
      }
    }
  }
  if (lines.length) chunks.push(Buffer.from(lines.join('')));
  return chunks;
}

/** Pickle payload: frames of 500 points `[(name, (ts, value)), ...]`, protocol 2 (what carbon relays send). */
export async function picklePayload(w, distDir) {
  const { encodePickleFrame } = await import(join(distDir, 'protocol', 'pickle-encoder.js'));
  const { PyTuple } = await import(join(distDir, 'protocol', 'pickle-values.js'));
  const frames = [];
  let list = [];
  for (let p = 0; p < w.points; p++) {
    const ts = w.base + p * 60;
    for (let s = 0; s < w.series; s++) {
      list.push(new PyTuple([w.names[s], new PyTuple([ts, w.valueOf(s, p)])]));
      if (list.length === 500) {
        frames.push(encodePickleFrame(list));
        list = [];
      }
    }
  }
  if (list.length) frames.push(encodePickleFrame(list));
  // Coalesce into ~1 MB writes.
  const out = [];
  let acc = [];
  let size = 0;
  for (const f of frames) {
    acc.push(f);
    size += f.length;
    if (size >= 1 << 20) {
      out.push(Buffer.concat(acc));
      acc = [];
      size = 0;
    }
  }
  if (acc.length) out.push(Buffer.concat(acc));
  return out;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Writes carbon.conf and storage-schemas.conf for one run; returns the paths. */
export function writeConfig(root, ports, extra = []) {
  const conf = join(root, 'conf');
  const storage = join(root, 'storage');
  mkdirSync(conf, { recursive: true });
  mkdirSync(join(storage, 'whisper'), { recursive: true });
  mkdirSync(join(storage, 'log'), { recursive: true });
  writeFileSync(
    join(conf, 'carbon.conf'),
    `[cache]
STORAGE_DIR = ${storage}/
LOCAL_DATA_DIR = ${storage}/whisper/
LOG_DIR = ${storage}/log/
PID_DIR = ${storage}/
ENABLE_LOGROTATION = False
USER =
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = ${ports.line}
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = ${ports.pickle}
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = ${ports.query}
USE_FLOW_CONTROL = True
CACHE_WRITE_STRATEGY = sorted
LOG_UPDATES = False
LOG_CREATES = False
LOG_CACHE_HITS = False
LOG_CACHE_QUEUE_SORTS = False
LOG_LISTENER_CONN_SUCCESS = False
ENABLE_TAGS = False
CARBON_METRIC_INTERVAL = 0
WHISPER_AUTOFLUSH = False
WHISPER_SPARSE_CREATE = False
WHISPER_FALLOCATE_CREATE = False
${extra.map((kv) => `${kv}\n`).join('')}`,
  );
  writeFileSync(join(conf, 'storage-schemas.conf'), `[bench]\npattern = .*\nretentions = 1m:3h,10m:1d\n`);
  return { conf: join(conf, 'carbon.conf'), dataDir: join(storage, 'whisper'), storage };
}

/**
 * Commits the filesystem's pending work (sync(1)). After a tree of many files is removed, ext4 on
 * this VM (mounted with `discard`) charges the next file creates for that deferred work: measured
 * 200-800 µs of system CPU per create until a sync, 12-20 µs after one. Without this, each run
 * would pay for the removal of the previous run's 10,000-100,000 files, ts for Python's and back.
 */
export function settleFilesystem() {
  spawnSync('sync');
}

/**
 * Bytes of one of the bench's Whisper files (retentions 1m:3h,10m:1d): 16-byte header, 12 bytes per
 * archive, 12 bytes per point (180 + 144 points).
 */
export const BENCH_FILE_BYTES = 16 + 2 * 12 + (180 + 144) * 12;

/**
 * The kernel's share of one new series, measured just before a run: the CPU (nearly all of it
 * system time) to create, write and close `n` files of a bench Whisper file's size, spread over 100
 * directories as the bench's series are. Both daemons do at least this for every new series
 * (Python carbon then opens the file again for its first update), so `cpuMicros / points` seconds
 * per million points is a floor under either daemon's CPU on a workload of new series.
 */
export function fileCreateCost(dir, n = 5000) {
  const root = mkdtempSync(join(dir, 'create-probe-'));
  for (let d = 0; d < 100; d++) mkdirSync(join(root, `g${d}`));
  const image = Buffer.alloc(BENCH_FILE_BYTES, 1);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const fd = openSync(join(root, `g${i % 100}`, `s${i}.wsp`), 'wx');
    writeSync(fd, image, 0, image.length, 0);
    closeSync(fd);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMicros: (cpu.user + cpu.system) / n, wallMicros: (wall * 1000) / n };
}

let imageSeq = 0;

/**
 * A new, empty ext4 filesystem for one run: a sparse image file under `dir`, made with mkfs.ext4 and
 * loop-mounted (root, mkfs.ext4 and a loop device needed; null when any is missing). What a create
 * costs the kernel depends on the filesystem's history: on this VM, after millions of files had been
 * removed, the inode allocator's look at each freed inode (recently_deleted) took a create from 20-30 µs
 * to 60-200 µs of system CPU for hours, for both daemons. On a filesystem of its own each run starts
 * where a newly installed server would. `release()` unmounts it; the image is removed unless `keep`.
 */
export function freshFilesystem(dir, { sizeBytes = 8 * 2 ** 30, keep = false } = {}) {
  const image = join(dir, `run-${++imageSeq}.ext4`);
  const mountPoint = join(dir, `run-${imageSeq}`);
  try {
    closeSync(openSync(image, 'wx'));
    truncateSync(image, sizeBytes);
  } catch {
    return null;
  }
  const drop = () => {
    rmSync(mountPoint, { recursive: true, force: true });
    if (!keep) rmSync(image, { force: true });
  };
  mkdirSync(mountPoint);
  if (spawnSync('mkfs.ext4', ['-q', '-F', image]).status !== 0 || spawnSync('mount', ['-o', 'loop', image, mountPoint]).status !== 0) {
    drop();
    return null;
  }
  return {
    path: mountPoint,
    release() {
      if (spawnSync('umount', [mountPoint]).status !== 0) spawnSync('umount', ['-l', mountPoint]);
      drop();
    },
  };
}

/**
 * On ext4, an inode freed in the last minutes is skipped, at a cost, when a new file is given an
 * inode from the same block group; after a run's thousands of files are removed, each create near
 * them costs 250-1000 µs of kernel CPU instead of ~20 µs (measured on this VM, for minutes after
 * the removal). New files go to their directory's group, and a directory to its parent's, so
 * without care every run lands where the last one was removed. Marking the bench's root directory
 * with the Orlov "top of hierarchy" flag (chattr +T) spreads its subdirectories over fresh block
 * groups, like directories made in /; and nothing is removed until the bench is over. Returns
 * false where chattr is missing or the filesystem has no such flag.
 */
export function isolateFromRecentRemovals(dir) {
  const r = spawnSync('chattr', ['+T', dir], { encoding: 'utf8' });
  return r.status === 0;
}

/** utime+stime of a process and all its threads, seconds. */
export function cpuSeconds(pid) {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/** User and system (kernel) CPU of a process and all its threads, seconds. */
export function cpuSplit(pid) {
  return statCpu(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** utime and stime of a /proc/<pid>[/task/<tid>]/stat line, seconds. */
function statCpu(stat) {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime = field 14, stime = field 15.
  return { user: Number(fields[11]) / CLOCK_TICKS, system: Number(fields[12]) / CLOCK_TICKS };
}

/** Per-thread CPU of a process: Map tid → { comm, user, system, waited (runnable but not running) } (seconds). */
export function threadCpu(pid) {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [, runqueueNs] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(tid, { comm, ...statCpu(stat), waited: runqueueNs / 1e9 });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** Lines "comm: user u s, system s s" of the threads that used CPU between two threadCpu() readings. */
export function threadCpuReport(before, after) {
  const lines = [];
  for (const [tid, a] of after) {
    const b = before.get(tid) ?? { user: 0, system: 0, waited: 0 };
    const user = a.user - b.user;
    const system = a.system - b.system;
    const waited = a.waited - b.waited;
    if (user + system >= 0.05) lines.push(`  ${a.comm} (${tid}): user ${user.toFixed(2)} s, system ${system.toFixed(2)} s, waited for a CPU ${waited.toFixed(2)} s`);
  }
  return lines.join('\n');
}

/** Peak resident set size (VmHWM), bytes. */
export function peakRss(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

export function startDaemon(cmd, args, logFile) {
  const out = openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', out, out] });
  closeSync(out);
  return child;
}

export async function waitForPort(port, timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends the chunks over one connection, honouring back-pressure; resolves when all is handed to the kernel. */
export function send(port, chunks) {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.once('error', reject);
    s.once('connect', () => {
      let i = 0;
      const pump = () => {
        while (i < chunks.length) {
          if (!s.write(chunks[i++])) {
            s.once('drain', pump);
            return;
          }
        }
        s.end(() => resolve());
      };
      pump();
    });
  });
}

export async function stopDaemon(child, timeoutMs = 600000) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(t);
}

/**
 * Resolves once the daemon has taken in the whole payload: the last point sent (the last series at
 * the last timestamp) is in its cache (asked over CarbonLink) or already in its file. One connection
 * is read in order, so this means every earlier point was received too.
 */
export async function waitIngested(w, queryPort, dataDir, distDir, timeoutMs) {
  const { encodePickleFrame } = await import(join(distDir, 'protocol', 'pickle-encoder.js'));
  const { decodePickle } = await import(join(distDir, 'protocol', 'pickle-decoder.js'));
  const s = w.series - 1;
  const name = w.names[s];
  const lastTs = w.base + (w.points - 1) * 60;
  const path = join(dataDir, w.prefix, `g${s % 100}`, `s${s}.wsp`);
  const request = encodePickleFrame(new Map([['type', 'cache-query'], ['metric', name]]));
  const sock = connect(queryPort, '127.0.0.1');
  await new Promise((res, rej) => (sock.once('connect', res), sock.once('error', rej)));
  let acc = Buffer.alloc(0);
  const until = Date.now() + timeoutMs;
  const buf = Buffer.alloc(64);
  try {
    for (;;) {
      const reply = new Promise((res) => {
        const onData = (chunk) => {
          acc = Buffer.concat([acc, chunk]);
          if (acc.length >= 4 && acc.length >= 4 + acc.readUInt32BE(0)) {
            sock.off('data', onData);
            const body = acc.subarray(4, 4 + acc.readUInt32BE(0));
            acc = acc.subarray(4 + body.length);
            res(decodePickle(body));
          }
        };
        sock.on('data', onData);
      });
      sock.write(request);
      const r = await reply;
      const points = r.get('datapoints') ?? [];
      if (points.some((t) => t.items[0] === lastTs)) return;
      if (hasPoint(path, lastTs, w.valueOf(s, w.points - 1), buf)) return;
      if (Date.now() > until) throw new Error(`the last point was not received after ${timeoutMs} ms`);
      await new Promise((r2) => setTimeout(r2, 5));
    }
  } finally {
    sock.destroy();
  }
}

/**
 * Resolves when every series' file holds its last point (the pop that carries a series' last
 * point also carries or follows all its earlier points, so this means everything is on disk).
 * Checks each file until it is done, never again after. A pass stops after MISSES_PER_POLL files
 * not done yet (the rest wait for the next poll): looking up 100,000 missing files every 250 ms
 * took a core's worth of CPU from the daemon under test, and the lookups wait on the same
 * directory locks as its creates. Polls are 50 ms apart: with 250 ms, a run of half a second was
 * measured in quarter seconds.
 */
const MISSES_PER_POLL = 256;

export async function waitPersisted(w, dataDir, { timeoutMs, intervalMs = 50, onProgress } = {}) {
  const lastTs = w.base + (w.points - 1) * 60;
  let pending = Array.from({ length: w.series }, (_, s) => s);
  const buf = Buffer.alloc(1 << 16);
  const until = Date.now() + timeoutMs;
  while (pending.length) {
    const still = [];
    let i = 0;
    for (; i < pending.length && still.length < MISSES_PER_POLL; i++) {
      const s = pending[i];
      if (!hasPoint(join(dataDir, w.prefix, `g${s % 100}`, `s${s}.wsp`), lastTs, w.valueOf(s, w.points - 1), buf)) still.push(s);
    }
    pending = i < pending.length ? still.concat(pending.slice(i)) : still;
    onProgress?.(w.series - pending.length);
    if (!pending.length) break;
    if (Date.now() > until) throw new Error(`${pending.length} series not on disk after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function hasPoint(path, ts, value, buf) {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    // One read of the file's start holds the header and, for the bench's schema, the whole first
    // archive: the poll costs each daemon as little CPU as it can while it runs.
    const got = readSync(fd, buf, 0, buf.length, 0);
    if (got < 28) return false;
    const offset = buf.readUInt32BE(16);
    const spp = buf.readUInt32BE(20);
    const points = buf.readUInt32BE(24);
    if (got < offset + 12) return false;
    const baseInterval = buf.readUInt32BE(offset);
    if (baseInterval === 0) return false;
    let slot = offset + (((((ts - baseInterval) / spp) % points) + points) % points) * 12;
    if (slot + 12 > got) {
      if (readSync(fd, buf, 0, 12, slot) < 12) return false;
      slot = 0;
    }
    return buf.readUInt32BE(slot) === ts && buf.readDoubleBE(slot + 4) === value;
  } finally {
    closeSync(fd);
  }
}
