/**
 * MqttClient: the public face of the library. It owns what outlives one
 * network connection (packet ids, messages in flight, pending requests,
 * subscriptions) and drives the connection lifecycle: connect, lose,
 * reconnect with backoff, disconnect.
 *
 * States: idle -> connecting -> connected -> (lost) -> reconnecting ->
 * connecting -> ... ; disconnect()/end() or a loss without reconnect lead
 * to closed, from which connect() may start again.
 */
import {
  type AuthPacket,
  type Packet,
  PacketType,
  type Properties,
  ReasonCode,
} from '../protocol/index.js';
import { type AuthResponse, answerChallenge, authPacket } from './auth.js';
import type {
  ClientEvents,
  ClientState,
  DisconnectOptions,
  ReconnectInfo,
  ServerDisconnect,
  SubscribeResult,
  UnsubscribeResult,
} from './client-types.js';
import type { Connection, ConnectionHandler, PacketTap } from './connection.js';
import { TypedEmitter } from './emitter.js';
import {
  ClientClosedError,
  type MqttError,
  TransportError,
  UsageError,
} from './errors.js';
import { type ConnectResult, Handshake, serverDisconnect } from './handshake.js';
import type { Inbound, Message } from './inbound.js';
import { type ClientOptions, type ResolvedOptions, resolveOptions } from './options.js';
import type { Outbound, PublishResult } from './outbound.js';
import { backoffDelay } from './reconnect.js';
import { Requests } from './requests.js';
import {
  buildPublish,
  buildSubscribe,
  buildUnsubscribe,
  checkServerLimits,
  type Payload,
  type PublishOptions,
  type SubscribeInput,
  type SubscribeOptions,
} from './requests-build.js';
import { ownSession, type SessionParts, sessionParts } from './session.js';
import { Subscriptions } from './subscriptions.js';
import { openLink } from './transport/open-link.js';
import { validateOptions } from './validate-options.js';

interface Attempt {
  controller: AbortController;
  handshake?: Handshake;
}

