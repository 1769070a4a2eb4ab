/**
 * Incoming PUBLISH flows (MQTT 4.3). A message is handed to the user once,
 * as soon as its PUBLISH arrives, then acknowledged: PUBACK for QoS 1,
 * PUBREC for QoS 2 with the identifier kept until PUBREL so that a
 * resent PUBLISH is not delivered twice (method B of 4.3.3).
 *
 * The receive path allocates nothing per message beyond the decoded packet,
 * which is itself the message handed to listeners.
 */
import {
  PacketType,
  type PublishPacket,
  type PubrelPacket,
  ReasonCode,
} from '../protocol/index.js';
import { PacketIdMap } from '../protocol/packet-id-map.js';
import type { Connection } from './connection.js';
import { IncomingAliases } from './topic-alias.js';

/** A received message: the decoded PUBLISH, topic alias resolved. */
export interface Message {
  topic: string;
  /** A view into the received bytes; copy it to keep it very long. */
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  dup: boolean;
  /** Present for QoS 1 and 2. */
  packetId?: number;
  /** 5.0 properties as sent, topicAlias included. */
  properties?: PublishPacket['properties'];
}

export class Inbound {
  /** QoS 2 identifiers between PUBREC and PUBREL. */
  readonly #qos2 = new PacketIdMap<true>();
  readonly #aliases = new IncomingAliases();
  #deliver: (message: Message) => void;
  #conn: Connection | null = null;
  #receiveMax = 65535;

  constructor(deliver: (message: Message) => void) {
    this.#deliver = deliver;
  }

  /** Where messages go from now on (the client using the session). */
  deliverTo(deliver: (message: Message) => void): void {
    this.#deliver = deliver;
  }

  /** The session ends: no QoS 2 identifier is remembered any more. */
  forget(): void {
    this.#qos2.clear();
  }

  /**
   * A new connection. Without a session on the server, identifiers from
   * the old one mean nothing any more.
   */
  attach(
    conn: Connection,
    topicAliasMax: number,
    receiveMax: number,
    sessionPresent: boolean,
  ): void {
    this.#conn = conn;
    this.#aliases.reset(topicAliasMax);
    this.#receiveMax = receiveMax;
    if (!sessionPresent) this.#qos2.clear();
  }

  /** The connection `conn` is gone; a later one's is left alone. */
  detach(conn: Connection | null): void {
    if (conn === this.#conn) this.#conn = null;
  }

  onPublish(packet: PublishPacket): void {
    const conn = this.#conn!;
    if (conn.version === 5 && !this.#resolveAlias(conn, packet)) return;
    if (packet.qos === 0) {
      this.#deliver(packet);
      return;
    }
    const packetId = packet.packetId!;
    if (packet.qos === 1) {
      this.#deliver(packet);
      conn.send({ type: PacketType.Puback, packetId });
      return;
    }
    if (!this.#qos2.has(packetId)) {
      if (this.#qos2.size >= this.#receiveMax) {
        // [MQTT-3.3.4-9] the server must respect our receiveMaximum.
        const message = `server exceeded receive maximum ${this.#receiveMax}`;
        conn.violation(ReasonCode.ReceiveMaximumExceeded, message);
        return;
      }
      this.#qos2.set(packetId, true);
      this.#deliver(packet);
    }
    conn.send({ type: PacketType.Pubrec, packetId });
  }

  onPubrel(packet: PubrelPacket): void {
    const known = this.#qos2.delete(packet.packetId);
    const reasonCode = known ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound;
    this.#conn!.send({ type: PacketType.Pubcomp, packetId: packet.packetId, reasonCode });
  }

  #resolveAlias(conn: Connection, packet: PublishPacket): boolean {
    const outcome = this.#aliases.resolve(packet);
    if (outcome === 'ok') return true;
    if (outcome === 'range') {
      const alias = packet.properties?.topicAlias;
      conn.violation(ReasonCode.TopicAliasInvalid, `server used topic alias ${alias}`);
    } else {
      conn.violation(ReasonCode.ProtocolError, 'server used an unknown topic alias');
    }
    return false;
  }
}
