/**
 * One bridge: a session on the local broker (LocalLink) and a client of
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
import { type Broker, type ListenerSettings, NEVER_EXPIRES } from '../broker/index.js';
import {
  ConnectionRefusedError,
  type Message,
  MqttClient,
  type MqttError,
  type QoS,
  type WillOptions,
} from '../client/index.js';
import type { BridgeConfig } from '../config/types.js';
import { type Logger, LogType } from '../log/log-types.js';
import type { Packet } from '../protocol/index.js';
import { AddressRing, PRIMARY_PROBE_MS, probe } from './addresses.js';
import { failureReason, refusalLine, refusesBridgeBit } from './connect-failures.js';
import { Forwarder, type KeepMode } from './forwarder.js';
import { LocalLink } from './local-link.js';
import { receivedLine, sentLine } from './packet-log.js';
import {
  checkRemoteConfig,
  protocolVersion,
  type RemoteContext,
  remoteOptions,
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
}

const TICK_MS = 1000;
/** How long to wait before opening the local session again after losing it. */
const LOCAL_RETRY_MS = 1000;

export class Bridge {
  readonly config: BridgeConfig;
  readonly #ctx: BridgeContext;
  readonly #map: TopicMap;
  readonly #ring: AddressRing;
  readonly #delay: RestartDelay;
  readonly #link: LocalLink;
  readonly #forwarder: Forwarder;
  readonly #localId: string;
  readonly #remoteId: string;
  readonly #version: 3 | 4 | 5;
  readonly #stateTopic: string;
  readonly #watchers = new Set<(state: BridgeState) => void>();
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
    checkRemoteConfig(config);
    this.config = config;
    this.#ctx = context;
    this.#localId = config.localClientId ?? `local.${config.name}`;
    this.#remoteId = config.remoteClientId ?? config.name;
    this.#version = protocolVersion(config);
    this.#tryPrivate = config.tryPrivate;
    this.#stateTopic =
      config.notificationTopic ?? `$SYS/broker/connection/${this.#remoteId}/state`;
    this.#map = new TopicMap(config.topics);
    this.#ring = new AddressRing(config.addresses, config.roundRobin);
    this.#delay = new RestartDelay(config, context.random);
    this.#link = new LocalLink(context.broker, bridgeListener, {
      onPublish: (packet) => this.#forwarder.fromLocal(packet, this.#keepMode()),
      onClose: () => this.#localLost(),
    });
    const limit = context.broker.options.maxQueuedMessages;
    this.#forwarder = new Forwarder(
      config,
      this.#map,
      this.#link,
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
    await this.#openLocal();
    if (this.config.notifications) this.#notifyLocal('0');
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
    if (this.config.notifications && this.#link.connected) this.#notifyLocal('0');
    this.#forwarder.forgetHeld();
    this.#link.disconnect(forget);
  }

  // --- the local side ---

  #keepMode(): KeepMode {
    if (this.config.startType === 'lazy') return 'all';
    return this.#localClean() ? 'none' : 'qos12';
  }

  #localClean(): boolean {
    return this.config.localCleansession ?? this.config.cleansession;
  }

  async #openLocal(): Promise<void> {
    const c = this.config;
    // A lazy bridge counts what queues up while it is down, so its local
    // session must outlive a connection even when it starts clean.
    const expiry = this.#localClean() && c.startType !== 'lazy' ? 0 : NEVER_EXPIRES;
    await this.#link.connect({
      clientId: this.#localId,
      clean: this.#localClean(),
      sessionExpiry: expiry,
      ...(c.localUsername === null ? {} : { username: c.localUsername }),
      ...(c.localPassword === null ? {} : { password: c.localPassword }),
    });
    // A persistent session may hold subscriptions of an older config.
    const wanted = new Set(this.#map.outgoing.map((r) => r.localFilter));
    const session = this.#ctx.broker.session(this.#localId);
    const stale = [...(session?.subscriptions.keys() ?? [])].filter(
      (f) => !wanted.has(f),
    );
    if (stale.length > 0) await this.#link.unsubscribe(stale);
    // Retained messages go to the remote on each connection, not now.
    await this.#subscribeLocal(2);
  }

  #subscribeLocal(retainHandling: 0 | 2): Promise<unknown> {
    const subscriptions = this.#map.outgoing.map((route) => {
      this.#log(
        LogType.Debug,
        `Bridge ${this.#localId} doing local SUBSCRIBE on topic ${route.localFilter}`,
      );
      return {
        topicFilter: route.localFilter,
        qos: route.qos,
        noLocal: true,
        retainAsPublished: true,
        retainHandling,
      };
    });
    if (subscriptions.length === 0) return Promise.resolve();
    return this.#link.subscribe(subscriptions);
  }

  /** The local broker dropped the session (a client took its id over?). */
  #localLost(): void {
    if (this.#state === 'stopped') return;
    this.#log(LogType.Warning, `Warning: Bridge ${this.name} lost its local session.`);
    this.#forwarder.forgetHeld();
    const retry = () => {
      if (this.#state === 'stopped') return;
      this.#openLocal().catch(() => setTimeout(retry, LOCAL_RETRY_MS).unref());
    };
    setTimeout(retry, LOCAL_RETRY_MS).unref();
  }

  #notifyLocal(payload: '0' | '1'): void {
    const body = Buffer.from(payload);
    this.#link.publish(this.#stateTopic, body, 1, true).catch(() => {});
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
    if (this.#ctx.dnsServers) context.dnsServers = this.#ctx.dnsServers;
    const options = remoteOptions(
      this.config,
      this.#ring.current,
      context,
      this.#tryPrivate,
    );
    const will = this.#will();
    if (will !== undefined) options.will = will;
    const client = new MqttClient(options);
    client.on('message', (m: Message) => this.#forwarder.fromRemote(m));
    client.on('close', (error) => this.#remoteLost(client, error));
    if (this.#ctx.log.mask & LogType.Debug) {
      client.on('packetsend', (p: Packet) =>
        this.#debug(sentLine(p, this.#localId, this.#remoteId)),
      );
      client.on('packetreceive', (p: Packet) =>
        this.#debug(receivedLine(p, this.#localId)),
      );
    }
    this.#client = client;
    return client;
  }

  #will(): WillOptions | undefined {
    const c = this.config;
    if (!c.notifications || c.notificationsLocalOnly) return undefined;
    return { topic: this.#stateTopic, payload: '0', qos: 1, retain: true };
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
    this.#announce(client);
    for (const route of this.#map.routes) {
      if (route.direction !== 'out') {
        const sub = { topic: route.remoteFilter, qos: route.qos };
        const v5 = { noLocal: true, retainAsPublished: true, retainHandling: 0 as const };
        client.subscribe(this.#version === 5 ? { ...sub, ...v5 } : sub).catch(() => {});
      } else if (this.config.attemptUnsubscribe) {
        client.unsubscribe(route.remoteFilter).catch(() => {});
      }
    }
    // Local retained messages of "out" topics go to the remote again.
    this.#subscribeLocal(0).catch(() => {});
    this.#forwarder.attach(client);
  }

  /** "1" on the remote (unless local only) and locally. */
  #announce(client: MqttClient): void {
    const c = this.config;
    if (!c.notifications) return;
    if (!c.notificationsLocalOnly) {
      const props = client.connectResult?.properties;
      const qos: QoS = props?.maximumQoS === 0 ? 0 : 1;
      const retain = props?.retainAvailable !== 0;
      client.publish(this.#stateTopic, '1', { qos, retain }).catch(() => {});
    }
    this.#notifyLocal('1');
  }

  #remoteLost(client: MqttClient, error: MqttError | undefined): void {
    if (client !== this.#client) return;
    this.#client = null;
    this.#forwarder.detach(this.#keepMode() !== 'none');
    if (this.config.notifications) this.#notifyLocal('0');
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
      now - this.#lastProbe >= PRIMARY_PROBE_MS
    ) {
      void this.#probePrimary();
    }
  }

  /** Messages waiting for the remote: held here plus queued locally. */
  #queuedCount(): number {
    const session = this.#ctx.broker.session(this.#localId);
    return this.#forwarder.heldCount + (session?.queue.length ?? 0);
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

  #debug(line: string | undefined): void {
    if (line === undefined) return;
    for (const part of line.split('\n')) this.#ctx.log.write(LogType.Debug, part);
  }

  #setState(state: BridgeState): void {
    if (this.#state === state || this.#state === 'stopped') return;
    this.#state = state;
    for (const watcher of [...this.#watchers]) watcher(state);
  }
}

/** The listener settings the bridge's local session is accepted under. */
const bridgeListener: ListenerSettings = {
  name: 'bridge',
  maxQos: 2,
  maxTopicAlias: 0,
  mountPoint: '',
  maxConnections: -1,
  useUsernameAsClientId: false,
  acceptProtocolVersions: new Set([5]),
};
