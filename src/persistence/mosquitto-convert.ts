/**
 * From the chunks of a mosquitto.db to midge's rows. Mosquitto keeps each
 * client message with a state from its own flow; midge keeps a queue and
 * an in-flight window, so:
 * - queued (11), and accepted but not yet sent (publish_qos0/1/2: 1, 2, 4)
 *   go to the queue, in file order;
 * - sent and waiting for PUBACK or PUBREC (3, 5) are in flight, resent
 *   with DUP on reconnect;
 * - waiting for PUBCOMP, or PUBREL still to send (9, 6) are in flight at
 *   the PUBREL step;
 * - incoming QoS 2 messages waiting for PUBREL (7) stay held for it.
 */
import { NEVER_EXPIRES } from '../broker/index.js';
import { OutgoingState } from '../broker/message.js';
import { parseSharedSubscription, type QoS } from '../protocol/index.js';
import { decodeProperties, forwardedOnly } from './codec.js';
import type { ClientMsgChunk, MsgStoreChunk, SubChunk } from './mosquitto-chunks.js';
import type { MosquittoChunks } from './mosquitto-db.js';
import {
  emptyContents,
  type SavedMessage,
  type SessionRow,
  type StoreContents,
} from './store.js';

const DIRECTION_IN = 0;
const DIRECTION_OUT = 1;

const QUEUED_STATES = new Set([1, 2, 4, 11]);
const PUBLISH_STATES = new Set([3, 5]);
const PUBREL_STATES = new Set([6, 9]);
const WAIT_FOR_PUBREL = 7;

class Converter {
  readonly out: StoreContents = emptyContents();
  readonly skipped = new Map<string, number>();
  readonly #chunks: MosquittoChunks;
  readonly #now: number;
  readonly #sessions = new Map<string, SessionRow>();

  constructor(chunks: MosquittoChunks, now: number) {
    this.#chunks = chunks;
    this.#now = now;
  }

  skip(why: string): void {
    this.skipped.set(why, (this.skipped.get(why) ?? 0) + 1);
  }

