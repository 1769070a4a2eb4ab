/**
 * Loading a plugin named by a `plugin` (or `auth_plugin`) line: a built-in
 * (a Mosquitto library name midge replaces, see ./builtin.ts) or a
 * JavaScript or TypeScript module, imported with `import()`. A `.ts`
 * module loads when midge runs under tsx; compiled `.js` always does.
 * A relative path is taken from the working directory, as Mosquitto does.
 *
 * The module's default export is the factory; it gets the plugin's
 * options and what it may do to the broker, and returns the handlers.
 */
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinName, builtinPlugin, builtinPluginNames } from './builtin.js';
import { HostedPlugin, type HostOptions } from './host.js';
import type { MidgePlugin, PluginContext, PluginFactory } from './types.js';

/** A plugin that cannot be loaded; the message says why. */
export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
}

/** Shortest control topic Mosquitto registers. */
const MIN_CONTROL_TOPIC = '$CONTROL/A/v1'.length;
const NATIVE = new Set(['.so', '.dll', '.dylib']);

/** The factory a configured path stands for. */
export async function pluginFactory(path: string): Promise<PluginFactory> {
  const builtin = builtinName(path);
  if (builtin !== undefined) return builtinFactory(builtin);
  if (NATIVE.has(extname(path))) {
    throw new PluginLoadError(
      `${path} is a native Mosquitto plugin; midge loads JavaScript or TypeScript ` +
        'plugins, and of the native ones only those it has built in ' +
        `(${builtinPluginNames().join(', ') || 'none yet'}).`,
    );
  }
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(resolve(path)).href);
  } catch (error) {
    throw new PluginLoadError(`cannot load ${path}: ${(error as Error).message}`);
  }
  if (typeof module.default !== 'function') {
    throw new PluginLoadError(`${path} has no default export that is a function`);
  }
  return module.default as PluginFactory;
}

async function builtinFactory(name: string): Promise<PluginFactory> {
  await import('./builtins.js');
  const factory = builtinPlugin(name);
  if (factory === undefined) {
    throw new PluginLoadError(`midge has no built-in plugin "${name}"`);
  }
  return factory;
}

/** Calls the factory and checks what it returned. */
export async function instantiate(
  factory: PluginFactory,
  context: PluginContext,
  host: Omit<HostOptions, 'name'>,
): Promise<HostedPlugin> {
  let plugin: MidgePlugin;
  try {
    plugin = await factory(context);
  } catch (error) {
    throw new PluginLoadError(`${host.path}: initialisation failed: ${String(error)}`);
  }
  if (plugin === null || typeof plugin !== 'object') {
    throw new PluginLoadError(`${host.path}: the factory returned no plugin object`);
  }
  checkControlTopics(host.path, plugin);
  const name = typeof plugin.name === 'string' ? plugin.name : defaultName(host.path);
  return new HostedPlugin(plugin, { ...host, name });
}

function defaultName(path: string): string {
  const builtin = builtinName(path);
  if (builtin !== undefined) return builtin;
  const base = basename(path);
  return base.slice(0, base.length - extname(base).length) || base;
}

/** The rules Mosquitto applies when a plugin registers a control topic. */
function checkControlTopics(path: string, plugin: MidgePlugin): void {
  const control = plugin.control;
  if (control === undefined) return;
  for (const [topic, handler] of Object.entries(control)) {
    const bad =
      !topic.startsWith('$CONTROL/') ||
      topic.length < MIN_CONTROL_TOPIC ||
      /[+#\0]/.test(topic) ||
      typeof handler !== 'function';
    if (bad) throw new PluginLoadError(`${path}: invalid control topic "${topic}"`);
  }
}
