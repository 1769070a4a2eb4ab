/**
 * SUBSCRIBE and UNSUBSCRIBE awaiting their SUBACK/UNSUBACK. A request made
 * while offline waits for the next connection; one sent but unanswered
 * when the connection drops is sent again on the next one.
 */
import {
  encode,
  PacketType,
  type SubackPacket,
  type SubscribePacket,
  type UnsubackPacket,
  type UnsubscribePacket,
} from '../protocol/index.js';
import type { Connection } from './connection.js';
import { UsageError } from './errors.js';
import type { PacketIds } from './packet-ids.js';

type Request = SubscribePacket | UnsubscribePacket;
type Ack<R extends Request> = R extends SubscribePacket ? SubackPacket : UnsubackPacket;

interface Pending {
  packet: Request;
  resolve(ack: SubackPacket | UnsubackPacket): void;
  reject(error: Error): void;
}

export class Requests {
  readonly #ids: PacketIds;
  readonly #pending = new Map<number, Pending>();
  #conn: Connection | null = null;
  #maxPacketSize = 0;

  constructor(ids: PacketIds) {
    this.#ids = ids;
  }

  /** Sends `packet` (its packetId is assigned here) and awaits the ack. */
  send<R extends Request>(packet: R): Promise<Ack<R>> {
    return new Promise((resolve, reject) => {
      const id = this.#ids.allocate();
      if (id === 0) {
        // LIMIT(feature): with 65535 requests and publishes outstanding
        // the call fails rather than waiting for an identifier.
        reject(new UsageError('NOT_CONNECTED', 'no packet identifier free'));
        return;
      }
      packet.packetId = id;
      const pending = { packet, resolve, reject } as Pending;
      this.#pending.set(id, pending);
      if (this.#conn) this.#transmit(this.#conn, pending);
    });
  }

  /** `maxPacketSize` is the server's, from CONNACK (0 = none). */
  attach(conn: Connection, maxPacketSize: number): void {
    this.#conn = conn;
    this.#maxPacketSize = maxPacketSize;
    for (const pending of this.#pending.values()) this.#transmit(conn, pending);
  }

  #transmit(conn: Connection, pending: Pending): void {
    const packet = pending.packet;
    const bytes = encode(packet, conn.version);
    const max = this.#maxPacketSize;
    if (max > 0 && bytes.length > max) {
      // [MQTT-3.1.2-24] nothing larger than the server's maximum.
      this.#pending.delete(packet.packetId);
      this.#ids.release(packet.packetId);
      const what = PacketType[packet.type].toUpperCase();
      const size = `${bytes.length} bytes`;
      const message = `${what} of ${size} over the server's maximum of ${max}`;
      pending.reject(new UsageError('PACKET_TOO_LARGE', message));
      return;
    }
    conn.sendEncoded(packet, bytes);
  }

  detach(): void {
    this.#conn = null;
  }

  onAck(packet: SubackPacket | UnsubackPacket): void {
    const pending = this.#pending.get(packet.packetId);
    if (!pending) return;
    const expected =
      pending.packet.type === PacketType.Subscribe
        ? PacketType.Suback
        : PacketType.Unsuback;
    if (packet.type !== expected) return;
    this.#pending.delete(packet.packetId);
    this.#ids.release(packet.packetId);
    pending.resolve(packet);
  }

  failAll(error: Error): void {
    for (const [id, pending] of this.#pending) {
      this.#ids.release(id);
      pending.reject(error);
    }
    this.#pending.clear();
  }
}
