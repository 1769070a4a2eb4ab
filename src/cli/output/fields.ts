/**
 * Field printing with flags, width and precision, as mosquitto_sub does
 * it. Widths count bytes, as C's printf does. Two of Mosquitto's rules
 * are not printf's and are kept: a width on %p, %x or %X also cuts the
 * payload to that many bytes (half as many for hex, so "%4x" of "abc"
 * prints "6162"), and a missing property prints `width` pad characters.
 */
import type { ByteSink } from './byte-sink.js';

export interface FieldSpec {
  /** '-' to align left. */
  align: '' | '-';
  /** '0' to pad numbers with zeros. */
  pad: ' ' | '0';
  width: number;
  /** -1 when not given. */
  precision: number;
}

export const plainField: FieldSpec = { align: '', pad: ' ', width: 0, precision: -1 };

/** printf("%d" / "%-*d" / "%0*d" / "%*d"). */
export function printInt(out: ByteSink, value: number, f: FieldSpec): void {
  const text = String(value);
  if (f.width === 0 || text.length >= f.width) {
    out.text(text);
  } else if (f.align === '-') {
    out.text(text.padEnd(f.width, ' '));
  } else if (f.pad === '0') {
    const digits = value < 0 ? text.slice(1) : text;
    const sign = value < 0 ? '-' : '';
    out.text(sign + digits.padStart(f.width - sign.length, '0'));
  } else {
    out.text(text.padStart(f.width, ' '));
  }
}

/** printf("%-*.*s") and friends on the UTF-8 bytes of `value`. */
export function printString(out: ByteSink, value: string | Buffer, f: FieldSpec): void {
  let bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (f.precision >= 0 && bytes.length > f.precision) {
    bytes = bytes.subarray(0, f.precision);
  }
  const padding = f.width - bytes.length;
  if (f.align !== '-') out.repeat(' ', padding);
  out.bytes(bytes);
  if (f.align === '-') out.repeat(' ', padding);
}

/** `width` pad characters, for a property the message does not carry. */
export function printBlank(out: ByteSink, pad: string, width: number): void {
  out.repeat(pad, width);
}

export type PayloadStyle = 'raw' | 'hex' | 'HEX';

/** Mosquitto's write_payload(): %p, %x, %X. */
export function printPayload(
  out: ByteSink,
  payload: Buffer,
  style: PayloadStyle,
  f: FieldSpec,
): void {
  let length = payload.length;
  let padding = f.width - length;
  if (f.width > 0) {
    length = Math.min(length, f.width);
    if (style !== 'raw') length = Math.floor(length / 2);
    padding = f.width - (style === 'raw' ? length : length * 2);
  }
  if (f.align !== '-') out.repeat(f.pad, padding);
  const bytes = payload.subarray(0, length);
  if (style === 'raw') out.bytes(bytes);
  else if (style === 'hex') out.text(bytes.toString('hex'));
  else out.text(bytes.toString('hex').toUpperCase());
  if (f.align === '-') out.repeat(' ', padding);
}
