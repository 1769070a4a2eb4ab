/**
 * midge's plugin API: the types a plugin is written against, and the
 * registry of plugins built into midge. Loading and running plugins is
 * done by ./loader.ts and ./host.ts, driven by src/security.
 */
export {
  builtinName,
  builtinPlugin,
  builtinPluginNames,
  registerBuiltinPlugin,
} from './builtin.js';
export type * from './types.js';
export { definePlugin } from './types.js';
