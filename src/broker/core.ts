/**
 * The broker's shared state and the lifecycle of connections and sessions:
 * accept, end of a connection (will, session detach or end), session
 * expiry and the periodic sweep. Packet handling lives in ./handlers,
 * message routing in ./routing.ts and delivery in ./delivery.ts.
 */

import { type Logger, LogType } from '../log/log-types.js';
import {
  ConnectReturnCode,
  PacketType,
  type ProtocolError,
  ReasonCode,
} from '../protocol/index.js';
import { Connection, ConnState, failureWords, type WillSpec } from './connection.js';
import { dropSessionMessages } from './delivery.js';
import { FlowControl } from './flow-control.js';
import { AclAccess, type BrokerHooks, type ClientInfo } from './hooks.js';
import { newMessage, type StoredMessage } from './message.js';
import type { BrokerOptions, ListenerSettings } from './options.js';
import { RetainedStore } from './retained.js';
import { Router } from './routing.js';
import { NEVER_EXPIRES, type Session } from './session.js';
import type { OutputGate, StateObserver } from './state-observer.js';
import { BrokerStats } from './stats.js';
import { SubscriptionTree } from './topic-tree.js';
import type { Transport } from './transport.js';

export class BrokerCore {
  readonly options: BrokerOptions;
  readonly logger: Logger;
  readonly stats = new BrokerStats();
  hooks: BrokerHooks = {};
  readonly sessions = new Map<string, Session>();
  readonly connections = new Set<Connection>();
  readonly tree = new SubscriptionTree();
  readonly retained = new RetainedStore();
  readonly router = new Router(this);
  /** Publisher back-pressure (./flow-control.ts). */
  readonly flow = new FlowControl(this);
  /** Sessions without a connection, for expiry and the queue sweep. */
  readonly offline = new Set<Session>();
  /** Sessions holding a will that waits for its delay. */
  readonly pendingWills = new Set<Session>();
  /** The persistence layer, told of every change of saved state. */
  observer: StateObserver | undefined = undefined;
  /** Holds output back until the state behind it is saved. */
  gate: OutputGate | undefined = undefined;
  /** Set by the sweep while memory_limit is exceeded. */
  overMemoryLimit = false;
  /** Open connections per listener name, for max_connections. */
  readonly #perListener = new Map<ListenerSettings, number>();

  constructor(options: BrokerOptions, logger: Logger) {
    this.options = options;
    this.logger = logger;
  }

  get debugEnabled(): boolean {
    return (this.logger.mask & LogType.Debug) !== 0;
  }

  /** Callers check `debugEnabled` first, so no string is built in vain. */
  logDebug(message: string): void {
    this.logger.write(LogType.Debug, message);
  }

  log(type: LogType, message: string): void {
    if (this.logger.mask & type) this.logger.write(type, message);
  }

  accept(transport: Transport, listener: ListenerSettings): void {
    // max_connections, for embedders that hand sockets over directly (the
    // listeners refuse earlier, with a log line). 0 or -1: no limit, as in
    // Mosquitto 2.0. Counted per listener, not per name: Unix-socket
    // listeners share the name "0".
    const open = this.#perListener.get(listener) ?? 0;
    if (listener.maxConnections > 0 && open >= listener.maxConnections) {
      transport.destroy();
      return;
    }
    this.#perListener.set(listener, open + 1);
    const gated = this.gate === undefined ? transport : this.gate.wrap(transport);
    const conn = new Connection(this, gated, listener);
    this.connections.add(conn);
    this.stats.socketsAccepted++;
    if (this.options.connectionMessages && this.logger.mask & LogType.Notice) {
      this.logger.write(
        LogType.Notice,
        `New connection from ${transport.remoteAddress}:${transport.remotePort}` +
          ` on port ${listener.name}.`,
      );
    }
    conn.start();
  }

  /** The transport closed, whoever started it. */
  onTransportClosed(conn: Connection, _hadError: boolean): void {
    if (conn.state === ConnState.Closed) return;
    // A reset reads the same as a close in Mosquitto's log (observed with
    // 2.0.11), and log watchers match on that line.
    conn.logClient('closed its connection.');
    this.guarded(() => this.endConnection(conn, true));
  }

