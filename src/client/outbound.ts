/**
 * Outgoing PUBLISH flows (MQTT 4.3): QoS 0 goes out at once; QoS 1 and 2
 * take a packet identifier and a slot of the in-flight window, the
 * smaller of `maxInflight` and the server's receiveMaximum [MQTT-4.9.0-2].
 * Messages beyond the window, or sent while offline, wait in a FIFO.
 *
 * Everything in flight survives a lost connection: on the next connection
 * unacknowledged PUBLISH packets are sent again with DUP set and PUBREL
 * packets again, in their original order and with their original
 * identifiers [MQTT-4.4.0-1] [MQTT-3.3.1-1]. This client resends even when
 * the server has no session: a QoS 1/2 message is then delivered at least
 * once rather than silently dropped.
 */
import {
  type AckPacket,
  encode,
  PacketType,
  type Properties,
  type PublishPacket,
  ReasonCode,
} from '../protocol/index.js';
import { PacketIdMap } from '../protocol/packet-id-map.js';
import type { Connection } from './connection.js';
import { PublishError, UsageError } from './errors.js';
import type { PacketIds } from './packet-ids.js';
import { OutgoingAliases } from './topic-alias.js';

export interface PublishResult {
  /** The identifier used (QoS 1/2). */
  packetId?: number;
  /** From PUBACK (QoS 1) or PUBCOMP (QoS 2); Success for QoS 0 and 3.x. */
  reasonCode: number;
  /** 5.0 properties of that ack (reasonString, userProperties). */
  properties?: Properties;
}

/** What the server accepts, from CONNACK. */
export interface SendLimits {
  inflightMax: number;
  /** 0 = no limit. */
  maxPacketSize: number;
  topicAliasMax: number;
  autoTopicAlias: boolean;
}

interface Outgoing {
  packet: PublishPacket;
  /** 1: waiting for PUBACK/PUBREC; 2: PUBREL sent, waiting for PUBCOMP. */
  stage: 1 | 2;
  resolve(result: PublishResult): void;
  reject(error: Error): void;
}

const QOS0_DONE: PublishResult = Object.freeze({ reasonCode: ReasonCode.Success });

type PubAck = AckPacket<PacketType.Puback | PacketType.Pubrec | PacketType.Pubcomp>;

