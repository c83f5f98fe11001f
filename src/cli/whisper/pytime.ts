// Python's time.ctime() and time.strftime(fmt, time.localtime(t)) as glibc renders them in the C
// locale, in the process's local time zone (TZ), for the tools' --pretty output.

import { zoneAbbreviation } from './tz-abbreviation.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

function pad(n: number, width: number, fill = '0'): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + s.padStart(width, fill);
}

function dayOfYear(d: Date): number {
  const start = Date.UTC(d.getFullYear(), 0, 1);
  const today = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((today - start) / 86_400_000) + 1;
}

/** ISO 8601 week-based year and week number (glibc %G / %V). */
function isoWeek(d: Date): { year: number; week: number } {
  const utc = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const weekday = utc.getUTCDay() || 7;
  utc.setUTCDate(utc.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(utc.getUTCFullYear(), 0, 1);
  return { year: utc.getUTCFullYear(), week: Math.ceil(((utc.getTime() - yearStart) / 86_400_000 + 1) / 7) };
}

function zoneOffset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return (minutes < 0 ? '-' : '+') + pad(Math.floor(abs / 60), 2) + pad(abs % 60, 2);
}

function zoneName(d: Date): string {
  const abbreviation = zoneAbbreviation(process.env.TZ, Math.floor(d.getTime() / 1000), -d.getTimezoneOffset() * 60);
  if (abbreviation !== undefined) return abbreviation;
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

function localDate(epochSeconds: number): Date {
  return new Date(epochSeconds * 1000);
}

/** time.ctime(t): 'Tue Nov 14 22:10:00 2023' in local time. */
export function pyCtime(epochSeconds: number): string {
  return pyStrftime('%a %b %e %H:%M:%S %Y', epochSeconds);
}

/** time.strftime(format, time.localtime(t)) with glibc's C-locale conversions. */
export function pyStrftime(format: string, epochSeconds: number): string {
  const d = localDate(epochSeconds);
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%' || i + 1 >= format.length) {
      out += c;
      continue;
    }
    const spec = format[++i];
    const hour12 = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12;
    switch (spec) {
      case 'a': out += WEEKDAYS[d.getDay()].slice(0, 3); break;
      case 'A': out += WEEKDAYS[d.getDay()]; break;
      case 'b': case 'h': out += MONTHS[d.getMonth()].slice(0, 3); break;
      case 'B': out += MONTHS[d.getMonth()]; break;
      case 'c': out += pyStrftime('%a %b %e %H:%M:%S %Y', epochSeconds); break;
      case 'C': out += pad(Math.floor(d.getFullYear() / 100), 2); break;
      case 'd': out += pad(d.getDate(), 2); break;
      case 'D': out += pyStrftime('%m/%d/%y', epochSeconds); break;
      case 'e': out += pad(d.getDate(), 2, ' '); break;
      case 'F': out += pyStrftime('%Y-%m-%d', epochSeconds); break;
      case 'g': out += pad(isoWeek(d).year % 100, 2); break;
      case 'G': out += String(isoWeek(d).year); break;
      case 'H': out += pad(d.getHours(), 2); break;
      case 'I': out += pad(hour12, 2); break;
      case 'j': out += pad(dayOfYear(d), 3); break;
      case 'k': out += pad(d.getHours(), 2, ' '); break;
      case 'l': out += pad(hour12, 2, ' '); break;
      case 'm': out += pad(d.getMonth() + 1, 2); break;
      case 'M': out += pad(d.getMinutes(), 2); break;
      case 'n': out += '\n'; break;
      case 'p': out += d.getHours() < 12 ? 'AM' : 'PM'; break;
      case 'P': out += d.getHours() < 12 ? 'am' : 'pm'; break;
      case 'r': out += pyStrftime('%I:%M:%S %p', epochSeconds); break;
      case 'R': out += pyStrftime('%H:%M', epochSeconds); break;
      case 's': out += String(Math.floor(epochSeconds)); break;
      case 'S': out += pad(d.getSeconds(), 2); break;
      case 't': out += '\t'; break;
      case 'T': out += pyStrftime('%H:%M:%S', epochSeconds); break;
      case 'u': out += String(d.getDay() || 7); break;
      case 'U': out += pad(Math.floor((dayOfYear(d) - 1 + 7 - d.getDay()) / 7), 2); break;
      case 'V': out += pad(isoWeek(d).week, 2); break;
      case 'w': out += String(d.getDay()); break;
      case 'W': out += pad(Math.floor((dayOfYear(d) - 1 + 7 - ((d.getDay() + 6) % 7)) / 7), 2); break;
      case 'x': out += pyStrftime('%m/%d/%y', epochSeconds); break;
      case 'X': out += pyStrftime('%H:%M:%S', epochSeconds); break;
      case 'y': out += pad(d.getFullYear() % 100, 2); break;
      case 'Y': out += String(d.getFullYear()); break;
      case 'z': out += zoneOffset(d); break;
      case 'Z': out += zoneName(d); break;
      case '%': out += '%'; break;
      default: out += '%' + spec; // glibc copies an unknown conversion through unchanged
    }
  }
  return out;
}
