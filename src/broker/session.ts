/**
 * Session state (MQTT 4.1): what survives a network connection when the
 * client asks for a persistent session. Plain data, so a persistence layer
 * can save and restore it; the live connection is linked, not owned.
 *
 * Memory: most sessions of a large fleet are idle, and an empty Map still
 * costs about 200 bytes (its hash table), an empty PacketIdMap about 600
 * (its three arrays), so they are made on first use. An idle session
 * holds none of them.
 */

import { PacketIdMap } from '../protocol/packet-id-map.js';
import type { QoS } from '../protocol/packets.js';
import type { Connection } from './connection.js';
import { Deque } from './deque.js';
import type { ClientInfo } from './hooks.js';
import type { OutgoingMessage, StoredMessage } from './message.js';

/** Session Expiry Interval meaning "never expires" [MQTT-3.1.2-23]. */
export const NEVER_EXPIRES = 0xffffffff;

/** One subscription of one session. */
export interface SubscriptionRecord {
  /** Filter as matched in the tree: mount point added, `$share/g/` removed. */
  filter: string;
  /** Shared subscription group, '' when not shared. */
  group: string;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: 0 | 1 | 2;
  /** 5.0 Subscription Identifier; 0 = none. */
  identifier: number;
}

/** A will waiting for its Will Delay Interval [MQTT-3.1.3-9]. */
export interface PendingWill {
  message: StoredMessage;
  /** Epoch milliseconds at which it is published. */
  publishAt: number;
}

export class Session {
  readonly clientId: string;
  #subscriptions: Map<string, SubscriptionRecord> | undefined = undefined;
  #inflight: PacketIdMap<OutgoingMessage> | undefined = undefined;
  #incomingQos2: PacketIdMap<StoredMessage | null> | undefined = undefined;
  inflightBytes = 0;
  /** Outgoing messages waiting for room in the in-flight window. */
  readonly queue = new Deque<OutgoingMessage>();
  queuedBytes = 0;
  nextPacketId = 1;
  /** Seconds the session outlives its connection; NEVER_EXPIRES = never. */
  expiryInterval = 0;
  /** Epoch milliseconds at which an offline session ends; 0 = never. */
  expiresAt = 0;
  pendingWill: PendingWill | undefined = undefined;
  /** Who the client was when last connected, for access checks. */
  client: ClientInfo | undefined = undefined;
  /** The live connection, null while the client is away. */
  connection: Connection | null = null;
  /** Scratch for routing: the routing pass that last matched this session. */
  matchSeq = 0;
  matchIndex = 0;

  constructor(clientId: string) {
    this.clientId = clientId;
  }

  /** By the filter as the client sent it, mount point added. */
  get subscriptions(): Map<string, SubscriptionRecord> {
    if (this.#subscriptions === undefined) this.#subscriptions = new Map();
    return this.#subscriptions;
  }

  /** Outgoing QoS 1/2 messages in flight, by packet id, in send order. */
  get inflight(): PacketIdMap<OutgoingMessage> {
    if (this.#inflight === undefined) this.#inflight = new PacketIdMap();
    return this.#inflight;
  }

  /**
   * Incoming QoS 2 messages answered with PUBREC and awaiting PUBREL, by
   * packet id; null for one that is not to be delivered (too large).
   * Mosquitto delivers on PUBREL, so a repeated PUBLISH is not re-sent.
   */
  get incomingQos2(): PacketIdMap<StoredMessage | null> {
    if (this.#incomingQos2 === undefined) this.#incomingQos2 = new PacketIdMap();
    return this.#incomingQos2;
  }

  /** Subscriptions, without making the map for a session that has none. */
  get subscriptionCount(): number {
    return this.#subscriptions === undefined ? 0 : this.#subscriptions.size;
  }

  /** A packet identifier not in use by an in-flight message. */
  allocatePacketId(): number {
    let id = this.nextPacketId;
    // The window is at most 65535 wide, so a free id always exists.
    const inflight = this.inflight;
    while (inflight.has(id)) id = id === 0xffff ? 1 : id + 1;
    this.nextPacketId = id === 0xffff ? 1 : id + 1;
    return id;
  }
}
