/**
 * Walks an argument list (the command line, or one line of the options
 * file) through the option table, left to right as Mosquitto does: the
 * first bad option stops the walk with that option's message.
 */
import type { ClientConfig } from './config.js';
import { fail } from './errors.js';
import type { OptionSpec } from './option-spec.js';
import { connectionOptions } from './options-connection.js';
import { tlsOptions } from './options-tls.js';
import { toolOptions } from './options-tools.js';

/** Every option of the three tools, the single source the help text checks against. */
export const optionTable: readonly OptionSpec[] = [
  ...connectionOptions,
  ...tlsOptions,
  ...toolOptions,
];

const byName = new Map<string, OptionSpec>();
for (const spec of optionTable) {
  for (const name of spec.names) byName.set(name, spec);
}

export type ParseStop = 'help' | 'version' | undefined;

function unknown(arg: string): never {
  fail(`Error: Unknown option '${arg}'.\n`);
}

/** Applies `args` to `cfg`; returns 'help' or 'version' if one was asked for. */
export function parseArgs(cfg: ClientConfig, args: string[]): ParseStop {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const spec = byName.get(arg);
    if (!spec?.tools.includes(cfg.tool)) unknown(arg);
    if (spec.result) return spec.result;
    spec.before?.(cfg);
    if (spec.parse) {
      i = spec.parse(cfg, args, i);
    } else if (spec.missing !== undefined) {
      if (i === args.length - 1) fail(`Error: ${spec.missing}.\n\n`);
      spec.set?.(cfg, args[++i]!);
    } else {
      spec.set?.(cfg, '');
    }
  }
  return undefined;
}
