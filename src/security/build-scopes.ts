/**
 * From a configuration to security scopes: the broker-wide one, or one
 * per listener with per_listener_settings. Plugins are loaded once per
 * `plugin` line (so per listener when the line is in a listener's
 * section, as Mosquitto loads a library once per listener), except that a
 * 2.1 `plugin_load` plugin attached with `plugin_use` is one instance
 * wherever it is used, and `global_plugin` ones serve every scope.
 */
import type { Broker } from '../broker/broker.js';
import type {
  Config,
  ListenerConfig,
  PluginConfig,
  SecurityOptions,
} from '../config/types.js';
import { type Logger, LogType } from '../log/log-types.js';
import { pluginContext } from '../plugins/context.js';
import type { HostedPlugin } from '../plugins/host.js';
import { instantiate, pluginFactory } from '../plugins/loader.js';
import { type FileLoadOptions, loadScopeFiles } from './load-files.js';
import { SecurityScope } from './scope.js';

/** The key of the broker-wide scope. */
export const GLOBAL_SCOPE = 'global';

export interface BuildOptions extends FileLoadOptions {
  broker: Broker;
  log: Logger;
  pluginTimeoutMs: number;
}

/** The name a listener's clients carry (ListenerSettings.name). */
export function listenerKey(listener: ListenerConfig): string {
  // A Unix-socket listener's clients show port 0, as in Mosquitto's logs.
  return listener.unixSocketPath === null ? String(listener.port) : '0';
}

/** allow_anonymous as resolved: true only in local-only mode by default. */
export function allowAnonymousOf(options: SecurityOptions, config: Config): boolean {
  return options.allowAnonymous ?? config.localOnly;
}

/** The (scope key, options) pairs a configuration has, in order. */
export function scopeSources(config: Config): Array<[string, SecurityOptions]> {
  if (!config.perListenerSettings) return [[GLOBAL_SCOPE, config.security]];
  const out: Array<[string, SecurityOptions]> = [[GLOBAL_SCOPE, config.security]];
  for (const listener of config.listeners) {
    out.push([listenerKey(listener), listener.security]);
  }
  return out;
}

export class ScopeBuilder {
  readonly #options: BuildOptions;
  /** One instance per PluginConfig object (plugin_use shares the object). */
  readonly #instances = new Map<PluginConfig, HostedPlugin>();

  constructor(options: BuildOptions) {
    this.#options = options;
  }

  /** Every plugin instance loaded so far, in load order. */
  get plugins(): HostedPlugin[] {
    return [...new Set(this.#instances.values())];
  }

  /**
   * Builds every scope. A key used by two listeners (the same port on two
   * addresses, two Unix sockets) keeps the first listener's settings.
   */
  async build(config: Config): Promise<Map<string, SecurityScope>> {
    const globals = await this.#loadAll(config.globalPlugins, undefined);
    const scopes = new Map<string, SecurityScope>();
    for (const [key, options] of scopeSources(config)) {
      if (scopes.has(key)) {
        this.#warn(`listeners share the name ${key}; the first one's security applies`);
        continue;
      }
      const listener = key === GLOBAL_SCOPE ? undefined : key;
      const own = await this.#loadAll(options.plugins, listener);
      const files = await loadScopeFiles(options, this.#options);
      const anonymous = allowAnonymousOf(options, config);
      scopes.set(key, new SecurityScope(key, anonymous, files, [...globals, ...own]));
    }
    return scopes;
  }

  async #loadAll(
    configs: readonly PluginConfig[],
    listener: string | undefined,
  ): Promise<HostedPlugin[]> {
    const out: HostedPlugin[] = [];
    for (const config of configs) out.push(await this.#load(config, listener));
    return out;
  }

  async #load(config: PluginConfig, listener: string | undefined): Promise<HostedPlugin> {
    const known = this.#instances.get(config);
    if (known !== undefined) return known;
    const { log, broker, pluginTimeoutMs } = this.#options;
    if (log.mask & LogType.Information) {
      log.write(LogType.Information, `Loading plugin: ${config.path}`);
    }
    const factory = await pluginFactory(config.path);
    const context = pluginContext({
      options: config.options,
      listener: config.name === null ? listener : undefined,
      path: config.path,
      broker,
      log,
    });
    const hosted = await instantiate(factory, context, {
      path: config.path,
      denySpecialChars: config.denySpecialChars,
      timeoutMs: pluginTimeoutMs,
      log,
    });
    this.#instances.set(config, hosted);
    return hosted;
  }

  #warn(message: string): void {
    const log = this.#options.log;
    if (log.mask & LogType.Warning) log.write(LogType.Warning, `Warning: ${message}`);
  }
}
