/**
 * mosquitto_sub's -F output language, as a pure function from a format and
 * a message to the bytes to print. `%` codes print message fields with
 * optional flags, width and precision; `@X` prints the strftime field X of
 * the local time (`@N`: nanoseconds, `@@`: '@'); backslash escapes print
 * control characters. The format is assumed to have passed checkFormat.
 *
 * @example formatMessage('%t %p', message) // Buffer "a/b hello\n"
 */

import { conversion, strftime } from '../../log/strftime.js';
import { ByteSink } from './byte-sink.js';
import { type Clock, type Instant, systemClock } from './clock.js';
import {
  type FieldSpec,
  printBlank,
  printInt,
  printPayload,
  printString,
} from './fields.js';
import type { OutputMessage } from './message.js';
import { messageJson } from './message-json.js';

export interface FormatOptions {
  /** Append a newline (default true; -N turns it off). */
  eol?: boolean;
  /** --pretty, for %j and %J. */
  pretty?: boolean;
  clock?: Clock;
  /** Receives error text meant for stderr (a %J payload that is not JSON). */
  onError?: (text: string) => void;
}

const escapes: Record<string, string> = {
  '\\': '\\',
  '0': '\0',
  a: '\x07',
  e: '\x1b',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';

interface Context {
  out: ByteSink;
  message: OutputMessage;
  options: FormatOptions;
  now: () => Instant;
}

/** A 32-bit property value printed through C's int, as Mosquitto does. */
const asCInt = (n: number | undefined) => (n === undefined ? undefined : n | 0);

type CodePrinter = (ctx: Context, f: FieldSpec) => void;

/** An integer property: its value, or `width` pad characters when absent. */
function optionalInt(pick: (ctx: Context) => number | undefined): CodePrinter {
  return (ctx, f) => {
    const value = pick(ctx);
    if (value === undefined) printBlank(ctx.out, f.pad, f.width);
    else printInt(ctx.out, value, f);
  };
}

const props = (ctx: Context) => ctx.message.properties ?? {};

const percentCodes: Record<string, CodePrinter> = {
  '%': (ctx) => ctx.out.text('%'),
  A: optionalInt((ctx) => props(ctx).topicAlias),
  C: (ctx, f) => {
    const type = props(ctx).contentType;
    if (type === undefined) printBlank(ctx.out, ' ', f.width);
    else printString(ctx.out, type, f);
  },
  D: (ctx) => {
    const data = props(ctx).correlationData;
    if (data) ctx.out.bytes(data);
  },
  E: optionalInt((ctx) => asCInt(props(ctx).messageExpiryInterval)),
  F: optionalInt((ctx) => props(ctx).payloadFormatIndicator),
  I: (ctx, f) => printString(ctx.out, strftime('%FT%T%z', ctx.now().date), f),
  j: (ctx) => printJsonField(ctx, false),
  J: (ctx) => printJsonField(ctx, true),
  l: (ctx, f) => printInt(ctx.out, ctx.message.payload.length, f),
  m: (ctx, f) => printInt(ctx.out, ctx.message.mid, f),
  P: (ctx) => {
    const pairs = props(ctx).userProperties ?? [];
    ctx.out.text(pairs.map(([k, v]) => `${k}:${v}`).join(' '));
  },
  p: (ctx, f) => printPayload(ctx.out, ctx.message.payload, 'raw', f),
  q: (ctx) => ctx.out.text(String(ctx.message.qos)),
  R: (ctx, f) => {
    const topic = props(ctx).responseTopic;
    if (topic !== undefined) printString(ctx.out, topic, f);
  },
  r: (ctx) => ctx.out.text(ctx.message.retain ? '1' : '0'),
  S: optionalInt((ctx) => props(ctx).subscriptionIdentifiers?.[0]),
  t: (ctx, f) => printString(ctx.out, ctx.message.topic, f),
  U: (ctx) => {
    const now = ctx.now();
    ctx.out.text(`${now.seconds}.${String(now.nanos).padStart(9, '0')}`);
  },
  x: (ctx, f) => printPayload(ctx.out, ctx.message.payload, 'hex', f),
  X: (ctx, f) => printPayload(ctx.out, ctx.message.payload, 'HEX', f),
};

function printPercent(ctx: Context, code: string, f: FieldSpec): void {
  percentCodes[code]?.(ctx, f);
}

function printJsonField(ctx: Context, raw: boolean): void {
  const json = messageJson(ctx.message, ctx.now(), raw, ctx.options.pretty ?? false);
  if (json) {
    ctx.out.bytes(json);
    return;
  }
  ctx.options.onError?.(
    `Error: Message payload is not valid JSON on topic ${ctx.message.topic}.\n`,
  );
}

/** Reads `%[-][0][width][.precision]` at chars[i] (just after '%'). */
function readSpec(chars: string[], i: number): { spec: FieldSpec; next: number } {
  const spec: FieldSpec = { align: '', pad: ' ', width: 0, precision: -1 };
  const last = chars.length - 1;
  if (chars[i] === '-') {
    spec.align = '-';
    if (i < last) i++;
  }
  if (chars[i] === '0') {
    spec.pad = '0';
    if (i < last) i++;
  }
  while (i < last && isDigit(chars[i])) spec.width = spec.width * 10 + Number(chars[i++]);
  if (chars[i] === '.' && i < last) {
    i++;
    spec.precision = 0;
    while (i < last && isDigit(chars[i])) {
      spec.precision = spec.precision * 10 + Number(chars[i++]);
    }
  }
  return { spec, next: i };
}

function printAt(ctx: Context, code: string): void {
  if (code === '@') ctx.out.text('@');
  else if (code === 'N') ctx.out.text(String(ctx.now().nanos).padStart(9, '0'));
  else ctx.out.text(conversion(code, ctx.now().date));
}

/** The bytes mosquitto_sub prints for `message` under `-F format`. */
export function formatMessage(
  format: string,
  message: OutputMessage,
  options: FormatOptions = {},
): Buffer {
  const clock = options.clock ?? systemClock;
  let instant: Instant | undefined;
  const ctx: Context = {
    out: new ByteSink(),
    message,
    options,
    now: () => {
      instant ??= clock();
      return instant;
    },
  };
  const chars = Array.from(format);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const hasNext = i < chars.length - 1;
    if (ch === '%' && hasNext) {
      const { spec, next } = readSpec(chars, i + 1);
      i = next;
      printPercent(ctx, chars[i]!, spec);
    } else if (ch === '@' && hasNext) {
      printAt(ctx, chars[++i]!);
    } else if (ch === '\\' && hasNext) {
      ctx.out.text(escapes[chars[++i]!] ?? '');
    } else if (ch !== '%' && ch !== '@' && ch !== '\\') {
      ctx.out.text(ch);
    }
  }
  if (options.eol ?? true) ctx.out.text('\n');
  return ctx.out.toBuffer();
}
