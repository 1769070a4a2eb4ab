/**
 * Plugins built into midge, found by name instead of by file. A config
 * written for Mosquitto names C libraries; the ones midge has its own
 * version of are mapped here by file name, so that
 *
 *   plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so
 *
 * loads midge's dynamic security. A module providing a built-in registers
 * it when imported; ./builtins.ts imports them all.
 *
 * @example
 * registerBuiltinPlugin('dynamic-security', (ctx) => new DynamicSecurity(ctx));
 */
import type { PluginFactory } from './types.js';

const registry = new Map<string, PluginFactory>();

/** Mosquitto library file names (without folder) and their built-in. */
const LIBRARY_NAMES: ReadonlyMap<string, string> = new Map([
  ['mosquitto_dynamic_security.so', 'dynamic-security'],
  ['mosquitto_dynamic_security.dll', 'dynamic-security'],
  ['mosquitto_dynamic_security.dylib', 'dynamic-security'],
]);

/** `plugin builtin:<name>` names a built-in directly. */
const BUILTIN_PREFIX = 'builtin:';

/** Makes a built-in plugin available; a second registration replaces it. */
export function registerBuiltinPlugin(name: string, factory: PluginFactory): void {
  registry.set(name, factory);
}

/** The built-in a configured path stands for, or undefined for a file. */
export function builtinName(path: string): string | undefined {
  if (path.startsWith(BUILTIN_PREFIX)) return path.slice(BUILTIN_PREFIX.length);
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return LIBRARY_NAMES.get(base);
}

export function builtinPlugin(name: string): PluginFactory | undefined {
  return registry.get(name);
}

export function builtinPluginNames(): string[] {
  return [...registry.keys()].sort();
}
