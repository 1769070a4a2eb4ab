/**
 * What midge_sub and midge_rr print for one message: the -F format if
 * given, else `topic payload` with -v, else the payload. As with
 * mosquitto_sub, an empty payload prints nothing at all without -v, and
 * `topic (null)` with -v (nothing with -v -N).
 */
import type { Clock } from './clock.js';
import { formatMessage } from './formatter.js';
import type { OutputMessage } from './message.js';

export interface PrintOptions {
  format?: string;
  verbose: boolean;
  /** False with -N. */
  eol: boolean;
  pretty: boolean;
  /** --random-filter, out of 10000 as Mosquitto keeps it (10000 = all). */
  randomFilter: number;
  /** 0 <= n < 1; Math.random by default. */
  random?: () => number;
  clock?: Clock;
  onError?: (text: string) => void;
}

const newline = Buffer.from('\n');

function verboseLine(message: OutputMessage, eol: boolean): Buffer | undefined {
  if (message.payload.length === 0) {
    return eol ? Buffer.from(`${message.topic} (null)\n`) : undefined;
  }
  const parts = [Buffer.from(`${message.topic} `), message.payload];
  if (eol) parts.push(newline);
  return Buffer.concat(parts);
}

/** The bytes to write for `message`, or undefined if nothing is printed. */
export function printMessage(
  message: OutputMessage,
  options: PrintOptions,
): Buffer | undefined {
  if (options.randomFilter < 10000) {
    const draw = Math.floor((options.random ?? Math.random)() * 10000);
    if (draw >= options.randomFilter) return undefined;
  }
  if (options.format !== undefined) {
    return formatMessage(options.format, message, {
      eol: options.eol,
      pretty: options.pretty,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }
  if (options.verbose) return verboseLine(message, options.eol);
  if (message.payload.length === 0) return undefined;
  return options.eol ? Buffer.concat([message.payload, newline]) : message.payload;
}
