/**
 * The public face of the broker core. Listeners hand it connections with
 * `accept`; the config layer passes options; the security layer installs
 * `hooks`; $SYS reads `stats`.
 *
 * @example
 * const broker = new Broker({ maxQueuedMessages: 100 }, logger);
 * const { transport, client } = createMemoryPair();
 * broker.accept(transport, defaultListenerSettings);
 * // ... later
 * await broker.close();
 */

import { type Logger, silentLogger } from '../log/log-types.js';
import { PacketType, type Properties, type QoS, ReasonCode } from '../protocol/index.js';
import { type Connection, ConnState } from './connection.js';
import { BrokerCore } from './core.js';
import type { BrokerHooks, ClientInfo } from './hooks.js';
import { newMessage, type StoredMessage } from './message.js';
import {
  type BrokerOptions,
  defaultBrokerOptions,
  type ListenerSettings,
} from './options.js';
import type { Session } from './session.js';
import { OutputGate, type StateObserver } from './state-observer.js';
import type { BrokerStats } from './stats.js';
import type { Transport } from './transport.js';

/** How often the sweep runs: keepalive, timeouts, expiry, delayed wills. */
const SWEEP_INTERVAL_MS = 1000;

/** A message the broker publishes itself ($SYS, plugins, bridges). */
export interface BrokerMessage {
  topic: string;
  payload: Buffer;
  qos?: QoS;
  retain?: boolean;
  properties?: Properties;
}

export class Broker {
  readonly #core: BrokerCore;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: Partial<BrokerOptions> = {}, logger: Logger = silentLogger) {
    this.#core = new BrokerCore({ ...defaultBrokerOptions, ...options }, logger);
    const core = this.#core;
    const sweep = () => core.sweep(Date.now());
    this.#timer = setInterval(() => core.guarded(sweep), SWEEP_INTERVAL_MS);
    this.#timer.unref();
  }

  get stats(): BrokerStats {
    return this.#core.stats;
  }

  get options(): Readonly<BrokerOptions> {
    return this.#core.options;
  }

  /**
   * Applies reloaded options (SIGHUP). They take effect from the next use:
   * a connected client keeps the limits its CONNACK announced where the
   * protocol fixed them, as with Mosquitto.
   */
  reconfigure(options: Partial<BrokerOptions>): void {
    Object.assign(this.#core.options, options);
  }

  /** Security extension points; see ./hooks.ts. */
  get hooks(): BrokerHooks {
    return this.#core.hooks;
  }

  set hooks(hooks: BrokerHooks) {
    this.#core.hooks = hooks;
  }

  /** Takes a new connection from a listener. */
  accept(transport: Transport, listener: ListenerSettings): void {
    if (this.#closed) {
      transport.destroy();
      return;
    }
    this.#core.accept(transport, listener);
  }

  /**
   * Publishes a message from the broker itself. Returns the number of
   * sessions it went to.
   */
  publish(message: BrokerMessage): number {
    const props = message.properties;
    const expiry = props?.messageExpiryInterval;
    const msg: StoredMessage = newMessage(
      message.topic,
      message.payload,
      message.qos ?? 0,
      message.retain ?? false,
      props,
      expiry === undefined ? 0 : Date.now() + expiry * 1000,
      '',
    );
    return this.#core.router.route(msg);
  }

  /** Clients past CONNACK, for the security layer and plugins. */
  clients(): ClientInfo[] {
    const out: ClientInfo[] = [];
    for (const conn of this.#core.connections) {
      if (conn.state === ConnState.Connected) out.push(conn);
    }
    return out;
  }

  /**
   * Disconnects a connected client from the broker's side, for one that
   * lost its rights (a reload, a plugin): a 5.0 client gets DISCONNECT
   * with `reason` first, and the will is published as for any close
   * without the client's DISCONNECT. False if it was not connected.
   */
  disconnect(client: ClientInfo, reason: ReasonCode = ReasonCode.NotAuthorized): boolean {
    const conn = client as Connection;
    if (!this.#core.connections.has(conn) || conn.state !== ConnState.Connected) {
      return false;
    }
    const words =
      reason === ReasonCode.NotAuthorized
        ? 'disconnected, not authorised.'
        : 'disconnected.';
    conn.close(reason, words);
    return true;
  }

  /** The session of a client id, connected or not; for tests and $SYS. */
  session(clientId: string): Session | undefined {
    return this.#core.sessions.get(clientId);
  }

  /** Every session, connected or not, for persistence and $SYS. */
  sessions(): IterableIterator<Session> {
    return this.#core.sessions.values();
  }

  /** Retained messages, for persistence and tests. */
  retainedMessages(): StoredMessage[] {
    return this.#core.retained.all();
  }

  /**
   * Puts back a session a persistence layer saved, before its client
   * reconnects: subscriptions return to the tree, queued and in-flight
   * messages wait, and the expiry clock starts now.
   */
  restoreSession(session: Session): void {
    this.#core.restoreSession(session);
  }

  /**
   * Connects a persistence layer: it hears of every change of saved state
   * and lets the output held meanwhile go through the returned gate (see
   * ./state-observer.ts). Call before the first connection is accepted.
   */
  observe(observer: StateObserver): OutputGate {
    const gate = new OutputGate();
    this.#core.observer = observer;
    this.#core.gate = gate;
    return gate;
  }

  /** Puts back a retained message a persistence layer saved. */
  restoreRetained(message: StoredMessage): void {
    this.#core.restoreRetained(message);
  }

  /**
   * Runs the periodic checks now, as if the clock read `now`: keepalive,
   * connect timeout, delayed wills, session and message expiry.
   */
  sweep(now: number = Date.now()): void {
    this.#core.sweep(now);
  }

  /**
   * Disconnects every client (5.0 clients get DISCONNECT Server Shutting
   * Down) and stops the timers. Sessions are kept in memory.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    const core = this.#core;
    for (const conn of [...core.connections]) {
      if (conn.state === ConnState.Connected && conn.protocolVersion === 5) {
        conn.send({
          type: PacketType.Disconnect,
          reasonCode: ReasonCode.ServerShuttingDown,
        });
      }
      core.endConnection(conn, false);
      conn.transport.end();
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}
