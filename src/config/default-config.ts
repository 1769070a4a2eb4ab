/**
 * The configuration midge runs with when started without -c: Mosquitto's
 * defaults, one listener on port 1883 of the loopback addresses, and
 * anonymous clients allowed.
 */
import { ParseContext } from './context.js';
import { createConfig } from './defaults.js';
import { finishConfig } from './finish.js';
import type { Config } from './types.js';

export function defaultConfig(): Config {
  const ctx = new ParseContext(createConfig(null));
  finishConfig(ctx);
  return ctx.config;
}
