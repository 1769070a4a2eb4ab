/**
 * The one options module of midge_pub, midge_sub and midge_rr: option
 * table, parser, options file, help text, -L and --proxy URLs, -D
 * properties, and the checks Mosquitto makes on the whole set.
 */
export * from './config.js';
export { OptionError } from './errors.js';
export { helpEntry, helpFlags, helpText, toolName, versionLine } from './help-text.js';
export { type LoadResult, loadConfig } from './load-config.js';
export { optionsFilePath, readOptionsFile } from './options-file.js';
export { optionTable, parseArgs } from './parse-args.js';
