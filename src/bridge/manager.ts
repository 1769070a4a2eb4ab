/**
 * All the bridges of a broker: started together, stopped together, and
 * replaced on a configuration reload according to each one's
 * `bridge_reload_type` (Mosquitto 2.1): `immediate` restarts a changed
 * bridge at once, `lazy` (the default) when its connection next goes down.
 * A bridge whose settings did not change is left alone.
 *
 * @example
 * const bridges = new BridgeManager(broker, config.bridges, logger);
 * await bridges.start();
 * // on SIGHUP, with the new config:
 * await bridges.reload(newConfig.bridges);
 * // at shutdown:
 * await bridges.stop();
 */
import { isDeepStrictEqual } from 'node:util';
import type { Broker } from '../broker/index.js';
import type { BridgeConfig } from '../config/types.js';
import { type Logger, LogType } from '../log/log-types.js';
import { Bridge, type BridgeContext } from './bridge.js';
import { checkBridge } from './checks.js';

export interface BridgeManagerOptions {
  /** DNS servers for SRV addresses ('ip' or 'ip:port'); default the system's. */
  dnsServers?: string[];
  /** Log "Client <id> closed its connection." lines; default true. */
  connectionMessages?: boolean;
  /** For tests: how often a bridge on a secondary address checks the main one. */
  primaryProbeMs?: number;
}

export class BridgeManager {
  readonly #context: BridgeContext;
  readonly #bridges = new Map<string, Bridge>();
  /** Settings waiting for a lazy bridge's connection to drop. */
  readonly #pending = new Map<string, BridgeConfig>();
  #configs: readonly BridgeConfig[];

  constructor(
    broker: Broker,
    bridges: readonly BridgeConfig[],
    log: Logger,
    options: BridgeManagerOptions = {},
  ) {
    this.#context = { broker, log, ...options };
    this.#configs = bridges;
  }

  /** The running bridges, by connection name. */
  get bridges(): ReadonlyMap<string, Bridge> {
    return this.#bridges;
  }

  /**
   * Starts every bridge. A bridge that cannot start (bad settings, or the
   * local broker refuses its session) is logged and left out.
   */
  async start(): Promise<void> {
    for (const config of this.#configs) await this.#startOne(config);
  }

  async stop(): Promise<void> {
    const bridges = [...this.#bridges.values()];
    this.#bridges.clear();
    await Promise.all(bridges.map((b) => b.stop()));
  }

  /** Applies a new list of bridges (SIGHUP). */
  async reload(configs: readonly BridgeConfig[]): Promise<void> {
    this.#configs = configs;
    const names = new Set(configs.map((c) => c.name));
    for (const [name, bridge] of this.#bridges) {
      if (names.has(name)) continue;
      this.#bridges.delete(name);
      this.#pending.delete(name);
      await bridge.stop(true);
    }
    for (const config of configs) {
      const running = this.#bridges.get(config.name);
      const { errors } = checkBridge(config);
      if (running !== undefined && errors.length > 0) {
        // A bad new version of a running bridge keeps the running one.
        this.#error(`Unable to reload bridge ${config.name}: ${errors.join('; ')}`);
        continue;
      }
      if (running === undefined) await this.#startOne(config);
      else if (!sameSettings(running.config, config)) this.#replace(running, config);
      else this.#pending.delete(config.name);
    }
  }

  #replace(running: Bridge, config: BridgeConfig): void {
    const name = config.name;
    const waiting = this.#pending.has(name);
    this.#pending.set(name, config);
    const up = (state: string) => state === 'connected' || state === 'connecting';
    if (config.reloadType === 'immediate' || !up(running.state)) {
      void this.#swap(running);
      return;
    }
    // lazy: let the connection run until it goes down on its own.
    if (waiting) return;
    running.watch((state) => {
      if (up(state)) return false;
      void this.#swap(running);
      return true;
    });
  }

  /** Replaces a bridge by one with its newest pending settings. */
  async #swap(running: Bridge): Promise<void> {
    const name = running.name;
    const config = this.#pending.get(name);
    // Gone, or reloaded back to its running settings meanwhile.
    if (this.#bridges.get(name) !== running || config === undefined) return;
    this.#pending.delete(name);
    this.#bridges.delete(name);
    await running.stop();
    await this.#startOne(config);
  }

  async #startOne(config: BridgeConfig): Promise<void> {
    const log = this.#context.log;
    if (log.mask & LogType.Warning) {
      for (const w of checkBridge(config).warnings) {
        log.write(LogType.Warning, `Warning: ${w}.`);
      }
    }
    try {
      const bridge = new Bridge(config, this.#context);
      this.#bridges.set(config.name, bridge);
      await bridge.start();
    } catch (error) {
      this.#bridges.delete(config.name);
      const reason = error instanceof Error ? error.message : String(error);
      this.#error(`Unable to start bridge ${config.name}: ${reason}`);
    }
  }

  #error(text: string): void {
    const log = this.#context.log;
    if (log.mask & LogType.Error) log.write(LogType.Error, `Error: ${text}.`);
  }
}

/** True if two configs of a bridge differ at most in where they were read. */
function sameSettings(a: BridgeConfig, b: BridgeConfig): boolean {
  return isDeepStrictEqual(withoutSources(a), withoutSources(b));
}

function withoutSources(c: BridgeConfig): object {
  return { ...c, source: null, topics: c.topics.map((t) => ({ ...t, source: null })) };
}
