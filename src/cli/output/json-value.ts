/**
 * JSON values as cJSON holds them, and cJSON's way of printing them, which
 * mosquitto_sub's %j and %J output is made of: key order as inserted,
 * duplicate keys kept, strings as NUL-terminated bytes (so a string stops
 * at its first zero byte), numbers through printf's %g, and --pretty as
 * cJSON_Print lays it out (tabs, "key":<tab>value, arrays on one line).
 */

export type JsonValue =
  | { type: 'null' }
  | { type: 'bool'; value: boolean }
  | { type: 'number'; value: number }
  | { type: 'string'; value: Buffer }
  | { type: 'array'; items: JsonValue[] }
  | { type: 'object'; entries: Array<[Buffer, JsonValue]> };

/** A C string of the bytes: everything before the first zero byte. */
export function cString(bytes: Buffer | string): Buffer {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const nul = buf.indexOf(0);
  return nul < 0 ? buf : buf.subarray(0, nul);
}

export const jsonNull: JsonValue = { type: 'null' };

export function jsonString(bytes: Buffer | string): JsonValue {
  return { type: 'string', value: cString(bytes) };
}

export function jsonNumber(value: number): JsonValue {
  return { type: 'number', value };
}

export function jsonObject(entries: Array<[string, JsonValue]>): JsonValue {
  return { type: 'object', entries: entries.map(([k, v]) => [cString(k), v]) };
}

/** printf("%1.<precision>g", value) for a finite number. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const exponential = value.toExponential(precision - 1);
  const [mantissa, exp] = exponential.split('e') as [string, string];
  const x = Number(exp);
  if (x < -4 || x >= precision) {
    const digits = trimZeros(mantissa);
    const sign = x < 0 ? '-' : '+';
    return `${digits}e${sign}${String(Math.abs(x)).padStart(2, '0')}`;
  }
  return trimZeros(value.toFixed(precision - 1 - x));
}

function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** cJSON's number text: 15 significant digits if they read back, else 17. */
export function cJsonNumber(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  const short = formatG(value, 15);
  const back = Number(short);
  const scale = Math.max(Math.abs(back), Math.abs(value));
  return Math.abs(back - value) <= scale * Number.EPSILON ? short : formatG(value, 17);
}

const escapes: Record<number, string> = {
  34: '\\"',
  92: '\\\\',
  8: '\\b',
  12: '\\f',
  10: '\\n',
  13: '\\r',
  9: '\\t',
};

/** A quoted string: '"', '\' and bytes below 0x20 escaped, the rest as is. */
function quote(bytes: Buffer, out: Buffer[]): void {
  let start = 0;
  const parts: Buffer[] = [Buffer.from('"')];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x20 && b !== 0x22 && b !== 0x5c) continue;
    parts.push(bytes.subarray(start, i));
    const escaped = escapes[b] ?? `\\u${b.toString(16).padStart(4, '0')}`;
    parts.push(Buffer.from(escaped));
    start = i + 1;
  }
  parts.push(bytes.subarray(start), Buffer.from('"'));
  out.push(...parts);
}

class Printer {
  readonly out: Buffer[] = [];
  #depth = 0;

  constructor(readonly pretty: boolean) {}

  text(s: string): void {
    this.out.push(Buffer.from(s));
  }

  value(v: JsonValue): void {
    switch (v.type) {
      case 'null':
        this.text('null');
        break;
      case 'bool':
        this.text(v.value ? 'true' : 'false');
        break;
      case 'number':
        this.text(cJsonNumber(v.value));
        break;
      case 'string':
        quote(v.value, this.out);
        break;
      case 'array':
        this.array(v.items);
        break;
      case 'object':
        this.object(v.entries);
        break;
    }
  }

  array(items: JsonValue[]): void {
    this.text('[');
    this.#depth++;
    items.forEach((item, i) => {
      if (i > 0) this.text(this.pretty ? ', ' : ',');
      this.value(item);
    });
    this.#depth--;
    this.text(']');
  }

  object(entries: Array<[Buffer, JsonValue]>): void {
    this.text(this.pretty ? '{\n' : '{');
    this.#depth++;
    entries.forEach(([key, item], i) => {
      if (this.pretty) this.text('\t'.repeat(this.#depth));
      quote(key, this.out);
      this.text(this.pretty ? ':\t' : ':');
      this.value(item);
      if (i < entries.length - 1) this.text(',');
      if (this.pretty) this.text('\n');
    });
    if (this.pretty) this.text('\t'.repeat(this.#depth - 1));
    this.#depth--;
    this.text('}');
  }
}

/** cJSON_PrintUnformatted (pretty = false) or cJSON_Print (pretty = true). */
export function printJson(value: JsonValue, pretty: boolean): Buffer {
  const printer = new Printer(pretty);
  printer.value(value);
  return Buffer.concat(printer.out);
}