  /**
   * memory_limit, checked once a sweep: above it the broker refuses new
   * messages and clients until memory falls again (Mosquitto's allocations
   * fail at its limit; midge says no before that happens).
   */
  #checkMemory(): void {
    const limit = this.options.memoryLimit;
    if (limit <= 0 || typeof process === 'undefined') {
      this.overMemoryLimit = false;
      return;
    }
    const usage = process.memoryUsage();
    const over = usage.heapUsed + usage.external > limit;
    if (over && !this.overMemoryLimit) {
      this.log(LogType.Warning, 'Warning: memory_limit reached, refusing new messages.');
    }
    this.overMemoryLimit = over;
  }

  /**
   * Runs work started by a timer or a socket event, where an exception
   * (a bug, or a security hook that throws) would otherwise escape into
   * Node's event loop and stop the process.
   */
  guarded(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.log(LogType.Error, `Error: ${String(err)}`);
    }
  }

  /**
   * Detaches a connection from its session, at once and only once: the
   * will goes out (or waits for its delay), and a session that does not
   * outlive its connection ends.
   */
  endConnection(conn: Connection, publishWill: boolean): void {
    if (conn.state === ConnState.Closed) return;
    const wasConnected = conn.state === ConnState.Connected;
    conn.state = ConnState.Closed;
    conn.stopDecoder();
    this.flow.closed(conn);
    this.connections.delete(conn);
    const open = this.#perListener.get(conn.listener) ?? 1;
    if (open <= 1) this.#perListener.delete(conn.listener);
    else this.#perListener.set(conn.listener, open - 1);
    if (!wasConnected) return;
    this.stats.clientsConnected--;
    this.#notify(this.hooks.disconnected, conn);
    const session = conn.session;
    conn.session = null;
    const will = publishWill ? conn.will : undefined;
    conn.will = undefined;
    if (session === null || session.connection !== conn) {
      if (will !== undefined) this.publishWill(will, conn);
      return;
    }
    session.connection = null;
    const now = Date.now();
    if (will !== undefined) {
      if (will.delay > 0 && session.expiryInterval > 0) {
        const message = this.#willMessage(will, now);
        session.pendingWill = { message, publishAt: now + will.delay * 1000 };
        this.pendingWills.add(session);
      } else {
        this.publishWill(will, conn);
      }
    }
    if (session.expiryInterval === 0) {
      this.endSession(session);
      return;
    }
    session.expiresAt =
      session.expiryInterval === NEVER_EXPIRES ? 0 : now + session.expiryInterval * 1000;
    this.offline.add(session);
    this.observer?.sessionChanged(session);
  }

  /**
   * Ends a session: its subscriptions and messages go, and a will still
   * waiting for its delay is published now [MQTT-3.1.3-9].
   */
  endSession(session: Session): void {
    if (this.sessions.get(session.clientId) === session) {
      this.sessions.delete(session.clientId);
      this.stats.setClientsTotal(this.sessions.size);
    }
    this.offline.delete(session);
    // Checked first so that ending an idle session does not make its map.
    if (session.subscriptionCount > 0) {
      for (const sub of session.subscriptions.values()) {
        this.tree.remove(session, sub.filter, sub.group);
        this.#countSubscription(sub.group, -1);
      }
      session.subscriptions.clear();
    }
    dropSessionMessages(this, session);
    this.observer?.sessionChanged(session);
    const pending = session.pendingWill;
    if (pending !== undefined) {
      session.pendingWill = undefined;
      this.pendingWills.delete(session);
      this.routeWill(pending.message, session.client);
    }
  }

  /** A client reconnected to its session: a delayed will is cancelled. */
  resumeSession(session: Session): void {
    this.offline.delete(session);
    session.expiresAt = 0;
    if (session.pendingWill !== undefined) {
      session.pendingWill = undefined;
      this.pendingWills.delete(session);
    }
  }

  restoreSession(session: Session): void {
    const old = this.sessions.get(session.clientId);
    if (old !== undefined) this.endSession(old);
    session.connection = null;
    this.sessions.set(session.clientId, session);
    this.stats.setClientsTotal(this.sessions.size);
    for (const sub of session.subscriptions.values()) {
      this.tree.add(session, sub);
      this.#countSubscription(sub.group, 1);
    }
    this.stats.messagesStored += session.inflight.size + session.queue.length;
    const interval = session.expiryInterval;
    if (interval === 0) {
      this.endSession(session);
      return;
    }
    session.expiresAt = interval === NEVER_EXPIRES ? 0 : Date.now() + interval * 1000;
    this.offline.add(session);
    if (session.pendingWill !== undefined) this.pendingWills.add(session);
  }

  restoreRetained(message: StoredMessage): void {
    message.owned = true;
    this.stats.messagesStored += this.retained.set(message);
    this.stats.retainedCount = this.retained.count;
  }

  publishWill(will: WillSpec, client: ClientInfo): void {
    this.routeWill(this.#willMessage(will, Date.now()), client);
  }

  /**
   * A will goes out only if its client may write its topic now: Mosquitto
   * checks a will when it is published, not at CONNECT.
   */
  routeWill(message: StoredMessage, client: ClientInfo | undefined): void {
    const acl = this.hooks.checkAcl;
    if (acl !== undefined && client !== undefined) {
      let allowed = false;
      try {
        const { topic, qos, retain, payload } = message;
        allowed = acl(client, topic, AclAccess.Write, qos, retain, payload);
      } catch (err) {
        this.log(LogType.Error, `Error: access check for a will: ${String(err)}`);
      }
      if (!allowed) return;
    }
    this.router.route(message);
  }

  /** Calls a notification hook; what it throws is logged, not passed on. */
  #notify(hook: ((client: ClientInfo) => void) | undefined, client: ClientInfo): void {
    if (hook === undefined) return;
    try {
      hook(client);
    } catch (err) {
      this.log(LogType.Error, `Error: security hook: ${String(err)}`);
    }
  }

  /** The connected hook, for CONNACK. */
  notifyConnected(client: ClientInfo): void {
    this.#notify(this.hooks.connected, client);
  }

  /** Keeps subscription counters for $SYS. */
  countSubscription(group: string, delta: number): void {
    this.#countSubscription(group, delta);
  }

  /**
   * Bad input before CONNACK. A CONNECT with an unknown protocol level under
   * a known name gets CONNACK 0x01 (3.x) or 0x84 (5.0) [MQTT-3.1.2-2]; any
   * other error just closes, as Mosquitto does (observed).
   */
  refuseConnect(conn: Connection, err: ProtocolError): void {
    conn.protocolVersion = conn.decoderVersion;
    const problem = connectProblem(err, conn.remoteAddress);
    if (problem !== undefined) this.log(LogType.Information, problem);
    if (err.code === 'UNSUPPORTED_PROTOCOL_VERSION') {
      const v5 = conn.protocolVersion === 5;
      const code = v5 ? err.reasonCode : ConnectReturnCode.UnacceptableProtocolVersion;
      if (this.debugEnabled) {
        this.logDebug(`Sending CONNACK to ${conn.remoteAddress} (0, ${code})`);
      }
      conn.send({ type: PacketType.Connack, sessionPresent: false, reasonCode: code });
    }
    conn.logClient(connectFailureWords(err));
    this.endConnection(conn, false);
    conn.transport.end();
  }

  /**
   * The periodic sweep: connect timeout, keepalive, delayed wills, session
   * expiry, expired messages of offline sessions. One pass over the
   * connections per tick rather than one timer per client.
   */
  sweep(now: number): void {
    this.#checkMemory();
    this.#sweepConnections(now);
    this.flow.sweep(now);
    for (const session of this.pendingWills) {
      const pending = session.pendingWill;
      if (pending !== undefined && pending.publishAt > now) continue;
      session.pendingWill = undefined;
      this.pendingWills.delete(session);
      this.observer?.sessionChanged(session);
      if (pending !== undefined) this.routeWill(pending.message, session.client);
    }
    for (const session of this.offline) {
      if (session.expiresAt !== 0 && session.expiresAt <= now) {
        this.stats.clientsExpired++;
        this.endSession(session);
      } else if (session.queue.length > 0) {
        dropExpiredQueued(this, session, now);
      }
    }
  }

  #sweepConnections(now: number): void {
    const connectTimeout = this.options.connectTimeout * 1000;
    for (const conn of this.connections) {
      if (conn.state === ConnState.Connected) {
        // Mosquitto allows one and a half keepalive periods [MQTT-3.1.2-24].
        // A client held back by flow control is not being read: not idle.
        if (
          conn.keepAlive > 0 &&
          now - conn.lastReceived > conn.keepAlive * 1500 &&
          conn.flow?.blockedBy == null
        ) {
          conn.close(ReasonCode.KeepAliveTimeout, 'has exceeded timeout, disconnecting.');
        }
      } else if (now - conn.openedAt > connectTimeout) {
        // No CONNECT yet, or an authentication that never finished.
        conn.logClient('has exceeded timeout, disconnecting.');
        this.endConnection(conn, false);
        conn.transport.end();
      }
    }
  }

  #willMessage(will: WillSpec, now: number) {
    const m = will.message;
    const expiresAt = will.expiry > 0 ? now + will.expiry * 1000 : 0;
    return newMessage(
      m.topic,
      m.payload,
      m.qos,
      m.retain,
      m.properties,
      expiresAt,
      m.origin,
    );
  }

  #countSubscription(group: string, delta: number): void {
    if (group === '') this.stats.subscriptionsCount += delta;
    else this.stats.sharedSubscriptionsCount += delta;
  }
}

