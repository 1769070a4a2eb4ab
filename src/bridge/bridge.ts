/**
 * One bridge: a session on the local broker (LocalSide) and a client of
 * the remote broker, with the Forwarder moving messages between them.
 *
 * The local session lives from start() to stop(); the remote connection
 * comes and goes. Its life, as in Mosquitto:
 *
 *   start -> connecting -> connected -> (lost) -> waiting -> connecting ...
 *
 * `automatic` bridges connect at once and again after every loss, after
 * restart_timeout; `once` bridges try once and stay down after a loss;
 * `lazy` bridges wait ("idle") until `threshold` messages queue up for the
 * remote, and drop the connection after `idle_timeout` seconds without
 * traffic. Each failed attempt or lost connection moves to the next
 * address.
 *
 * State is published, retained, on the notification topic: "0" locally at
 * start, "1" on both brokers once connected, "0" locally when the
 * connection goes, and "0" on the remote through the CONNECT's will.
 */
import { lookup } from 'node:dns/promises';
import type { Broker } from '../broker/index.js';
import {
  ClientSession,
  ConnectionRefusedError,
  type Message,
  type MqttClient,
  type MqttError,
} from '../client/index.js';
import type { BridgeConfig } from '../config/types.js';
import { type Logger, LogType } from '../log/log-types.js';
import { AddressRing, PRIMARY_PROBE_MS, probe } from './addresses.js';
import { checkBridge } from './checks.js';
import { failureReason, refusalLine, refusesBridgeBit } from './connect-failures.js';
import { Forwarder } from './forwarder.js';
import { LocalSide } from './local-side.js';
import { createRemoteClient, setUpRemote } from './remote-link.js';
import {
  protocolVersion,
  type RemoteContext,
  remoteSessionPersists,
  srvDomain,
} from './remote-options.js';
import { RestartDelay } from './restart-delay.js';
import { TopicMap } from './topic-map.js';

export type BridgeState =
  | 'new'
  | 'idle'
  | 'connecting'
  | 'connected'
  | 'waiting'
  | 'finished'
  | 'stopped';

/** What a bridge needs from the broker it runs in. */
export interface BridgeContext {
  broker: Broker;
  log: Logger;
  /** DNS servers for SRV addresses ('ip' or 'ip:port'); default the system's. */
  dnsServers?: string[];
  /** Log "Client <id> closed its connection." lines (connection_messages). */
  connectionMessages?: boolean;
  /** For tests: the random source of the restart backoff. */
  random?: () => number;
  /** For tests: how often a bridge on a secondary address checks the main one. */
  primaryProbeMs?: number;
}

const TICK_MS = 1000;

export class Bridge {
  readonly config: BridgeConfig;
  readonly #ctx: BridgeContext;
  readonly #map: TopicMap;
  readonly #ring: AddressRing;
  readonly #delay: RestartDelay;
  readonly #local: LocalSide;
  readonly #forwarder: Forwarder;
  readonly #localId: string;
  readonly #remoteId: string;
  readonly #version: 3 | 4 | 5;
  readonly #stateTopic: string;
  readonly #watchers = new Set<(state: BridgeState) => void>();
  /**
   * The remote session's in-flight state, shared by the clients of
   * successive connections when that session is persistent; null when
   * each connection starts clean.
   */
  // LIMIT(persistence): this state lives in memory only. After a restart
  // of midge the local session sends what was in flight again, as new
  // messages, so QoS 2 to the remote is at least once across a restart.
  readonly #session: ClientSession | null;
  #state: BridgeState = 'new';
  #client: MqttClient | null = null;
  #connectedAt = 0;
  #tryPrivate: boolean;
  #restartTimer: NodeJS.Timeout | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #lazyNotBefore = 0;
  #lastProbe = 0;
  #probing = false;
  #toPrimary = false;

