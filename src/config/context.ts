/**
 * The state of one parse: which listener, bridge and plugin the following
 * lines belong to, and where errors point. Mosquitto keeps the current
 * listener, bridge and plugin per file (an included file starts again at
 * the default listener) but the "security options touched" flag and the
 * log_dest/log_type lists across all files; this mirrors that.
 */
import { createListener, DEFAULT_PORT } from './defaults.js';
import { ConfigError } from './errors.js';
import type {
  BridgeConfig,
  Config,
  Directive,
  ListenerConfig,
  LogDestName,
  LogTypeName,
  PluginConfig,
  SecurityOptions,
  SourcePosition,
} from './types.js';

export type OptionScope = 'global' | 'listener' | 'per-listener' | 'bridge' | 'plugin';

/** What the lines of the file being read currently apply to. */
export interface FileState {
  /** null = the default listener (before the file's first `listener`). */
  listener: ListenerConfig | null;
  bridge: BridgeConfig | null;
  plugin: PluginConfig | null;
}

export class ParseContext {
  readonly config: Config;
  readonly defaultListener: ListenerConfig;
  file = '';
  line = 0;
  /** The option name as written on the current line. */
  option = '';
  /** 0 for the main file, 1 for files from include_dir. */
  level = 0;
  state: FileState = { listener: null, bridge: null, plugin: null };
  /** Set once any security option was used (per_listener_settings must come first). */
  securityTouched = false;
  /** A `port` line was seen (a second one gets a warning). */
  defaultListenerPort = false;
  logDest: LogDestName[] | null = null;
  logType: LogTypeName[] | null = null;
  /** Reads the files of an include_dir folder; installed by the parser. */
  include: (dir: string) => void = () => {};
  /** The directive of the line being read. */
  directive: Directive | null = null;
  readonly #once = new WeakMap<object, Set<string>>();

  constructor(config: Config) {
    this.config = config;
    this.defaultListener = createListener(DEFAULT_PORT, null);
    this.defaultListener.isDefault = true;
  }

  get position(): SourcePosition {
    return { file: this.file, line: this.line };
  }

  readonly fail: (reason: string) => never = (reason) => {
    throw new ConfigError(this.file, this.line, reason);
  };

  warn(message: string): void {
    this.config.warnings.push({ file: this.file, line: this.line, message });
  }

  /** This line's value needs `feature` (e.g. `protocol websockets`). */
  requireFeature(feature: string): void {
    if (this.directive !== null) this.directive.feature = feature;
  }

  listener(): ListenerConfig {
    return this.state.listener ?? this.defaultListener;
  }

  /** Where security options go: the listener with per_listener_settings. */
  security(): SecurityOptions {
    this.securityTouched = true;
    return this.config.perListenerSettings
      ? this.listener().security
      : this.config.security;
  }

  bridge(): BridgeConfig {
    const bridge = this.state.bridge;
    if (bridge === null)
      return this.fail(`${this.option} must follow a "connection" line`);
    return bridge;
  }

  plugin(): PluginConfig {
    const plugin = this.state.plugin;
    if (plugin === null) return this.fail(`${this.option} must follow a "plugin" line`);
    return plugin;
  }

  target(scope: OptionScope): object {
    switch (scope) {
      case 'global':
        return this.config;
      case 'listener':
        return this.listener();
      case 'per-listener':
        return this.security();
      case 'bridge':
        return this.bridge();
      case 'plugin':
        return this.plugin();
    }
  }

  /**
   * Stores a value. With `once`, a second value for the same field of the
   * same object is an error, as Mosquitto refuses duplicate string values.
   */
  store(scope: OptionScope, field: string, value: unknown, once = false): void {
    const target = this.target(scope);
    if (once) {
      const seen = this.#once.get(target) ?? new Set<string>();
      this.#once.set(target, seen);
      if (seen.has(field)) this.fail(`duplicate ${this.option} value`);
      seen.add(field);
    }
    (target as Record<string, unknown>)[field] = value;
  }
}