export class MqttClient extends TypedEmitter<ClientEvents> {
  readonly options: ResolvedOptions;
  #state: ClientState = 'idle';
  #conn: Connection | null = null;
  #attempt: Attempt | null = null;
  #result: ConnectResult | undefined;
  #clientId: string;
  #everConnected = false;
  #failures = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #closeWaiters: Array<() => void> = [];
  #reauth: { resolve(p: AuthPacket): void; reject(e: Error): void } | null = null;
  readonly #session: SessionParts;
  readonly #outbound: Outbound;
  readonly #requests: Requests;
  readonly #inbound: Inbound;
  readonly #deliver = (message: Message) => this.emit('message', message);
  readonly #subscriptions = new Subscriptions();
  readonly #tap: PacketTap = {
    sent: (packet) => this.emit('packetsend', packet),
    received: (packet) => this.emit('packetreceive', packet),
  };
  readonly #handler: ConnectionHandler = {
    onPacket: (packet) => this.#onPacket(packet),
    onClose: (error) => this.#onConnectionClose(error),
    onDrain: () => {
      // The session may serve another client's connection by now.
      if (this.#state !== 'closed') this.#outbound.onDrain();
    },
  };

  /** Checks the options; throws UsageError('INVALID_OPTION') if wrong. */
  constructor(options: ClientOptions = {}) {
    super();
    this.options = resolveOptions(options);
    validateOptions(this.options);
    this.#clientId = this.options.clientId;
    const shared = this.options.session;
    this.#session = shared ? sessionParts(shared) : ownSession(this.#deliver);
    this.#outbound = this.#session.outbound;
    this.#inbound = this.#session.inbound;
    this.#requests = new Requests(this.#session.ids);
  }

  get state(): ClientState {
    return this.#state;
  }

  get connected(): boolean {
    return this.#state === 'connected';
  }

  /** The last successful CONNACK, as a ConnectResult. */
  get connectResult(): ConnectResult | undefined {
    return this.#result;
  }

  /** The client id in use (the server's assigned id once known). */
  get clientId(): string {
    return this.#clientId;
  }

  /** QoS 1/2 publishes sent and not yet fully acknowledged. */
  get inflightCount(): number {
    return this.#outbound.inflightCount;
  }

  /** Publishes waiting for an in-flight slot or a connection. */
  get queuedCount(): number {
    return this.#outbound.queuedCount;
  }

  /**
   * Opens the connection. Resolves on a successful CONNACK; rejects with
   * ConnectionRefusedError, TransportError (CONNECT_TIMEOUT...) or
   * ProtocolViolationError. Attach 'message' listeners before calling it
   * to see messages a persistent session delivers right after CONNACK.
   */
  async connect(): Promise<ConnectResult> {
    if (this.#state !== 'idle' && this.#state !== 'closed') {
      throw new UsageError('INVALID_OPTION', `connect() while ${this.#state}`);
    }
    this.#takeSession();
    this.#state = 'connecting';
    try {
      return await this.#tryConnect();
    } catch (err) {
      this.#finish(err as MqttError);
      throw err;
    }
  }

  /**
   * Publishes a message. QoS 0 resolves once written (after the transport
   * drains, if it was congested), QoS 1 on PUBACK, QoS 2 on PUBCOMP.
   * Rejects with PublishError when the server refuses it (5.0).
   */
  publish(
    topic: string,
    payload: Payload,
    options: PublishOptions = {},
  ): Promise<PublishResult> {
    try {
      this.#checkOpen();
      const packet = buildPublish(topic, payload, options, this.options.protocolVersion);
      checkServerLimits(this.#result?.properties, packet.qos, packet.retain);
      const alias = packet.properties?.topicAlias;
      if (topic === '' && alias !== undefined) {
        const known = this.#outbound.aliasedTopic(alias);
        if (known === undefined) {
          throw new UsageError('TOPIC_ALIAS_INVALID', `topic alias ${alias} is not set`);
        }
        packet.topic = known;
      }
      return this.#outbound.publish(packet);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Subscribes. Resolves with one GrantedSubscription per filter, failures
   * included (reasonCode >= 0x80): a refused filter does not reject.
   */
  async subscribe(
    filters: SubscribeInput,
    options: SubscribeOptions = {},
  ): Promise<SubscribeResult> {
    this.#checkOpen();
    const packet = buildSubscribe(filters, options, this.options.protocolVersion);
    const suback = await this.#requests.send(packet);
    return this.#subscriptions.granted(packet, suback);
  }

  async unsubscribe(
    filters: string | string[],
    options: { properties?: Properties } = {},
  ): Promise<UnsubscribeResult> {
    this.#checkOpen();
    const v = this.options.protocolVersion;
    const packet = buildUnsubscribe(filters, options.properties, v);
    const unsuback = await this.#requests.send(packet);
    return this.#subscriptions.removed(packet, unsuback);
  }

  /**
   * Re-authenticates (5.0 enhanced authentication): sends AUTH
   * ReAuthenticate with `response` and lets the auth handler answer the
   * server's challenges. Resolves with the server's final AUTH Success.
   */
  reauthenticate(response: AuthResponse = {}): Promise<AuthPacket> {
    const method = this.options.properties?.authenticationMethod;
    const conn = this.#conn;
    if (!conn || this.#state !== 'connected') {
      return Promise.reject(new UsageError('NOT_CONNECTED', 'not connected'));
    }
    if (conn.version !== 5 || method === undefined || this.#reauth) {
      const why = 'needs MQTT 5, an authenticationMethod and no re-auth running';
      return Promise.reject(new UsageError('INVALID_OPTION', `reauthenticate() ${why}`));
    }
    return new Promise((resolve, reject) => {
      this.#reauth = { resolve, reject };
      conn.send(authPacket(ReasonCode.ReAuthenticate, method, response));
    });
  }

  /**
   * Sends DISCONNECT and closes; the server discards the will. Pending
   * publishes and requests are rejected with ClientClosedError.
   */
  disconnect(options: DisconnectOptions = {}): Promise<void> {
    const packet: Packet = { type: PacketType.Disconnect };
    if (options.reasonCode !== undefined) packet.reasonCode = options.reasonCode;
    if (options.properties) packet.properties = options.properties;
    return this.#close(packet);
  }

  /**
   * Closes the connection without DISCONNECT, as a network failure would:
   * the server publishes the will. Pending calls are rejected.
   */
  end(): Promise<void> {
    return this.#close(undefined);
  }

  #close(disconnect: Packet | undefined): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
    const closing = new ClientClosedError('CLIENT_CLOSED', 'the client was closed');
    switch (this.#state) {
      case 'connected':
        this.#state = 'closed';
        if (disconnect) this.#conn!.end(disconnect);
        else this.#conn!.destroy();
        break;
      case 'connecting':
        this.#state = 'closed';
        this.#attempt?.controller.abort(closing);
        break;
      case 'reconnecting':
        this.#finish(closing);
        break;
      default:
        // Closed, or a close already under way that will wake us.
        if (!this.#conn && !this.#attempt) this.#wakeCloseWaiters();
    }
    return closed;
  }

  async #tryConnect(): Promise<ConnectResult> {
    const controller = new AbortController();
    const attempt: Attempt = { controller };
    this.#attempt = attempt;
    const ms = this.options.connectTimeout;
    const timer = setTimeout(() => {
      controller.abort(
        new TransportError('CONNECT_TIMEOUT', `no CONNACK within ${ms} ms`),
      );
    }, ms);
    try {
      const link = await openLink(this.options, controller.signal);
      if (controller.signal.aborted) {
        link.destroy();
        throw controller.signal.reason;
      }
      const handshake = new Handshake(
        link,
        this.options,
        this.#clientId,
        this.#tap,
        (conn, result) => this.#established(conn, result),
      );
      attempt.handshake = handshake;
      controller.signal.addEventListener('abort', () => {
        handshake.abort(controller.signal.reason);
      });
      return await handshake.promise;
    } finally {
      clearTimeout(timer);
      if (this.#attempt === attempt) this.#attempt = null;
    }
  }

  /**
   * Runs synchronously on CONNACK, before the next packet is handled:
   * adopt the connection, restore subscriptions the server lost, then
   * resend what is in flight and send what waited, so that messages to
   * our own subscriptions are not missed.
   */
  #established(conn: Connection, result: ConnectResult): void {
    const o = this.options;
    const props = result.properties ?? {};
    this.#conn = conn;
    this.#result = result;
    this.#clientId = result.clientId;
    conn.handler = this.#handler;
    // [MQTT-3.2.2-21] the server's keepalive replaces ours.
    const keepalive = props.serverKeepAlive ?? o.keepalive;
    conn.startKeepalive(keepalive, o.pingTimeout ?? keepalive * 1000);
    const ours = o.protocolVersion === 5 ? (o.properties ?? {}) : {};
    const { sessionPresent } = result;
    this.#inbound.attach(
      conn,
      ours.topicAliasMaximum ?? 0,
      ours.receiveMaximum ?? 65535,
      sessionPresent,
    );
    this.#requests.attach(conn, props.maximumPacketSize ?? 0);
    if (this.#everConnected && !sessionPresent && o.resubscribe) this.#resubscribe();
    const inflight = o.maxInflight > 0 ? o.maxInflight : 65535;
    this.#outbound.attach(conn, {
      inflightMax: Math.min(inflight, props.receiveMaximum ?? 65535),
      maxPacketSize: props.maximumPacketSize ?? 0,
      topicAliasMax: props.topicAliasMaximum ?? 0,
      autoTopicAlias: o.autoTopicAlias ?? false,
    });
    this.#everConnected = true;
    this.#failures = 0;
    this.#state = 'connected';
    this.emit('connect', result);
  }

  #onPacket(packet: Packet): void {
    // After disconnect() the server may still send until the socket
    // closes; the session may be another client's by then.
    if (this.#state === 'closed') return;
    switch (packet.type) {
      case PacketType.Publish:
        this.#inbound.onPublish(packet);
        return;
      case PacketType.Puback:
      case PacketType.Pubrec:
      case PacketType.Pubcomp:
        this.#outbound.onAck(packet);
        return;
      case PacketType.Pubrel:
        this.#inbound.onPubrel(packet);
        return;
      case PacketType.Suback:
      case PacketType.Unsuback:
        this.#requests.onAck(packet);
        return;
      case PacketType.Disconnect:
        this.#onServerDisconnect(packet.reasonCode, packet.properties);
        return;
      case PacketType.Auth:
        this.#onAuth(packet);
        return;
      default:
        // [MQTT-3.2.0-2] a second CONNACK is a protocol error.
        this.#conn?.violation(
          ReasonCode.ProtocolError,
          `unexpected ${PacketType[packet.type]}`,
        );
    }
  }

  #onServerDisconnect(reasonCode: number | undefined, properties?: Properties): void {
    const info: ServerDisconnect = { reasonCode: reasonCode ?? ReasonCode.Success };
    if (properties) info.properties = properties;
    this.emit('disconnect', info);
    this.#conn?.destroy(serverDisconnect(reasonCode, properties));
  }

  #onAuth(packet: AuthPacket): void {
    const conn = this.#conn!;
    const reauth = this.#reauth;
    if (packet.reasonCode === ReasonCode.Success && reauth) {
      this.#reauth = null;
      reauth.resolve(packet);
    } else if (packet.reasonCode === ReasonCode.ContinueAuthentication && reauth) {
      const method = this.options.properties?.authenticationMethod;
      void answerChallenge(conn, packet, method, this.options.auth, true);
    } else {
      // AUTH out of a re-authentication the client started (4.12.1).
      conn.violation(ReasonCode.ProtocolError, 'unexpected AUTH');
    }
  }

  #onConnectionClose(error: MqttError | undefined): void {
    const conn = this.#conn;
    this.#conn = null;
    // A shared session may already serve the next client's connection:
    // only this one's is taken from it.
    this.#inbound.detach(conn);
    this.#requests.detach();
    this.#outbound.detach(conn);
    if (this.#reauth) {
      this.#reauth.reject(error ?? new ClientClosedError('CLIENT_CLOSED', 'closed'));
      this.#reauth = null;
    }
    this.emit('close', error);
    if (this.#state !== 'connected' || !this.options.reconnect) {
      this.#finish(error);
      return;
    }
    this.#scheduleReconnect(error);
  }

  #scheduleReconnect(error: MqttError | undefined): void {
    const policy = this.options.reconnect;
    if (!policy || this.#failures >= policy.maxAttempts) {
      this.#finish(error);
      return;
    }
    const delay = backoffDelay(policy, this.#failures);
    this.#failures++;
    this.#state = 'reconnecting';
    const info: ReconnectInfo = { attempt: this.#failures, delay };
    if (error) info.error = error;
    this.emit('reconnecting', info);
    this.#reconnectTimer = setTimeout(() => this.#reconnect(), delay);
  }

  async #reconnect(): Promise<void> {
    this.#reconnectTimer = undefined;
    this.#state = 'connecting';
    try {
      await this.#tryConnect();
    } catch (err) {
      if (this.#state !== 'connecting') {
        this.#finish(err as MqttError);
        return;
      }
      this.emit('error', err as MqttError);
      this.#scheduleReconnect(err as MqttError);
    }
  }

  /** Closed for good: reject what is pending, wake disconnect() callers. */
  #finish(error: MqttError | undefined): void {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#state = 'closed';
    const failure =
      error ?? new ClientClosedError('CLIENT_CLOSED', 'the client was closed');
    // A shared session keeps its messages for the next client.
    if (!this.options.session) this.#outbound.failAll(failure);
    if (this.#session.owner === this) this.#session.owner = null;
    this.#requests.failAll(failure);
    // A later connect() starts afresh: no automatic resubscribing.
    this.#subscriptions.clear();
    this.#everConnected = false;
    this.#wakeCloseWaiters();
    this.emit('end', error);
  }

  #wakeCloseWaiters(): void {
    const waiters = this.#closeWaiters;
    this.#closeWaiters = [];
    for (const wake of waiters) wake();
  }

  /** One client at a time may use a session given in the options. */
  #takeSession(): void {
    const session = this.#session;
    const owner = session.owner as MqttClient | null;
    if (owner !== null && owner !== this && owner.#state !== 'closed') {
      throw new UsageError('INVALID_OPTION', 'the session is in use by another client');
    }
    session.owner = this;
    session.inbound.deliverTo(this.#deliver);
  }

  #checkOpen(): void {
    if (this.#state === 'idle' || this.#state === 'closed') {
      throw new UsageError('NOT_CONNECTED', `the client is ${this.#state}`);
    }
  }

  /** After a reconnect without session: subscribe to everything again. */
  #resubscribe(): void {
    for (const packet of this.#subscriptions.packets()) {
      this.#requests.send(packet).catch(() => {});
    }
  }
}

/**
 * Connects and resolves with the connected client.
 *
 * @example
 * const client = await connect({ host: '127.0.0.1', port, protocolVersion: 5 });
 * await client.publish('greeting', 'hello', { qos: 1 });
 * await client.disconnect();
 */
export async function connect(options: ClientOptions = {}): Promise<MqttClient> {
  const client = new MqttClient(options);
  await client.connect();
  return client;
}
