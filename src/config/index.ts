/**
 * midge's mosquitto.conf reader and broker command line.
 *
 * @example
 *   const config = loadConfig('/etc/mosquitto/mosquitto.conf');
 *   for (const w of config.warnings) console.warn(`${w.file}:${w.line}: ${w.message}`);
 *   const options = brokerOptions(config);
 */
export {
  bindHosts,
  brokerOptions,
  listenerName,
  listenerSettings,
} from './broker-options.js';
export {
  type CommandLine,
  CommandLineError,
  parseCommandLine,
  usage,
} from './command-line.js';
export { defaultConfig } from './default-config.js';
export { optionReference } from './docs-table.js';
export { ConfigError } from './errors.js';
export { compareIncludeNames } from './include-dir.js';
export { findOption, OPTION_SECTIONS, OPTION_TABLE } from './option-table.js';
export { parseExpiration } from './options-general.js';
export { loadConfig, parseConfig } from './parser.js';
export type { OptionKind, OptionSpec, Support } from './spec.js';
export { FEATURES, type UnsupportedOption, unsupportedOptions } from './support.js';
export type * from './types.js';
