/**
 * Checks a -F format before anything connects, with Mosquitto's messages:
 * `%[-|0][width][.precision]code`, `@X` for any X, and the backslash
 * escapes. The codes are those of mosquitto_sub 2.0.
 *
 * LIMIT(compat): for a multi-byte character after '%' or '\', Mosquitto
 * prints its first byte alone; midge prints the whole character.
 */

/** The `%` codes of mosquitto_sub 2.0. */
export const percentCodes = 'ACDEFIlmPpqRSrtjJUxX%';
/** The characters that may follow a backslash. */
export const escapeCodes = '\\0aenrtv';

const incomplete = 'Error: Incomplete format specifier.\n';

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** Index of the code character of the `%` spec at `i`, or an error text. */
function specEnd(format: readonly string[], i: number): number | string {
  const last = format.length - 1;
  if (i === last) return incomplete;
  if (format[i + 1] === '0' || format[i + 1] === '-') {
    i++;
    if (i === last) return incomplete;
  }
  while (isDigit(format[i + 1])) {
    i++;
    if (i === last) return incomplete;
  }
  if (format[i + 1] === '.') {
    i++;
    if (i === last) return incomplete;
    while (isDigit(format[i + 1])) {
      i++;
      if (i === last) return incomplete;
    }
  }
  return i + 1;
}

/** The error text for a bad format, or undefined if it is fine. */
export function checkFormat(format: string): string | undefined {
  const chars = Array.from(format);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '%') {
      const end = specEnd(chars, i);
      if (typeof end === 'string') return end;
      const code = chars[end]!;
      if (!percentCodes.includes(code)) {
        return `Error: Invalid format specifier '${code}'.\n`;
      }
      i = end;
    } else if (ch === '@') {
      if (i === chars.length - 1) return incomplete;
      i++;
    } else if (ch === '\\') {
      if (i === chars.length - 1) return 'Error: Incomplete escape specifier.\n';
      const code = chars[i + 1]!;
      if (!escapeCodes.includes(code)) {
        return `Error: Invalid escape specifier '${code}'.\n`;
      }
      i++;
    }
  }
  return undefined;
}
