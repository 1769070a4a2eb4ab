/**
 * The subset of C's strftime that `log_timestamp_format` uses in practice,
 * in local time. An unknown conversion is written as it stands.
 */
const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const fullDays = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
];
const months = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const fullMonths = [
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

const pad = (n: number, width = 2, fill = '0') => String(n).padStart(width, fill);

function offset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

function dayOfYear(date: Date): number {
  const start = new Date(date.getFullYear(), 0, 1);
  return Math.floor((date.getTime() - start.getTime()) / 86_400_000) + 1;
}

const conversions: Record<string, (d: Date) => string> = {
  a: (d) => days[d.getDay()]!,
  A: (d) => fullDays[d.getDay()]!,
  b: (d) => months[d.getMonth()]!,
  h: (d) => months[d.getMonth()]!,
  B: (d) => fullMonths[d.getMonth()]!,
  c: (d) => format('%a %b %e %H:%M:%S %Y', d),
  C: (d) => pad(Math.floor(d.getFullYear() / 100)),
  d: (d) => pad(d.getDate()),
  D: (d) => format('%m/%d/%y', d),
  e: (d) => pad(d.getDate(), 2, ' '),
  F: (d) => format('%Y-%m-%d', d),
  H: (d) => pad(d.getHours()),
  I: (d) => pad(d.getHours() % 12 || 12),
  j: (d) => pad(dayOfYear(d), 3),
  k: (d) => pad(d.getHours(), 2, ' '),
  l: (d) => pad(d.getHours() % 12 || 12, 2, ' '),
  m: (d) => pad(d.getMonth() + 1),
  M: (d) => pad(d.getMinutes()),
  n: () => '\n',
  p: (d) => (d.getHours() < 12 ? 'AM' : 'PM'),
  r: (d) => format('%I:%M:%S %p', d),
  R: (d) => format('%H:%M', d),
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  S: (d) => pad(d.getSeconds()),
  t: () => '\t',
  T: (d) => format('%H:%M:%S', d),
  u: (d) => String(d.getDay() || 7),
  w: (d) => String(d.getDay()),
  x: (d) => format('%m/%d/%y', d),
  X: (d) => format('%H:%M:%S', d),
  y: (d) => pad(d.getFullYear() % 100),
  Y: (d) => String(d.getFullYear()),
  z: offset,
  Z: (d) =>
    new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
      .formatToParts(d)
      .find((part) => part.type === 'timeZoneName')?.value ?? '',
  '%': () => '%',
};

export function format(pattern: string, date: Date): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch !== '%' || i + 1 >= pattern.length) {
      out += ch;
      continue;
    }
    const conversion = conversions[pattern[++i]!];
    out += conversion ? conversion(date) : `%${pattern[i]}`;
  }
  return out;
}