function dropExpiredQueued(core: BrokerCore, session: Session, now: number): void {
  let bytes = 0;
  const removed = session.queue.retain((out) => {
    const e = out.message.expiresAt;
    if (e === 0 || e > now) return true;
    bytes += out.message.payload.length;
    core.observer?.outgoingRemoved(session, out);
    return false;
  });
  session.queuedBytes -= bytes;
  core.stats.messagesStored -= removed;
}

/** The information line Mosquitto writes for some bad CONNECTs. */
function connectProblem(err: ProtocolError, from: string): string | undefined {
  switch (err.code) {
    case 'UNSUPPORTED_PROTOCOL_VERSION':
      return `Invalid protocol version ${err.value} in CONNECT from ${from}.`;
    case 'UNSUPPORTED_PROTOCOL_NAME':
      return `Invalid protocol "${err.value}" in CONNECT from ${from}.`;
    case 'INVALID_WILL_QOS':
      return `Invalid Will QoS in CONNECT from ${from}.`;
    default:
      return undefined;
  }
}

/**
 * A CONNECT that breaks the rules is logged as a protocol error whatever
 * the spec calls it, as Mosquitto does, except for bad properties and
 * oversize packets.
 */
function connectFailureWords(err: ProtocolError): string {
  const property = err.code.includes('PROPERTY');
  if (err.reasonCode === ReasonCode.MalformedPacket && !property) {
    return failureWords(ReasonCode.ProtocolError);
  }
  return failureWords(err.reasonCode);
}
