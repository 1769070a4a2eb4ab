/**
 * Reads a payload as JSON the way cJSON does for mosquitto_sub's %J, so
 * the same payloads are accepted and refused: any byte up to 0x20 counts
 * as white space, a UTF-8 byte order mark may lead, numbers are whatever
 * strtod makes of a run of "0-9 + - e E ." (so "01" and "1." pass),
 * strings may hold raw control bytes, and nesting stops at 1000 levels.
 * A zero byte ends the text, so a payload with one inside is refused.
 */
import type { JsonValue } from './json-value.js';

const nestingLimit = 1000;
const numberChars = /^[0-9+\-eE.]{1,63}/;
const strtodPrefix = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;

class Reader {
  #pos = 0;
  #depth = 0;

  constructor(readonly buf: Buffer) {}

  get pos(): number {
    return this.#pos;
  }

  skipSpace(): void {
    while (this.#pos < this.buf.length && this.buf[this.#pos]! <= 0x20) this.#pos++;
  }

  startsWith(text: string): boolean {
    return this.buf.toString('latin1', this.#pos, this.#pos + text.length) === text;
  }

  value(): JsonValue | undefined {
    const b = this.buf[this.#pos];
    if (this.startsWith('null')) return this.#literal(4, { type: 'null' });
    if (this.startsWith('false')) return this.#literal(5, { type: 'bool', value: false });
    if (this.startsWith('true')) return this.#literal(4, { type: 'bool', value: true });
    if (b === 0x22) return this.string();
    if (b === 0x2d || (b !== undefined && b >= 0x30 && b <= 0x39)) return this.number();
    if (b === 0x5b) return this.nested(() => this.array());
    if (b === 0x7b) return this.nested(() => this.object());
    return undefined;
  }

  #literal(length: number, value: JsonValue): JsonValue {
    this.#pos += length;
    return value;
  }

  number(): JsonValue | undefined {
    const run = numberChars.exec(this.buf.toString('latin1', this.#pos, this.#pos + 63));
    const prefix = run ? strtodPrefix.exec(run[0]) : null;
    if (!prefix) return undefined;
    this.#pos += prefix[0].length;
    return { type: 'number', value: Number(prefix[0]) };
  }

  nested(read: () => JsonValue | undefined): JsonValue | undefined {
    if (this.#depth >= nestingLimit) return undefined;
    this.#depth++;
    const value = read();
    this.#depth--;
    return value;
  }

  array(): JsonValue | undefined {
    this.#pos++;
    this.skipSpace();
    const items: JsonValue[] = [];
    if (this.buf[this.#pos] === 0x5d) {
      this.#pos++;
      return { type: 'array', items };
    }
    do {
      this.#pos += items.length === 0 ? 0 : 1;
      this.skipSpace();
      const item = this.value();
      if (!item) return undefined;
      items.push(item);
      this.skipSpace();
    } while (this.buf[this.#pos] === 0x2c);
    if (this.buf[this.#pos] !== 0x5d) return undefined;
    this.#pos++;
    return { type: 'array', items };
  }

  object(): JsonValue | undefined {
    this.#pos++;
    this.skipSpace();
    const entries: Array<[Buffer, JsonValue]> = [];
    if (this.buf[this.#pos] === 0x7d) {
      this.#pos++;
      return { type: 'object', entries };
    }
    do {
      this.#pos += entries.length === 0 ? 0 : 1;
      this.skipSpace();
      const key = this.buf[this.#pos] === 0x22 ? this.string() : undefined;
      if (key?.type !== 'string') return undefined;
      this.skipSpace();
      if (this.buf[this.#pos] !== 0x3a) return undefined;
      this.#pos++;
      this.skipSpace();
      const item = this.value();
      if (!item) return undefined;
      entries.push([key.value, item]);
      this.skipSpace();
    } while (this.buf[this.#pos] === 0x2c);
    if (this.buf[this.#pos] !== 0x7d) return undefined;
    this.#pos++;
    return { type: 'object', entries };
  }

  string(): JsonValue | undefined {
    const end = this.#closingQuote();
    if (end < 0) return undefined;
    const out: number[] = [];
    let i = this.#pos + 1;
    while (i < end) {
      const b = this.buf[i]!;
      if (b !== 0x5c) {
        out.push(b);
        i++;
        continue;
      }
      const used = this.#escape(i, end, out);
      if (used === 0) return undefined;
      i += used;
    }
    this.#pos = end + 1;
    // cJSON keeps strings NUL-terminated: a \u0000 ends the string.
    const bytes = Buffer.from(out);
    const nul = bytes.indexOf(0);
    return { type: 'string', value: nul < 0 ? bytes : bytes.subarray(0, nul) };
  }

  #closingQuote(): number {
    let i = this.#pos + 1;
    while (i < this.buf.length && this.buf[i] !== 0x22) {
      if (this.buf[i] === 0x5c) {
        if (i + 1 >= this.buf.length) return -1;
        i++;
      }
      i++;
    }
    return i < this.buf.length ? i : -1;
  }

  /** Decodes the escape at `i` into `out`; returns its length, 0 if invalid. */
  #escape(i: number, end: number, out: number[]): number {
    const simple: Record<number, number> = {
      98: 0x08,
      102: 0x0c,
      110: 0x0a,
      114: 0x0d,
      116: 0x09,
      34: 0x22,
      92: 0x5c,
      47: 0x2f,
    };
    const code = this.buf[i + 1]!;
    if (simple[code] !== undefined) {
      out.push(simple[code]);
      return 2;
    }
    if (code !== 0x75) return 0;
    return this.#unicode(i, end, out);
  }

  #hex4(at: number): number {
    let value = 0;
    for (let k = 0; k < 4; k++) {
      const digit = Number.parseInt(String.fromCharCode(this.buf[at + k]!), 16);
      // cJSON reads a bad digit as the whole value being 0.
      if (Number.isNaN(digit)) return 0;
      value = value * 16 + digit;
    }
    return value;
  }

  #unicode(i: number, end: number, out: number[]): number {
    if (end - i < 6) return 0;
    const first = this.#hex4(i + 2);
    if (first >= 0xdc00 && first <= 0xdfff) return 0;
    if (first < 0xd800 || first > 0xdbff) {
      out.push(...Buffer.from(String.fromCodePoint(first), 'utf8'));
      return 6;
    }
    const second = i + 6;
    if (end - second < 6) return 0;
    if (this.buf[second] !== 0x5c || this.buf[second + 1] !== 0x75) return 0;
    const low = this.#hex4(second + 2);
    if (low < 0xdc00 || low > 0xdfff) return 0;
    const codePoint = 0x10000 + (((first & 0x3ff) << 10) | (low & 0x3ff));
    out.push(...Buffer.from(String.fromCodePoint(codePoint), 'utf8'));
    return 12;
  }
}

/** The payload as cJSON reads it; undefined where mosquitto_sub says "not valid JSON". */
export function parseJsonPayload(payload: Buffer): JsonValue | undefined {
  // cJSON reads a C string: it would stop at a zero byte, short of the end.
  if (payload.includes(0)) return undefined;
  const bom = payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf;
  const reader = new Reader(payload.subarray(bom ? 3 : 0));
  reader.skipSpace();
  const value = reader.value();
  if (!value) return undefined;
  reader.skipSpace();
  return reader.pos === reader.buf.length ? value : undefined;
}
