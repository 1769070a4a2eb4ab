/**
 * strftime as glibc does it in the C locale, in local time: the broker's
 * `log_timestamp_format`, and mosquitto_sub's `@X` codes, `%I` and JSON
 * `tst` field in the tools. An unknown conversion comes out as written
 * ("%Q"), as glibc leaves it.
 *
 * LIMIT(compat): %Z gives the zone name Intl knows, which for some zones
 * is "GMT+1" where glibc prints "CET"; UTC and most named zones agree.
 */

const shortDays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const longDays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
longDays.push('Saturday');
const shortMonths = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const longMonths = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function pad(n: number, width = 2, fill = '0'): string {
  return String(n).padStart(width, fill);
}

/** Day of the year, 0 for 1 January. */
function yearDay(d: Date): number {
  const start = Date.UTC(d.getFullYear(), 0, 1);
  const today = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((today - start) / 86_400_000);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** ISO 8601 week-based year and week number. */
function isoWeek(d: Date): { year: number; week: number } {
  const wday = (d.getDay() + 6) % 7; // Monday = 0
  const yday = yearDay(d);
  let year = d.getFullYear();
  let week = Math.floor((yday - wday + 10) / 7);
  if (week < 1) {
    year--;
    const prevDays = isLeap(year) ? 366 : 365;
    week = Math.floor((yday + prevDays - wday + 10) / 7);
  } else if (week === 53) {
    const days = isLeap(year) ? 366 : 365;
    if (yday - wday + 3 >= days) {
      year++;
      week = 1;
    }
  }
  return { year, week };
}

function offset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

function zoneName(d: Date): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  return parts.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

const hour12 = (d: Date) => d.getHours() % 12 || 12;

const conversions: Record<string, (d: Date) => string> = {
  a: (d) => shortDays[d.getDay()]!,
  A: (d) => longDays[d.getDay()]!,
  b: (d) => shortMonths[d.getMonth()]!,
  B: (d) => longMonths[d.getMonth()]!,
  c: (d) => strftime('%a %b %e %H:%M:%S %Y', d),
  C: (d) => pad(Math.floor(d.getFullYear() / 100)),
  d: (d) => pad(d.getDate()),
  D: (d) => strftime('%m/%d/%y', d),
  e: (d) => pad(d.getDate(), 2, ' '),
  F: (d) => strftime('%Y-%m-%d', d),
  g: (d) => pad(isoWeek(d).year % 100),
  G: (d) => String(isoWeek(d).year),
  h: (d) => shortMonths[d.getMonth()]!,
  H: (d) => pad(d.getHours()),
  I: (d) => pad(hour12(d)),
  j: (d) => pad(yearDay(d) + 1, 3),
  k: (d) => pad(d.getHours(), 2, ' '),
  l: (d) => pad(hour12(d), 2, ' '),
  m: (d) => pad(d.getMonth() + 1),
  M: (d) => pad(d.getMinutes()),
  n: () => '\n',
  p: (d) => (d.getHours() < 12 ? 'AM' : 'PM'),
  P: (d) => (d.getHours() < 12 ? 'am' : 'pm'),
  r: (d) => strftime('%I:%M:%S %p', d),
  R: (d) => strftime('%H:%M', d),
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  S: (d) => pad(d.getSeconds()),
  t: () => '\t',
  T: (d) => strftime('%H:%M:%S', d),
  u: (d) => String(d.getDay() || 7),
  U: (d) => pad(Math.floor((yearDay(d) + 7 - d.getDay()) / 7)),
  V: (d) => pad(isoWeek(d).week),
  w: (d) => String(d.getDay()),
  W: (d) => pad(Math.floor((yearDay(d) + 7 - ((d.getDay() + 6) % 7)) / 7)),
  x: (d) => strftime('%m/%d/%y', d),
  X: (d) => strftime('%H:%M:%S', d),
  y: (d) => pad(d.getFullYear() % 100),
  Y: (d) => String(d.getFullYear()),
  z: offset,
  Z: zoneName,
  '%': () => '%',
};

/** The text of one conversion character, e.g. conversion('Y', now). */
export function conversion(code: string, date: Date): string {
  const convert = Object.hasOwn(conversions, code) ? conversions[code] : undefined;
  return convert ? convert(date) : `%${code}`;
}

/** A whole pattern of conversions and literal text. */
export function strftime(pattern: string, date: Date): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '%' && i + 1 < pattern.length)
      out += conversion(pattern[++i]!, date);
    else out += pattern[i];
  }
  return out;
}
