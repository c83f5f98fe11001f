// The logic of whisper-fill (contrib/whisper-fill.py): copy data from `src`
// into the gaps of `dst` without overwriting anything `dst` already has,
// preferring `src`'s highest-precision archive.
//
// The script reads time.time() (a float) in several places; here one `now`
// (seconds, may be fractional) stands for all of them, and the whisper calls
// inside use int(now) as the module would.
import { info as readInfo, fetch, updateMany, type PointInput } from './api.js';

function requireInfo(path: string): NonNullable<ReturnType<typeof readInfo>> {
  const header = readInfo(path);
  if (header === null) throw new TypeError(`'NoneType' object is not subscriptable (cannot read ${path})`);
  return header;
}

/** whisper-fill's `fill(src, dst, tstart, tstop)`: copy src's points in `(tstart, tstop]` into dst. */
export function fill(src: string, dst: string, tstart: number, tstop: number, now = Date.now() / 1000): void {
  const nowInt = Math.trunc(now);
  const srcHeader = requireInfo(src);
  const archives = [...srcHeader.archives].sort((a, b) => a.retention - b.retention);
  const srcTime = nowInt - srcHeader.maxRetention;
  if (tstart < srcTime && tstop < srcTime) return;

  for (const archive of archives) {
    const rtime = now - archive.retention;
    if (tstop <= rtime) continue;
    const untilTime = tstop;
    const fromTime = rtime > tstart ? rtime : tstart;
    const fetched = fetch(src, fromTime, untilTime, nowInt);
    if (fetched === null) throw new TypeError('cannot unpack non-iterable NoneType object');
    const [start, end, step] = fetched.timeInfo;
    const points: PointInput[] = [];
    for (let k = 0, t = start; t < end && k < fetched.values.length; k++, t += step) {
      const v = fetched.values[k];
      if (v !== null) points.push([t, v]);
    }
    points.sort((a, b) => (b[0] as number) - (a[0] as number));
    updateMany(dst, points, nowInt);
    tstop = fromTime;
    if (tstart === tstop) return;
  }
}

/**
 * whisper-fill's `fill_archives(src, dst, startFrom)` — what the tool runs
 * (with startFrom = now). A gap is a run of falsy values (None or 0.0) in
 * dst; gaps longer than one step are filled from src.
 */
export function fillArchives(src: string, dst: string, startFrom?: number, now = Date.now() / 1000): void {
  let from = startFrom ?? now;
  const nowInt = Math.trunc(now);
  const header = requireInfo(dst);
  const archives = [...header.archives].sort((a, b) => a.retention - b.retention);
  for (const archive of archives) {
    const fromTime = now - archive.retention;
    if (fromTime >= from) continue;
    const fetched = fetch(dst, fromTime, from, nowInt);
    if (fetched === null) throw new TypeError('cannot unpack non-iterable NoneType object');
    let [start] = fetched.timeInfo;
    const [, end, step] = fetched.timeInfo;
    let gapstart: number | null = null;
    for (const v of fetched.values) {
      const truthy = v !== null && v !== 0; // NaN is truthy in Python
      if (!truthy && !gapstart) {
        gapstart = start;
      } else if (truthy && gapstart) {
        // ignore single units lost
        if (start - gapstart > archive.secondsPerPoint) fill(src, dst, gapstart - step, start, now);
        gapstart = null;
      } else if (gapstart && start === end - step) {
        fill(src, dst, gapstart - step, start, now);
      }
      start += step;
    }
    from = fromTime;
  }
}