export class Outbound {
  readonly #ids: PacketIds;
  readonly #aliases = new OutgoingAliases();
  #conn: Connection | null = null;
  #limits: SendLimits = {
    inflightMax: 0,
    maxPacketSize: 0,
    topicAliasMax: 0,
    autoTopicAlias: false,
  };
  /** Insertion order is send order, which a resend keeps. */
  readonly #inflight = new PacketIdMap<Outgoing>();
  /** In flight, but not yet sent again on this connection (in order). */
  readonly #unsent = new Set<Outgoing>();
  // LIMIT(memory): the queue has no bound; a producer that keeps
  // publishing through a long outage grows it until the connection is back.
  #queue: Outgoing[] = [];
  #queueHead = 0;
  /** QoS 0 publishes resolved once the transport drains. */
  #drainWaiters: Outgoing[] = [];

  constructor(ids: PacketIds) {
    this.#ids = ids;
  }

  get inflightCount(): number {
    return this.#inflight.size;
  }

  get queuedCount(): number {
    return this.#queue.length - this.#queueHead;
  }

  /** The topic the server knows under `alias` on this connection. */
  aliasedTopic(alias: number): string | undefined {
    return this.#aliases.topicOf(alias);
  }

  /** Sends or queues `packet` (validated by the caller). */
  publish(packet: PublishPacket): Promise<PublishResult> {
    return new Promise((resolve, reject) => {
      const entry: Outgoing = { packet, stage: 1, resolve, reject };
      if (this.#canSendNow(packet)) this.#send(entry);
      else this.#queue.push(entry);
    });
  }

  #canSendNow(packet: PublishPacket): boolean {
    if (!this.#conn) return false;
    if (packet.qos === 0) return true;
    return this.queuedCount === 0 && this.#hasSlot();
  }

  /**
   * Room in the window, and a free identifier: with no limit on either
   * side (maxInflight 0, 3.1.1) SUBSCRIBE requests can hold the ids the
   * window would otherwise leave free.
   */
  #hasSlot(): boolean {
    // LIMIT(feature): a publish that waits for an identifier held by a
    // SUBSCRIBE goes when some publish completes, not when the SUBACK comes.
    return this.#inflight.size < this.#limits.inflightMax && this.#ids.inUse < 65535;
  }

  /**
   * A new connection: resend what is in flight, then the queue. PUBREL
   * packets all go again, but PUBLISH packets only as far as the server's
   * Receive Maximum allows: it may be lower than on the connection they
   * were first sent on [MQTT-3.3.4-9]. The others keep their identifiers
   * and go, in order, as acknowledgements free the window.
   */
  attach(conn: Connection, limits: SendLimits): void {
    this.#conn = conn;
    this.#limits = limits;
    this.#aliases.reset(limits.topicAliasMax, limits.autoTopicAlias);
    this.#unsent.clear();
    // In the order first sent, as far as the window goes.
    let onWire = 0;
    for (const entry of this.#inflight.values()) {
      onWire++;
      if (entry.stage === 2) {
        conn.send({ type: PacketType.Pubrel, packetId: entry.packet.packetId! });
        continue;
      }
      entry.packet.dup = true;
      if (this.#unsent.size === 0 && onWire <= limits.inflightMax) this.#transmit(entry);
      else this.#unsent.add(entry);
    }
    this.#drainQueue();
  }

  /** The connection `conn` is gone; a later one's is left alone. */
  detach(conn: Connection | null): void {
    if (conn !== this.#conn) return;
    this.#conn = null;
    this.#unsent.clear();
    // QoS 0 is at most once: what the dead socket held is gone.
    this.onDrain();
  }

  onDrain(): void {
    const waiters = this.#drainWaiters;
    if (waiters.length === 0) return;
    this.#drainWaiters = [];
    for (const entry of waiters) entry.resolve(QOS0_DONE);
  }

  /** PUBACK, PUBREC or PUBCOMP from the server. */
  onAck(packet: PubAck): void {
    const entry = this.#inflight.get(packet.packetId);
    if (!entry) {
      // An ack for nothing in flight (a late duplicate) is ignored, but a
      // PUBREC still gets its PUBREL [MQTT-4.3.3-4], as the broker (and
      // Mosquitto) answer it: else the server's QoS 2 flow never ends.
      const ok = (packet.reasonCode ?? ReasonCode.Success) < 0x80;
      if (packet.type === PacketType.Pubrec && ok) {
        this.#conn?.send({ type: PacketType.Pubrel, packetId: packet.packetId });
      }
      return;
    }
    const code = packet.reasonCode ?? ReasonCode.Success;
    const qos = entry.packet.qos;
    if (packet.type === PacketType.Puback) {
      if (qos === 1) this.#finish(entry, packet, code);
    } else if (packet.type === PacketType.Pubrec) {
      if (qos !== 2) return;
      if (code >= 0x80) {
        this.#finish(entry, packet, code);
        return;
      }
      entry.stage = 2;
      this.#conn?.send({ type: PacketType.Pubrel, packetId: packet.packetId });
    } else if (qos === 2 && entry.stage === 2) {
      // PacketIdentifierNotFound in PUBCOMP: a server without our session
      // already took the message at PUBREC; it resolves with that code.
      this.#finish(entry, packet, code, false);
    }
  }

  /** Rejects everything in flight or queued; the client is done. */
  failAll(error: Error): void {
    for (const [id, entry] of this.#inflight) {
      this.#ids.release(id);
      entry.reject(error);
    }
    this.#inflight.clear();
    this.#unsent.clear();
    const queue = this.#queue.slice(this.#queueHead);
    this.#queue = [];
    this.#queueHead = 0;
    for (const entry of queue) entry.reject(error);
    this.onDrain();
  }

  #finish(entry: Outgoing, packet: PubAck, code: number, canFail = true): void {
    const id = packet.packetId;
    this.#inflight.delete(id);
    this.#unsent.delete(entry);
    this.#ids.release(id);
    if (canFail && code >= 0x80) {
      const name = ReasonCode[code] ?? String(code);
      const message = `server refused PUBLISH to '${entry.packet.topic}': ${name}`;
      const details = { reasonCode: code, properties: packet.properties };
      entry.reject(new PublishError('PUBLISH_REFUSED', message, details));
    } else {
      const result: PublishResult = { packetId: id, reasonCode: code };
      if (packet.properties) result.properties = packet.properties;
      entry.resolve(result);
    }
    this.#drainQueue();
  }

  #drainQueue(): void {
    this.#resendUnsent();
    const queue = this.#queue;
    while (this.#conn && this.#queueHead < queue.length) {
      const next = queue[this.#queueHead]!;
      if (next.packet.qos > 0 && !this.#hasSlot()) break;
      queue[this.#queueHead++] = undefined as unknown as Outgoing;
      this.#send(next);
    }
    if (this.#queueHead === queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > queue.length) {
      this.#queue = queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
  }

  /** Resends in-flight PUBLISH packets while the window has room. */
  #resendUnsent(): void {
    const window = this.#limits.inflightMax;
    for (const entry of this.#unsent) {
      if (!this.#conn || this.#inflight.size - this.#unsent.size >= window) return;
      this.#unsent.delete(entry);
      this.#transmit(entry);
    }
  }

  /** First transmission: take an id and a slot for QoS 1/2. */
  #send(entry: Outgoing): void {
    const packet = entry.packet;
    if (packet.qos > 0) {
      // #hasSlot() saw a free identifier.
      packet.packetId = this.#ids.allocate();
      this.#inflight.set(packet.packetId, entry);
    }
    if (!this.#transmit(entry)) return;
    if (packet.qos > 0) return;
    if (this.#conn?.congested) this.#drainWaiters.push(entry);
    else entry.resolve(QOS0_DONE);
  }

  /** Encodes and writes; false (and the entry rejected) if it cannot go. */
  #transmit(entry: Outgoing): boolean {
    const packet = entry.packet;
    let wire = packet;
    try {
      wire = this.#aliases.apply(packet);
      const bytes = encode(wire, this.#conn!.version);
      const max = this.#limits.maxPacketSize;
      if (max > 0 && bytes.length > max) {
        this.#aliases.forget(wire);
        // [MQTT-3.1.2-24] nothing larger than the server's maximum.
        throw new UsageError(
          'PACKET_TOO_LARGE',
          `PUBLISH of ${bytes.length} bytes over the server's maximum of ${max}`,
        );
      }
      this.#conn!.sendEncoded(wire, bytes);
      return true;
    } catch (error) {
      this.#drop(entry);
      entry.reject(error as Error);
      return false;
    }
  }

  #drop(entry: Outgoing): void {
    const id = entry.packet.packetId;
    if (entry.packet.qos === 0 || id === undefined) return;
    this.#inflight.delete(id);
    this.#unsent.delete(entry);
    this.#ids.release(id);
  }
}
