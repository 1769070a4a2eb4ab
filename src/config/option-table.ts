/**
 * The one list of every mosquitto.conf option midge knows: Mosquitto 2.0's
 * and the 2.1 additions. Parsing, the "not supported yet" check and
 * docs/configuration.md all come from these rows.
 */

import { bridgeOptions } from './options-bridge.js';
import { generalOptions, persistenceOptions } from './options-general.js';
import { listenerOptions } from './options-listener.js';
import { loggingOptions } from './options-logging.js';
import { securityOptions } from './options-security.js';
import { tlsOptions } from './options-tls.js';
import { customOption, type OptionSpec } from './spec.js';

const includeDir = customOption(
  'include_dir',
  'path',
  {
    scope: 'global',
    reload: true,
    default: 'none',
    summary: 'read every `*.conf` in this folder, in sorted order (main file only)',
  },
  (ctx, words) => {
    // Mosquitto keeps the value as written, so trailing blanks make it fail.
    const dir = words.rest();
    if (dir === '') ctx.fail('missing value for include_dir');
    ctx.include(dir);
  },
);

/** The table in the sections docs/configuration.md shows. */
export const OPTION_SECTIONS: ReadonlyArray<{
  title: string;
  rows: readonly OptionSpec[];
}> = [
  { title: 'General', rows: [...generalOptions, includeDir] },
  { title: 'Listeners', rows: listenerOptions },
  { title: 'TLS, PSK and websockets listeners', rows: tlsOptions },
  { title: 'Persistence', rows: persistenceOptions },
  { title: 'Logging', rows: loggingOptions },
  { title: 'Security', rows: securityOptions },
  { title: 'Bridges', rows: bridgeOptions },
];

export const OPTION_TABLE: readonly OptionSpec[] = OPTION_SECTIONS.flatMap((s) => s.rows);

/** Options Mosquitto once had and now refuses, with the reason. */
export const REMOVED_OPTIONS: ReadonlyMap<string, string> = new Map([
  [
    'store_clean_interval',
    'store_clean_interval was removed from Mosquitto and is refused',
  ],
]);

const byName = new Map<string, OptionSpec>();
const prefixed: OptionSpec[] = [];
for (const spec of OPTION_TABLE) {
  if (spec.prefix) prefixed.push(spec);
  for (const name of [spec.name, ...spec.aliases]) {
    if (spec.prefix) continue;
    if (byName.has(name)) throw new Error(`option ${name} is in the table twice`);
    byName.set(name, spec);
  }
}

/** The row for an option name as written (aliases and plugin_opt_* included). */
export function findOption(name: string): OptionSpec | undefined {
  const exact = byName.get(name);
  if (exact !== undefined) return exact;
  return prefixed.find((spec) =>
    [spec.name, ...spec.aliases].some((p) => name.startsWith(p.replace(/\*$/, ''))),
  );
}
