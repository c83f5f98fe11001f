// whisper-fill [--lock] src dst: copies src's points into the gaps of dst, never overwriting.
// Gap detection follows the Python tool exactly, including its quirks: a value of 0.0 counts as
// missing (it is falsy), and times come from fresh time.time() readings (floats).
import { fetch, info, updateMany, type FetchResult, type WhisperInfo } from './engine.js';
import { helpAndExit, parseOptions, type ParserSpec } from './optparse.js';
import { uncaught } from './py-errors.js';
import { UncaughtPythonError, runToolBody, type ToolIO, type WhisperTool } from './tool-io.js';

const SPEC: ParserSpec = {
  prog: 'whisper-fill',
  usage: '%prog [--lock] src dst',
  description: 'copies data from src in dst, if missing',
  optionsHelp: '  -h, --help  show this help message and exit\n  --lock      Lock whisper files\n',
  options: [{ long: '--lock', dest: 'lock', kind: 'flag' }],
};

const NOT_SUBSCRIPTABLE = new UncaughtPythonError('TypeError', "'NoneType' object is not subscriptable");
const NOT_ITERABLE = new UncaughtPythonError('TypeError', 'cannot unpack non-iterable NoneType object');

function headerOf(path: string): WhisperInfo {
  const header = info(path);
  if (header === null) throw NOT_SUBSCRIPTABLE;
  return header;
}

/** whisper.fetch(path, from, until) with now=None: Python truncates the float times with int(). */
function fetchRange(io: ToolIO, path: string, from: number, until: number): FetchResult {
  const data = fetch(path, Math.trunc(from), Math.trunc(until), Math.trunc(io.now()));
  if (data === null) throw NOT_ITERABLE;
  return data;
}

/** Copies src's points in [tstart, tstop] into dst, finest src archive first, walking back in time. */
function fill(io: ToolIO, src: string, dst: string, tstart: number, tstopStart: number): void {
  let tstop = tstopStart;
  const srcHeader = headerOf(src);
  const srcArchives = [...srcHeader.archives].sort((a, b) => a.retention - b.retention);
  const srcTime = Math.trunc(io.now()) - srcHeader.maxRetention;
  if (tstart < srcTime && tstop < srcTime) return;
  for (const archive of srcArchives) {
    const rtime = io.now() - archive.retention;
    if (tstop <= rtime) continue;
    const untilTime = tstop;
    const fromTime = rtime > tstart ? rtime : tstart;
    const {
      timeInfo: [start, end, step],
      values,
    } = fetchRange(io, src, fromTime, untilTime);
    const points: [number, number][] = [];
    for (let t = start, i = 0; t < end; t += step, i++) {
      const v = values[i];
      if (v !== null && v !== undefined) points.push([t, v]);
    }
    points.sort((a, b) => b[0] - a[0]);
    if (points.length > 0) updateMany(dst, points, Math.trunc(io.now()));
    tstop = fromTime;
    if (tstart === tstop) return;
  }
}

const falsy = (v: number | null): boolean => v === null || v === 0;

function fillArchives(io: ToolIO, src: string, dst: string, startFromInitial: number): void {
  let startFrom = startFromInitial;
  const archives = [...headerOf(dst).archives].sort((a, b) => a.retention - b.retention);
  for (const archive of archives) {
    const fromTime = io.now() - archive.retention;
    if (fromTime >= startFrom) continue;
    const data = fetchRange(io, dst, fromTime, startFrom);
    let [start] = data.timeInfo;
    const [, end, step] = data.timeInfo;
    let gapstart: number | null = null;
    for (const v of data.values) {
      if (falsy(v) && !gapstart) {
        gapstart = start;
      } else if (!falsy(v) && gapstart) {
        if (start - gapstart > archive.secondsPerPoint) fill(io, src, dst, gapstart - step, start);
        gapstart = null;
      } else if (gapstart && start === end - step) {
        fill(io, src, dst, gapstart - step, start);
      }
      start += step;
    }
    startFrom = fromTime;
  }
}

export const whisperFill: WhisperTool = (argv, io) =>
  runToolBody('whisper-fill', io, async () => {
    // --lock asks Python for flock(); Node has no flock, so it is accepted and has no effect.
    const { args } = parseOptions(SPEC, argv, io);
    if (args.length !== 2) helpAndExit(SPEC, io);
    const [src, dst] = args;
    try {
      fillArchives(io, src, dst, io.now());
    } catch (err) {
      throw uncaught(err);
    }
    return 0;
  });
