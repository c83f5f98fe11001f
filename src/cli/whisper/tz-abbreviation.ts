// The time zone abbreviation glibc's strftime prints for %Z ('UTC', 'EST', 'IST', '+0530'),
// read from the same tzdata file glibc uses. JavaScript's Intl only knows CLDR names, which for
// most zones are 'GMT+5:30' rather than the tzdata abbreviation.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

interface ZoneTypes {
  /** Transition times (epoch seconds) and the local-time type index that starts at each. */
  transitions: number[];
  typeIndexes: number[];
  types: { utoff: number; abbreviation: string }[];
  /** The POSIX TZ string for times after the last transition (TZif v2+ footer). */
  footer: string;
}

const zoneCache = new Map<string, ZoneTypes | null>();

function zoneFilePath(tz: string | undefined): string | undefined {
  if (tz === undefined || tz === '') return '/etc/localtime';
  const name = tz.startsWith(':') ? tz.slice(1) : tz;
  return isAbsolute(name) ? name : join('/usr/share/zoneinfo', name);
}

function parseTzif(buf: Buffer): ZoneTypes | null {
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif') return null;
  const version = buf[4];
  const counts = (at: number) => [0, 1, 2, 3, 4, 5].map((i) => buf.readUInt32BE(at + 20 + 4 * i));
  let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(0);
  let at = 44;
  let timeSize = 4;
  if (version >= 0x32) {
    // Skip the 32-bit block and read the 64-bit one that follows.
    at += timecnt * 4 + timecnt + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt;
    [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(at);
    at += 44;
    timeSize = 8;
  }
  const transitions: number[] = [];
  for (let i = 0; i < timecnt; i++) {
    transitions.push(timeSize === 8 ? Number(buf.readBigInt64BE(at + 8 * i)) : buf.readInt32BE(at + 4 * i));
  }
  at += timecnt * timeSize;
  const typeIndexes = [...buf.subarray(at, at + timecnt)];
  at += timecnt;
  const rawTypes = [];
  for (let i = 0; i < typecnt; i++) rawTypes.push({ utoff: buf.readInt32BE(at + 6 * i), desig: buf[at + 6 * i + 5] });
  at += typecnt * 6;
  const chars = buf.subarray(at, at + charcnt);
  at += charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt;
  const types = rawTypes.map(({ utoff, desig }) => {
    const end = chars.indexOf(0, desig);
    return { utoff, abbreviation: chars.toString('latin1', desig, end < 0 ? chars.length : end) };
  });
  const footer = version >= 0x32 ? buf.toString('latin1', at).split('\n')[1] ?? '' : '';
  return { transitions, typeIndexes, types, footer };
}

function loadZone(tz: string | undefined): ZoneTypes | null {
  const key = tz ?? '';
  if (!zoneCache.has(key)) {
    let zone: ZoneTypes | null = null;
    const path = zoneFilePath(tz);
    try {
      if (path !== undefined) zone = parseTzif(readFileSync(path));
    } catch {
      zone = null;
    }
    zoneCache.set(key, zone);
  }
  return zoneCache.get(key) ?? null;
}

/** The standard and daylight names of a POSIX TZ string like 'EST5EDT,M3.2.0,M11.1.0' or '<+0530>-5:30'. */
function posixNames(spec: string): { std: string; dst?: string } | null {
  const name = String.raw`(<[^>]+>|[A-Za-z]{3,})`;
  const m = new RegExp(`^${name}[-+]?\\d{1,2}(?::\\d{1,2}){0,2}${name}?`).exec(spec);
  if (!m) return null;
  const strip = (n: string | undefined) => (n === undefined ? undefined : n.replace(/^<|>$/g, ''));
  return { std: strip(m[1]) as string, dst: strip(m[2]) };
}

/**
 * %Z for `epochSeconds` in zone `tz` (the TZ variable; undefined means /etc/localtime), given the
 * UTC offset in seconds that the platform computed for that instant. Undefined when unknown.
 */
export function zoneAbbreviation(tz: string | undefined, epochSeconds: number, utoffSeconds: number): string | undefined {
  const zone = loadZone(tz);
  if (zone !== null) {
    const { transitions, typeIndexes, types } = zone;
    let last = -1;
    for (let i = 0; i < transitions.length && transitions[i] <= epochSeconds; i++) last = i;
    if (last < 0) return types[0]?.abbreviation;
    if (last < transitions.length - 1 || zone.footer === '') return types[typeIndexes[last]]?.abbreviation;
    const names = posixNames(zone.footer);
    if (names) return pickName(names, types, utoffSeconds);
    const match = types.find((t) => t.utoff === utoffSeconds);
    return match?.abbreviation;
  }
  const names = tz !== undefined ? posixNames(tz.replace(/^:/, '')) : null;
  return names ? pickName(names, [], utoffSeconds) : undefined;
}

function pickName(names: { std: string; dst?: string }, types: ZoneTypes['types'], utoffSeconds: number): string {
  if (names.dst === undefined) return names.std;
  const std = types.find((t) => t.abbreviation === names.std);
  if (std !== undefined) return std.utoff === utoffSeconds ? names.std : names.dst;
  const dst = types.find((t) => t.abbreviation === names.dst);
  if (dst !== undefined) return dst.utoff === utoffSeconds ? names.dst : names.std;
  return names.std;
}