  run(): void {
    const c = this.#chunks;
    for (const client of c.clients.values()) {
      const interval = client.expiryInterval ?? NEVER_EXPIRES;
      if (interval === 0) {
        this.skip('sessions that end with their connection');
        continue;
      }
      const expires = interval !== NEVER_EXPIRES && client.expiryTime > 0;
      this.#sessions.set(client.clientId, {
        clientId: client.clientId,
        expiryInterval: interval,
        expiresAt: expires ? client.expiryTime * 1000 : 0,
        nextPacketId: (client.lastMid % 0xffff) + 1,
        username: client.username,
        will: undefined,
      });
    }
    for (const s of c.subs) this.#subscription(s);
    for (let i = 0; i < c.clientMsgs.length; i++) {
      this.#clientMessage(c.clientMsgs[i] as ClientMsgChunk, i + 1);
    }
    for (const id of c.retained) this.#retained(id);
    this.out.sessions.push(...this.#sessions.values());
  }

  /** A client named only by its other chunks, kept as Mosquitto does. */
  #session(clientId: string): SessionRow | undefined {
    if (clientId === '') return undefined;
    let s = this.#sessions.get(clientId);
    if (s === undefined && !this.#chunks.clients.has(clientId)) {
      s = {
        clientId,
        expiryInterval: NEVER_EXPIRES,
        expiresAt: 0,
        nextPacketId: 1,
        username: undefined,
        will: undefined,
      };
      this.#sessions.set(clientId, s);
    }
    return s;
  }

  #subscription(s: SubChunk): void {
    if (this.#session(s.clientId) === undefined) return;
    const shared = parseSharedSubscription(s.topic);
    this.out.subscriptions.push({
      clientId: s.clientId,
      key: s.topic,
      record: {
        filter: shared?.filter ?? s.topic,
        group: shared?.group ?? '',
        qos: (s.qos & 3) as QoS,
        noLocal: (s.options & 0x04) !== 0,
        retainAsPublished: (s.options & 0x08) !== 0,
        // Not in the file: Mosquitto does not keep it either.
        retainHandling: 0,
        identifier: s.identifier,
      },
    });
  }

  #clientMessage(m: ClientMsgChunk, seq: number): void {
    const session = this.#session(m.clientId);
    if (session === undefined) return;
    const chunk = this.#chunks.messages.get(m.storeId);
    const message = chunk && this.#message(chunk);
    if (m.direction === DIRECTION_IN) {
      if (m.state !== WAIT_FOR_PUBREL) {
        this.skip('incoming messages in an unknown state');
        return;
      }
      // No PUBREL can name id 0 [MQTT-2.2.1-3]: the row is damaged.
      if (m.mid === 0) {
        this.skip('incoming messages without a packet identifier');
        return;
      }
      const packetId = m.mid;
      this.out.incoming.push({
        clientId: m.clientId,
        packetId,
        message: message ?? null,
      });
      return;
    }
    if (m.direction !== DIRECTION_OUT) return;
    if (message === undefined) {
      this.skip('client messages whose message expired or is missing');
      return;
    }
    const place = placeOf(m);
    if (place === undefined) {
      this.skip('client messages in an unknown state');
      return;
    }
    this.out.outgoing.push({
      seq,
      clientId: m.clientId,
      messageKey: m.storeId,
      message,
      qos: (Math.min(m.qos, message.qos) & 3) as QoS,
      retain: m.retain,
      subscriptionIds: propertiesOf(m.properties)?.subscriptionIdentifiers,
      packetId: place.inflight ? m.mid : 0,
      state: place.state,
      sent: place.inflight,
    });
  }

  #retained(storeId: number): void {
    const chunk = this.#chunks.messages.get(storeId);
    const message = chunk && this.#message(chunk);
    if (message === undefined) {
      this.skip('retained messages that expired or are missing');
      return;
    }
    if (message.topic.startsWith('$SYS')) return;
    this.out.retained.push({ ...message, retain: true });
  }

  #message(c: MsgStoreChunk): SavedMessage | undefined {
    const expiresAt = c.expiryTime > 0 ? c.expiryTime * 1000 : 0;
    if (expiresAt !== 0 && expiresAt <= this.#now) return undefined;
    return {
      topic: c.topic,
      payload: c.payload,
      qos: (c.qos & 3) as QoS,
      retain: c.retain,
      properties: forwardedOnly(propertiesOf(c.properties)),
      expiresAt,
      origin: c.sourceId,
    };
  }
}

/** Where an outgoing client message goes in midge's session. */
function placeOf(
  m: ClientMsgChunk,
): { inflight: boolean; state: OutgoingState } | undefined {
  if (QUEUED_STATES.has(m.state)) return { inflight: false, state: OutgoingState.Queued };
  if (m.mid === 0 || m.qos === 0) return undefined;
  if (PUBLISH_STATES.has(m.state))
    return { inflight: true, state: OutgoingState.Publish };
  if (PUBREL_STATES.has(m.state) && m.qos === 2) {
    return { inflight: true, state: OutgoingState.Pubrel };
  }
  return undefined;
}

/** Properties of a chunk; ones that do not read are left out. */
function propertiesOf(block: Buffer | undefined) {
  if (block === undefined) return undefined;
  try {
    return decodeProperties(block);
  } catch {
    return undefined;
  }
}

export function mosquittoContents(
  chunks: MosquittoChunks,
  now: number,
): { contents: StoreContents; skipped: string[] } {
  const c = new Converter(chunks, now);
  c.run();
  if (chunks.unknown > 0) c.skipped.set('chunks of an unknown type', chunks.unknown);
  const skipped = [...c.skipped].map(([why, n]) => `${n} ${why}`);
  return { contents: c.out, skipped };
}
