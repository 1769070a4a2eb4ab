/**
 * JSON as Mosquitto's dynamic-security plugin reads it. The plugin parses
 * with cJSON, which differs from JSON.parse in ways a client can see:
 *
 * - object keys are looked up case-insensitively, and the first of
 *   duplicate keys wins (`{"Username":"a","username":"b"}` means "a");
 * - a number may have leading zeros (`01`) and anything after the first
 *   complete value is ignored (`{...}xyz` parses);
 * - a string is cut at its first U+0000, as C strings are;
 * - a lone UTF-16 surrogate escape (`"\ud800"`) makes the text invalid;
 * - nesting deeper than 1000 levels makes the text invalid.
 *
 * midge reads requests and the config file with this parser so that every
 * request means exactly what it means to Mosquitto.
 */
import { isUtf8 } from 'node:buffer';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object that keeps its keys in order, duplicates included. */
export class JsonObject {
  readonly entries: Array<[string, JsonValue]> = [];

  /** The first value whose key equals `name` ignoring ASCII case. */
  get(name: string): JsonValue | undefined {
    const wanted = asciiLower(name);
    for (const [key, value] of this.entries) {
      if (key.length === name.length && asciiLower(key) === wanted) return value;
    }
    return undefined;
  }
}

/** Lower case for ASCII letters only, as C's tolower in the C locale. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** cJSON's nesting limit (CJSON_NESTING_LIMIT). */
const MAX_DEPTH = 1000;

class ParseError extends Error {}

