/**
 * Session state (MQTT 4.1): what survives a network connection when the
 * client asks for a persistent session. Plain data, so a persistence layer
 * can save and restore it; the live connection is linked, not owned.
 */
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
  /** By the filter as the client sent it, mount point added. */
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  /** Outgoing QoS 1/2 messages in flight, by packet id, in send order. */
  readonly inflight = new Map<number, OutgoingMessage>();
  inflightBytes = 0;
  /** Outgoing messages waiting for room in the in-flight window. */
  readonly queue = new Deque<OutgoingMessage>();
  queuedBytes = 0;
  /**
   * Incoming QoS 2 messages answered with PUBREC and awaiting PUBREL, by
   * packet id; null for one that is not to be delivered (too large).
   * Mosquitto delivers on PUBREL, so a repeated PUBLISH is not re-sent.
   */
  readonly incomingQos2 = new Map<number, StoredMessage | null>();
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

  /** A packet identifier not in use by an in-flight message. */
  allocatePacketId(): number {
    let id = this.nextPacketId;
    // The window is at most 65535 wide, so a free id always exists.
    while (this.inflight.has(id)) id = id === 0xffff ? 1 : id + 1;
    this.nextPacketId = id === 0xffff ? 1 : id + 1;
    return id;
  }
}
