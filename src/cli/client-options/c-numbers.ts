/**
 * Number parsing as C's atoi, atol, atof and strtol do it on glibc.
 * Mosquitto's tools read every numeric option with these, so "-q x" means
 * QoS 0, "-p 99999999999" reports port 1215752191 and "-x 0x10" is 16.
 * Matching them is what makes midge's error messages identical.
 */

const longMax = 2n ** 63n - 1n;
const longMin = -(2n ** 63n);

function isCSpace(ch: string | undefined): boolean {
  return ch === ' ' || (ch !== undefined && ch >= '\t' && ch <= '\r');
}

function skipSpace(s: string, i = 0): number {
  while (isCSpace(s[i])) i++;
  return i;
}

interface StrtolResult {
  value: bigint;
  /** Index after the last character used; 0 if no number was read. */
  end: number;
}

function digitValue(ch: string): number {
  const c = ch.toLowerCase();
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 87;
  return 99;
}

/** strtol(s, &end, base) with base 10 or 0 (0x hex, 0 octal), saturating. */
export function strtol(s: string, base: 0 | 10 = 10): StrtolResult {
  let i = skipSpace(s);
  let negative = false;
  if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
  let radix: number = base === 0 ? 10 : base;
  if (base === 0 && s[i] === '0') {
    const hex = (s[i + 1] === 'x' || s[i + 1] === 'X') && digitValue(s[i + 2] ?? '') < 16;
    radix = hex ? 16 : 8;
    if (hex) i += 2;
  }
  const start = i;
  let value = 0n;
  while (i < s.length && digitValue(s[i]!) < radix) {
    value = value * BigInt(radix) + BigInt(digitValue(s[i]!));
    i++;
  }
  if (i === start) return { value: 0n, end: 0 };
  if (negative) value = -value;
  if (value > longMax) value = longMax;
  if (value < longMin) value = longMin;
  return { value, end: i };
}

/** atol(): strtol base 10, as a long (64 bits). */
export function atol(s: string): bigint {
  return strtol(s).value;
}

/** atoi(): glibc's (int)strtol, so large values wrap to 32 bits. */
export function atoi(s: string): number {
  return Number(BigInt.asIntN(32, strtol(s).value));
}

const decimalPrefix = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const specialPrefix = /^([+-]?)(inf(?:inity)?|nan)/i;

/**
 * atof(): the longest prefix strtod accepts, 0 if none.
 * LIMIT(compat): hexadecimal floats ("0x1p3") read as 0, as nobody types
 * them for a QoS or a delay.
 */
export function atof(s: string): number {
  const rest = s.slice(skipSpace(s));
  const special = specialPrefix.exec(rest);
  if (special) {
    const sign = special[1] === '-' ? -1 : 1;
    return special[2]!.toLowerCase() === 'nan' ? Number.NaN : sign * Infinity;
  }
  const match = decimalPrefix.exec(rest);
  return match ? Number(match[0]) : 0;
}