const NUMBER_CHARS = /[0-9+\-eE.]*/y;
const QUOTE_OR_ESCAPE = /["\\]/g;
const STRTOD = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;

class Parser {
  #pos = 0;
  #depth = 0;
  constructor(readonly text: string) {}

  parseDocument(): JsonValue {
    if (this.text.charCodeAt(0) === 0xfeff) this.#pos = 1;
    this.#skip();
    return this.#value();
  }

  #fail(): never {
    throw new ParseError();
  }

  /** cJSON skips every byte up to and including the space as blank. */
  #skip(): void {
    while (this.#pos < this.text.length && this.text.charCodeAt(this.#pos) <= 32) {
      this.#pos++;
    }
  }

  #value(): JsonValue {
    const t = this.text;
    const c = t[this.#pos];
    if (t.startsWith('null', this.#pos)) return this.#word(4, null);
    if (t.startsWith('false', this.#pos)) return this.#word(5, false);
    if (t.startsWith('true', this.#pos)) return this.#word(4, true);
    if (c === '"') return this.#string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.#number();
    if (c === '[') return this.#nested(() => this.#array());
    if (c === '{') return this.#nested(() => this.#object());
    return this.#fail();
  }

  #word<T>(length: number, value: T): T {
    this.#pos += length;
    return value;
  }

  #nested<T>(parse: () => T): T {
    if (++this.#depth > MAX_DEPTH) this.#fail();
    const value = parse();
    this.#depth--;
    return value;
  }

  /** cJSON gathers [0-9+-eE.] and lets strtod take the longest number. */
  #number(): number {
    NUMBER_CHARS.lastIndex = this.#pos;
    const rest = NUMBER_CHARS.exec(this.text)![0];
    const num = STRTOD.exec(rest);
    if (!num) this.#fail();
    this.#pos += num[0].length;
    return Number(num[0]);
  }

  #string(): string {
    const t = this.text;
    let out = '';
    let i = this.#pos + 1;
    for (;;) {
      QUOTE_OR_ESCAPE.lastIndex = i;
      const stop = QUOTE_OR_ESCAPE.exec(t);
      if (!stop) this.#fail();
      out += t.slice(i, stop.index);
      i = stop.index;
      if (t[i] === '"') break;
      i = this.#escape(i, (s) => {
        out += s;
      });
    }
    this.#pos = i + 1;
    const nul = out.indexOf('\0');
    return nul < 0 ? out : out.slice(0, nul);
  }

  /** Reads the escape at `i`; returns the index after it. */
  #escape(i: number, emit: (s: string) => void): number {
    const t = this.text;
    const simple: Record<string, string> = {
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      '"': '"',
      '\\': '\\',
      '/': '/',
    };
    const e = t[i + 1];
    if (e === undefined) this.#fail();
    if (e in simple) {
      emit(simple[e]!);
      return i + 2;
    }
    if (e !== 'u') this.#fail();
    const first = this.#hex4(i + 2);
    if (first >= 0xdc00 && first <= 0xdfff) this.#fail();
    if (first < 0xd800 || first > 0xdbff) {
      emit(String.fromCharCode(first));
      return i + 6;
    }
    if (t[i + 6] !== '\\' || t[i + 7] !== 'u') this.#fail();
    const second = this.#hex4(i + 8);
    if (second < 0xdc00 || second > 0xdfff) this.#fail();
    emit(String.fromCharCode(first, second));
    return i + 12;
  }

  #hex4(at: number): number {
    const digits = this.text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.#fail();
    return Number.parseInt(digits, 16);
  }

  #array(): JsonValue[] {
    const out: JsonValue[] = [];
    this.#pos++;
    this.#skip();
    if (this.text[this.#pos] === ']') {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.#skip();
      out.push(this.#value());
      this.#skip();
      const c = this.text[this.#pos++];
      if (c === ']') return out;
      if (c !== ',') this.#fail();
    }
  }

  #object(): JsonObject {
    const out = new JsonObject();
    this.#pos++;
    this.#skip();
    if (this.text[this.#pos] === '}') {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.#skip();
      if (this.text[this.#pos] !== '"') this.#fail();
      const key = this.#string();
      this.#skip();
      if (this.text[this.#pos++] !== ':') this.#fail();
      this.#skip();
      out.entries.push([key, this.#value()]);
      this.#skip();
      const c = this.text[this.#pos++];
      if (c === '}') return out;
      if (c !== ',') this.#fail();
    }
  }
}

/** Parses as cJSON does; undefined if cJSON would refuse the text. */
export function parseJson(text: string): JsonValue | undefined {
  try {
    return new Parser(text).parseDocument();
  } catch (error) {
    if (error instanceof ParseError) return undefined;
    throw error;
  }
}

/**
 * Bytes to text for {@link parseJson}. cJSON keeps bytes that are not
 * UTF-8 as they are, and Mosquitto then refuses names holding them as "not
 * valid UTF-8"; here each such byte becomes U+FFFF, a character Mosquitto's
 * UTF-8 check refuses too, so the same names are refused.
 */
export function decodePayload(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let out = '';
  let start = 0;
  while (start < bytes.length) {
    const end = validPrefix(bytes, start);
    out += decoder.decode(bytes.subarray(start, end));
    if (end < bytes.length) out += '\uffff';
    start = end + 1;
  }
  return out;
}

/** The end of the well-formed UTF-8 run that starts at `start`. */
function validPrefix(bytes: Buffer, start: number): number {
  let i = start;
  while (i < bytes.length) {
    const n = sequenceLength(bytes, i);
    if (n === 0) return i;
    i += n;
  }
  return i;
}

/** Length of the well-formed sequence at `i`, 0 if there is none. */
function sequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

/** cJSON's `valueint`: the number saturated to a C int, truncated. */
export function cInt(n: number): number {
  if (n >= INT_MAX) return INT_MAX;
  if (n <= INT_MIN) return INT_MIN;
  return Math.trunc(n);
}

/**
 * A field read as the plugin's json_get_* helpers read it: `ok` is false if
 * the field has the wrong type, or is missing and not optional. A value of
 * the wrong type still leaves `value` at the default, as in Mosquitto.
 */
export interface Field<T> {
  ok: boolean;
  value: T;
}

export function getString(
  obj: JsonObject,
  name: string,
  optional: boolean,
): Field<string | undefined> {
  const v = obj.get(name);
  if (v === undefined) return { ok: optional, value: undefined };
  return typeof v === 'string' ? { ok: true, value: v } : { ok: false, value: undefined };
}

export function getInt(obj: JsonObject, name: string, fallback: number): Field<number> {
  const v = obj.get(name);
  if (v === undefined) return { ok: true, value: fallback };
  return typeof v === 'number'
    ? { ok: true, value: cInt(v) }
    : { ok: false, value: fallback };
}

export function getBool(
  obj: JsonObject,
  name: string,
  fallback: boolean,
): Field<boolean> {
  const v = obj.get(name);
  if (v === undefined) return { ok: true, value: fallback };
  return typeof v === 'boolean' ? { ok: true, value: v } : { ok: false, value: fallback };
}

/** The value if it is an object, else undefined. */
export function asObject(v: JsonValue | undefined): JsonObject | undefined {
  return v instanceof JsonObject ? v : undefined;
}