  constructor(config: BridgeConfig, context: BridgeContext) {
    const { errors } = checkBridge(config);
    if (errors.length > 0) throw new Error(errors.join('; '));
    this.config = config;
    this.#ctx = context;
    this.#localId = config.localClientId ?? `local.${config.name}`;
    this.#remoteId = config.remoteClientId ?? config.name;
    this.#version = protocolVersion(config);
    this.#tryPrivate = config.tryPrivate;
    this.#stateTopic =
      config.notificationTopic ?? `$SYS/broker/connection/${this.#remoteId}/state`;
    this.#session = remoteSessionPersists(config) ? new ClientSession() : null;
    this.#map = new TopicMap(config.topics);
    this.#ring = new AddressRing(config.addresses, config.roundRobin);
    this.#delay = new RestartDelay(config, context.random);
    const ids = { localId: this.#localId, stateTopic: this.#stateTopic };
    this.#local = new LocalSide(config, this.#map, context.broker, context.log, ids, {
      onPublish: (packet) => this.#forwarder.fromLocal(packet, this.#local.keepMode),
      onLost: () => this.#forwarder.forgetHeld(),
    });
    const limit = context.broker.options.maxQueuedMessages;
    this.#forwarder = new Forwarder(
      config,
      this.#map,
      this.#local.link,
      context.log,
      this.#version,
      limit > 0 ? limit : Number.POSITIVE_INFINITY,
    );
  }

  get name(): string {
    return this.config.name;
  }

  get state(): BridgeState {
    return this.#state;
  }

  /** The retained topic carrying "1" (connected) and "0" (not). */
  get notificationTopic(): string {
    return this.#stateTopic;
  }

  /** Calls `watch` on every state change until it returns true. */
  watch(watch: (state: BridgeState) => boolean | undefined): void {
    const w = (state: BridgeState) => {
      if (watch(state)) this.#watchers.delete(w);
    };
    this.#watchers.add(w);
  }

  /**
   * Opens the local session and, unless the bridge is lazy, the remote
   * connection (without waiting for it). Rejects if the local broker
   * refuses the bridge's session.
   */
  async start(): Promise<void> {
    await this.#local.open();
    this.#local.notify('0');
    this.#ticker = setInterval(() => this.#tick(), TICK_MS);
    this.#ticker.unref();
    if (this.config.startType === 'lazy') this.#setState('idle');
    else void this.#connect();
  }

  /**
   * Closes both sides. The local session stays on the broker (and keeps
   * collecting messages, if persistent) unless `forget` is set, as when a
   * reload removes the bridge.
   */
  async stop(forget = false): Promise<void> {
    this.#setState('stopped');
    clearTimeout(this.#restartTimer);
    clearInterval(this.#ticker);
    const client = this.#client;
    this.#client = null;
    // Closing without DISCONNECT lets the remote publish the will: "0".
    if (client !== null) await client.end();
    this.#local.notify('0');
    this.#forwarder.forgetHeld();
    // What is still in flight to the remote stays in flight on the local
    // session, which sends it again to the next bridge.
    this.#session?.clear();
    this.#local.close(forget);
  }

  // --- the remote side ---

  async #connect(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#setState('connecting');
    const address = this.#ring.current;
    const where = `${this.name} (${address.host}:${address.port})`;
    this.#log(LogType.Notice, `Connecting bridge (step 1) ${where}`);
    try {
      // Step 1 resolves the name, step 2 connects, as Mosquitto logs them.
      if (srvDomain(address) === null) await lookup(address.host);
      if (this.#state !== 'connecting') return;
      this.#log(LogType.Notice, `Connecting bridge (step 2) ${where}`);
      await this.#open(this.#newClient());
    } catch (error) {
      if (this.#state !== 'connecting') return;
      this.#client = null;
      this.#logFailure(error);
      this.#attemptEnded(null);
    }
  }

  #newClient(): MqttClient {
    const context: RemoteContext = {
      maxInflight: this.#ctx.broker.options.maxInflightMessages,
    };
    if (this.#session !== null) context.session = this.#session;
    if (this.#ctx.dnsServers) context.dnsServers = this.#ctx.dnsServers;
    const ids = {
      localId: this.#localId,
      remoteId: this.#remoteId,
      stateTopic: this.#stateTopic,
    };
    const address = this.#ring.current;
    const { config } = this;
    const log = this.#ctx.log;
    const client = createRemoteClient(
      config,
      address,
      context,
      this.#tryPrivate,
      ids,
      log,
    );
    client.on('message', (m: Message) => this.#forwarder.fromRemote(m));
    client.on('close', (error) => this.#remoteLost(client, error));
    this.#client = client;
    return client;
  }

  async #open(client: MqttClient): Promise<void> {
    await client.connect();
    if (this.#client !== client || this.#state !== 'connecting') {
      await client.end();
      return;
    }
    this.#connectedAt = Date.now();
    // On a secondary address, the main one is first checked 5 s from now.
    this.#lastProbe = this.#connectedAt;
    this.#setState('connected');
    setUpRemote(client, this.config, this.#map, this.#stateTopic);
    this.#local.notify('1');
    // Local retained messages of "out" topics go to the remote again.
    this.#local.subscribe(0).catch(() => {});
    this.#forwarder.attach(client);
  }

  #remoteLost(client: MqttClient, error: MqttError | undefined): void {
    if (client !== this.#client) return;
    this.#client = null;
    this.#forwarder.detach(this.#local.keepMode !== 'none');
    this.#local.notify('0');
    this.#logClosed(error);
    this.#attemptEnded(Date.now() - this.#connectedAt);
  }

  /** After a failed attempt (`upForMs` null) or a lost connection. */
  #attemptEnded(upForMs: number | null): void {
    if (this.#state === 'stopped') return;
    if (this.config.startType === 'once') {
      this.#setState('finished');
      return;
    }
    if (this.#toPrimary) this.#ring.backToPrimary();
    else this.#ring.advance();
    this.#toPrimary = false;
    const delay = this.#delay.next(upForMs);
    if (this.config.startType === 'lazy') {
      this.#lazyNotBefore = Date.now() + delay;
      this.#setState('idle');
      return;
    }
    this.#setState('waiting');
    this.#restartTimer = setTimeout(() => void this.#connect(), delay);
    this.#restartTimer.unref();
  }

  // --- the periodic checks: lazy start, idle timeout, the main address ---

  #tick(): void {
    const now = Date.now();
    if (this.#state === 'idle' && now >= this.#lazyNotBefore) {
      if (this.#queuedCount() >= this.config.threshold) void this.#connect();
      return;
    }
    if (this.#state !== 'connected') return;
    const idleMs = now - this.#forwarder.lastActivity;
    if (this.config.startType === 'lazy' && idleMs >= this.config.idleTimeout * 1000) {
      this.#log(
        LogType.Notice,
        `Bridge connection ${this.#localId} has exceeded idle timeout, disconnecting.`,
      );
      void this.#client?.end();
      return;
    }
    if (
      this.#ring.onSecondary &&
      !this.#probing &&
      now - this.#lastProbe >= (this.#ctx.primaryProbeMs ?? PRIMARY_PROBE_MS)
    ) {
      void this.#probePrimary();
    }
  }

  /** Messages waiting for the remote: held here plus queued locally. */
  #queuedCount(): number {
    return this.#forwarder.heldCount + this.#local.queued;
  }

  async #probePrimary(): Promise<void> {
    this.#probing = true;
    this.#lastProbe = Date.now();
    const up = await probe(this.#ring.primary, this.config.bindAddress);
    this.#probing = false;
    if (!up || this.#state !== 'connected' || this.#client === null) return;
    this.#toPrimary = true;
    await this.#client.end();
  }

  // --- logging and state ---

  #logFailure(error: unknown): void {
    if (error instanceof ConnectionRefusedError && error.reasonCode !== undefined) {
      const code = error.reasonCode;
      this.#log(LogType.Error, refusalLine(code, this.#version));
      if (this.#tryPrivate && refusesBridgeBit(code, this.#version)) {
        // Some brokers refuse the bridge bit: try again as a plain client.
        this.#tryPrivate = false;
      }
      this.#logClosed(undefined);
      return;
    }
    this.#log(LogType.Error, `Error creating bridge: ${failureReason(error)}.`);
  }

  #logClosed(error: MqttError | undefined): void {
    if (this.#ctx.connectionMessages === false) return;
    const words =
      error?.code === 'KEEPALIVE_TIMEOUT'
        ? 'has exceeded timeout, disconnecting.'
        : 'closed its connection.';
    this.#log(LogType.Notice, `Client ${this.#localId} ${words}`);
  }

  #log(type: LogType, line: string): void {
    if (this.#ctx.log.mask & type) this.#ctx.log.write(type, line);
  }

  #setState(state: BridgeState): void {
    if (this.#state === state || this.#state === 'stopped') return;
    this.#state = state;
    for (const watcher of [...this.#watchers]) watcher(state);
  }
}
