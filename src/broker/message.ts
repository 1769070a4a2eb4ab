/**
 * Messages as the broker holds them. Plain data, so a persistence layer can
 * save and restore them; the one exception is `forms`, a cache of encoded
 * bytes that is rebuilt on demand and never persisted.
 */
import type { QoS } from '../protocol/packets.js';
import type { Properties } from '../protocol/properties.js';

/** An application message received once and delivered to many sessions. */
export interface StoredMessage {
  /** Full topic, mount point included. */
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  /**
   * MQTT 5 properties forwarded to subscribers: payload format, content
   * type, response topic, correlation data, user properties. Never the
   * topic alias, subscription identifiers or expiry interval, which are
   * per-delivery.
   */
  properties: Properties | undefined;
  /** Epoch milliseconds after which the message is dropped; 0 = never. */
  expiresAt: number;
  /** Client id of the publisher ('' for the broker itself), for No Local. */
  origin: string;
  /**
   * True once holding `payload` pins no other bytes: a private copy, or a
   * decoded payload that fills its memory (see `fillsItsMemory`).
   */
  owned: boolean;
  /** Encoded PUBLISH bytes by outgoing form; see `formIndex`. */
  forms: Array<Buffer | undefined> | undefined;
  /** Id given by a persistence layer while it holds the message; 0 = none. */
  storeId?: number;
  /**
   * The publisher's username and listener name, kept so check_retain_source
   * can ask again whether it may write the topic of its retained message.
   */
  originUsername?: string | undefined;
  originListener?: string | undefined;
}

/** Where an outgoing QoS 1/2 message is in its handshake. */
export enum OutgoingState {
  /** Queued, not yet sent (no packet id). */
  Queued = 0,
  /** PUBLISH sent, waiting for PUBACK or PUBREC. */
  Publish = 1,
  /** PUBREL sent, waiting for PUBCOMP. */
  Pubrel = 2,
}

/** One message on its way to one session. */
export interface OutgoingMessage {
  message: StoredMessage;
  /** Delivery QoS: the message QoS capped by the subscription QoS. */
  qos: QoS;
  /** The retain flag to send. */
  retain: boolean;
  /** 5.0 Subscription Identifiers of every matching subscription. */
  subscriptionIds: number[] | undefined;
  /** 0 until the message is in flight. */
  packetId: number;
  state: OutgoingState;
  /** Set once sent, so a resend carries DUP [MQTT-4.4.0-1]. */
  sent: boolean;
  /**
   * Id given by a persistence layer once saved; 0 = not saved. The layer
   * may set a negative value on a message that ended unsaved.
   */
  storeId?: number;
}

export function newMessage(
  topic: string,
  payload: Buffer,
  qos: QoS,
  retain: boolean,
  properties: Properties | undefined,
  expiresAt: number,
  origin: string,
): StoredMessage {
  return {
    topic,
    payload,
    qos,
    retain,
    properties,
    expiresAt,
    origin,
    owned: false,
    forms: undefined,
    storeId: 0,
    // Present from the start (see setOrigin) so every message has one shape.
    originUsername: undefined,
    originListener: undefined,
  };
}

/**
 * Makes the payload a private copy. A decoded payload is a view into the
 * socket chunk; holding it in a queue, in flight or as a retained message
 * would pin the whole chunk in memory.
 */
export function ownPayload(msg: StoredMessage): void {
  if (msg.owned) return;
  msg.payload = Buffer.from(msg.payload);
  msg.owned = true;
}

/**
 * True when a decoded payload fills all but a few bytes of the memory under
 * it: a packet the decoder assembled from several chunks, or a chunk that
 * held little else. Holding such a view pins nothing a copy would free, so
 * the message can own it as it is. Only for the decoder's payloads, whose
 * memory nothing writes again (transports never reuse a chunk).
 */
export function fillsItsMemory(payload: Buffer): boolean {
  const extra = payload.buffer.byteLength - payload.length;
  return extra <= 64 || extra * 8 <= payload.length;
}

/** Index of a cached encoding: protocol family x QoS x retain flag. */
export function formIndex(v5: boolean, qos: QoS, retain: boolean): number {
  return (v5 ? 6 : 0) + qos * 2 + (retain ? 1 : 0);
}

export const FORM_COUNT = 12;

/** Records who published a message, for check_retain_source. */
export function setOrigin(
  msg: StoredMessage,
  client: { username: string | undefined; listener: { name: string } },
): void {
  msg.originUsername = client.username;
  msg.originListener = client.listener.name;
}
