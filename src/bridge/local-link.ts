/**
 * The bridge's session on the local broker: an ordinary MQTT 5 client
 * over an in-process transport, so subscriptions, queue limits, access
 * control and persistence apply to it as to any client.
 *
 * Messages the broker delivers are acknowledged only when the bridge says
 * so (`ack`), after the remote broker has taken them: until then they stay
 * in flight on the local session, and whatever the broker cannot put in
 * flight waits in the session's queue. That queue is where messages for a
 * remote that is down pile up, within max_queued_messages.
 */
import type { Broker, ListenerSettings } from '../broker/index.js';
import {
  type ConnackPacket,
  type Packet,
  PacketType,
  type Properties,
  type PublishPacket,
  type QoS,
  ReasonCode,
  type Subscription,
} from '../protocol/index.js';
import { PacketIdMap } from '../protocol/packet-id-map.js';
import { LinkTransport } from './link-transport.js';

export interface LocalLinkHandlers {
  /** A message from the local broker; QoS 1/2 wait for `ack`. */
  onPublish(packet: PublishPacket): void;
  /** The local broker closed the link (not called after `close`). */
  onClose(): void;
}

export interface LocalConnect {
  clientId: string;
  clean: boolean;
  /** Seconds; 0xFFFFFFFF = the session never expires. */
  sessionExpiry: number;
  username?: string;
  password?: string;
}

/** The local broker refused the bridge's CONNECT. */
export class LocalRefusedError extends Error {
  readonly reasonCode: number;

  constructor(reasonCode: number) {
    super(`local broker refused the bridge (${ReasonCode[reasonCode] ?? reasonCode})`);
    this.reasonCode = reasonCode;
  }
}

interface Pending {
  resolve(packet: Packet): void;
  reject(error: Error): void;
}

export class LocalLink {
  readonly #broker: Broker;
  readonly #settings: ListenerSettings;
  readonly #handlers: LocalLinkHandlers;
  #transport: LinkTransport | null = null;
  #connack: Pending | null = null;
  readonly #pending = new PacketIdMap<Pending>();
  #nextId = 1;
  #connected = false;

  constructor(broker: Broker, settings: ListenerSettings, handlers: LocalLinkHandlers) {
    this.#broker = broker;
    this.#settings = settings;
    this.#handlers = handlers;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Opens the session; rejects with LocalRefusedError if refused. */
  connect(c: LocalConnect): Promise<ConnackPacket> {
    const transport = new LinkTransport({
      onPacket: (p) => this.#onPacket(p),
      onClose: () => this.#onClose(transport),
    });
    this.#transport = transport;
    const result = new Promise<Packet>((resolve, reject) => {
      this.#connack = { resolve, reject };
    });
    this.#broker.accept(transport, this.#settings);
    transport.send({
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 5,
      bridge: false,
      clean: c.clean,
      keepAlive: 0,
      clientId: c.clientId,
      ...(c.username === undefined ? {} : { username: c.username }),
      ...(c.password === undefined ? {} : { password: Buffer.from(c.password) }),
      properties: { sessionExpiryInterval: c.sessionExpiry },
    });
    return result.then((p) => {
      const connack = p as ConnackPacket;
      if (connack.reasonCode !== ReasonCode.Success) {
        throw new LocalRefusedError(connack.reasonCode);
      }
      this.#connected = true;
      return connack;
    });
  }

  /** Resolves with the SUBACK codes, one per subscription. */
  async subscribe(subscriptions: Subscription[]): Promise<number[]> {
    const packetId = this.#allocate();
    const suback = await this.#request(packetId, {
      type: PacketType.Subscribe,
      packetId,
      subscriptions,
    });
    return suback.type === PacketType.Suback ? suback.reasonCodes : [];
  }

  async unsubscribe(topicFilters: string[]): Promise<void> {
    const packetId = this.#allocate();
    await this.#request(packetId, {
      type: PacketType.Unsubscribe,
      packetId,
      topicFilters,
    });
  }

  /** Resolves once the broker has the message (PUBACK or PUBCOMP). */
  publish(
    topic: string,
    payload: Buffer,
    qos: QoS,
    retain: boolean,
    properties?: Properties,
  ): Promise<void> {
    const packet: PublishPacket = {
      type: PacketType.Publish,
      dup: false,
      qos,
      retain,
      topic,
      payload,
    };
    if (properties !== undefined) packet.properties = properties;
    if (qos === 0) {
      this.#send(packet);
      return Promise.resolve();
    }
    packet.packetId = this.#allocate();
    return this.#request(packet.packetId, packet).then(() => undefined);
  }

  /** Acknowledges a QoS 1/2 message: PUBACK, or PUBREC for QoS 2. */
  ack(packet: PublishPacket): void {
    if (packet.qos === 0 || packet.packetId === undefined) return;
    const type = packet.qos === 1 ? PacketType.Puback : PacketType.Pubrec;
    this.#send({ type, packetId: packet.packetId });
  }

  /**
   * Drops the link without DISCONNECT, as a lost network connection: the
   * broker keeps a persistent session and what it had in flight.
   */
  close(): void {
    this.#connected = false;
    this.#transport?.close();
    this.#transport = null;
    this.#failPending();
  }

  /**
   * Ends the connection politely: DISCONNECT, then close. With `forget`
   * the broker discards the session too (Session Expiry Interval 0).
   */
  disconnect(forget = false): void {
    this.#send({
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.Success,
      ...(forget ? { properties: { sessionExpiryInterval: 0 } } : {}),
    });
    this.close();
  }

  #send(packet: Packet): void {
    this.#transport?.send(packet);
  }

  #allocate(): number {
    let id = this.#nextId;
    while (this.#pending.has(id)) id = id === 0xffff ? 1 : id + 1;
    this.#nextId = id === 0xffff ? 1 : id + 1;
    return id;
  }

  #request(packetId: number, packet: Packet): Promise<Packet> {
    if (this.#transport === null) return Promise.reject(new Error('link closed'));
    return new Promise((resolve, reject) => {
      this.#pending.set(packetId, { resolve, reject });
      this.#send(packet);
    });
  }

  #settle(packetId: number, packet: Packet): void {
    const pending = this.#pending.get(packetId);
    if (pending === undefined) return;
    this.#pending.delete(packetId);
    pending.resolve(packet);
  }

  #onPacket(packet: Packet): void {
    switch (packet.type) {
      case PacketType.Connack:
        this.#connack?.resolve(packet);
        this.#connack = null;
        return;
      case PacketType.Publish:
        this.#handlers.onPublish(packet);
        return;
      case PacketType.Pubrel:
        this.#send({ type: PacketType.Pubcomp, packetId: packet.packetId });
        return;
      case PacketType.Pubrec:
        this.#send({ type: PacketType.Pubrel, packetId: packet.packetId });
        return;
      case PacketType.Puback:
      case PacketType.Pubcomp:
      case PacketType.Suback:
      case PacketType.Unsuback:
        this.#settle(packet.packetId, packet);
        return;
      default:
      // DISCONNECT (the broker shuts down or a client took our id over) is
      // followed by the close; nothing else is expected.
    }
  }

  #onClose(transport: LinkTransport): void {
    // A link closed by `close` or replaced by a newer one is done with.
    if (transport !== this.#transport) return;
    this.#transport = null;
    this.#connected = false;
    this.#failPending();
    this.#handlers.onClose();
  }

  #failPending(): void {
    const error = new Error('the local link closed');
    this.#connack?.reject(error);
    this.#connack = null;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
