/**
 * The bridge's side of the local broker: its session (local_clientid,
 * local_cleansession, local_username/local_password), the subscriptions
 * of the "out" and "both" lines, and the state notifications published
 * there. Subscriptions use no-local, so what the bridge publishes locally
 * never comes back to it, and retain-as-published, so the remote learns
 * which messages are retained.
 */
import { type Broker, type ListenerSettings, NEVER_EXPIRES } from '../broker/index.js';
import type { BridgeConfig } from '../config/types.js';
import { type Logger, LogType } from '../log/log-types.js';
import type { PublishPacket } from '../protocol/index.js';
import type { KeepMode } from './forwarder.js';
import { LocalLink } from './local-link.js';
import type { TopicMap } from './topic-map.js';

/**
 * The listener settings the bridge's local session is accepted under.
 * `localBridge` makes the broker and its security layer trust it: no
 * password check, no access control, as Mosquitto treats its bridges.
 */
const bridgeListener: ListenerSettings = {
  name: 'bridge',
  maxQos: 2,
  maxTopicAlias: 0,
  maxTopicAliasBroker: 0,
  mountPoint: '',
  maxConnections: -1,
  useUsernameAsClientId: false,
  acceptProtocolVersions: new Set([5]),
  allowAnonymous: true,
  allowZeroLengthClientId: true,
  localBridge: true,
};

/** How long to wait before opening the session again after losing it. */
const RETRY_MS = 1000;

export interface LocalSideEvents {
  onPublish(packet: PublishPacket): void;
  /** The broker dropped the session; it is being opened again. */
  onLost(): void;
}

export class LocalSide {
  readonly link: LocalLink;
  readonly #config: BridgeConfig;
  readonly #map: TopicMap;
  readonly #broker: Broker;
  readonly #log: Logger;
  readonly #id: string;
  readonly #stateTopic: string;
  #closed = false;

  constructor(
    config: BridgeConfig,
    map: TopicMap,
    broker: Broker,
    log: Logger,
    ids: { localId: string; stateTopic: string },
    events: LocalSideEvents,
  ) {
    this.#config = config;
    this.#map = map;
    this.#broker = broker;
    this.#log = log;
    this.#id = ids.localId;
    this.#stateTopic = ids.stateTopic;
    this.link = new LocalLink(broker, bridgeListener, {
      onPublish: (packet) => events.onPublish(packet),
      onClose: () => this.#lost(events),
    });
  }

  /** What to keep for a remote that is down (see Forwarder). */
  get keepMode(): KeepMode {
    if (this.#config.startType === 'lazy') return 'all';
    return this.#clean() ? 'none' : 'qos12';
  }

  /** Messages the local broker queued for the bridge beyond its window. */
  get queued(): number {
    return this.#broker.session(this.#id)?.queue.length ?? 0;
  }

  /** Opens the session; rejects if the broker refuses it. */
  async open(): Promise<void> {
    const c = this.#config;
    // A lazy bridge counts what queues up while it is down, so its session
    // must outlive a connection even when it starts clean.
    const expiry = this.#clean() && c.startType !== 'lazy' ? 0 : NEVER_EXPIRES;
    await this.link.connect({
      clientId: this.#id,
      clean: this.#clean(),
      sessionExpiry: expiry,
      ...(c.localUsername === null ? {} : { username: c.localUsername }),
      ...(c.localPassword === null ? {} : { password: c.localPassword }),
    });
    // A persistent session may hold subscriptions of an older config.
    const wanted = new Set(this.#map.outgoing.map((r) => r.localFilter));
    const session = this.#broker.session(this.#id);
    const stale = [...(session?.subscriptions.keys() ?? [])].filter(
      (f) => !wanted.has(f),
    );
    if (stale.length > 0) await this.link.unsubscribe(stale);
    // Retained messages go to the remote on each connection, not now.
    await this.subscribe(2);
  }

  /**
   * Subscribes to the local side of every "out" and "both" line. With
   * retain handling 0 the broker sends the retained messages again, as
   * Mosquitto does on each bridge connection.
   */
  subscribe(retainHandling: 0 | 2): Promise<unknown> {
    const subscriptions = this.#map.outgoing.map((route) => {
      if (this.#log.mask & LogType.Debug) {
        const topic = route.localFilter;
        const line = `Bridge ${this.#id} doing local SUBSCRIBE on topic ${topic}`;
        this.#log.write(LogType.Debug, line);
      }
      return {
        topicFilter: route.localFilter,
        qos: route.qos,
        noLocal: true,
        retainAsPublished: true,
        retainHandling,
      };
    });
    if (subscriptions.length === 0) return Promise.resolve();
    return this.link.subscribe(subscriptions);
  }

  /** Publishes the bridge state, retained, if notifications are on. */
  notify(payload: '0' | '1'): void {
    if (!this.#config.notifications || !this.link.connected) return;
    const body = Buffer.from(payload);
    this.link.publish(this.#stateTopic, body, 1, true).catch(() => {});
  }

  /** Ends the session's connection; `forget` ends the session too. */
  close(forget: boolean): void {
    this.#closed = true;
    this.link.disconnect(forget);
  }

  #clean(): boolean {
    return this.#config.localCleansession ?? this.#config.cleansession;
  }

  /** The broker dropped the session (a client took its id over?). */
  #lost(events: LocalSideEvents): void {
    if (this.#closed) return;
    if (this.#log.mask & LogType.Warning) {
      const line = `Warning: Bridge ${this.#config.name} lost its local session.`;
      this.#log.write(LogType.Warning, line);
    }
    events.onLost();
    const retry = () => {
      if (this.#closed) return;
      this.open().catch(() => setTimeout(retry, RETRY_MS).unref());
    };
    setTimeout(retry, RETRY_MS).unref();
  }
}
