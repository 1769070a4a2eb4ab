/**
 * Turns a store's rows back into broker state at start-up: sessions with
 * their subscriptions, outgoing messages (in flight by packet id, queued in
 * order), incoming QoS 2 messages awaiting PUBREL and pending wills; then
 * retained messages. Rows of a session that is not there are collected for
 * removal rather than trusted. Outgoing rows with the same message key
 * share one message in memory again.
 */
import { type Broker, NEVER_EXPIRES, Session } from '../broker/index.js';
import {
  newMessage,
  type OutgoingMessage,
  OutgoingState,
  type StoredMessage,
} from '../broker/message.js';
import { isPacketId } from '../protocol/packet-id-map.js';
import {
  type Batch,
  emptyBatch,
  type IncomingRow,
  type OutgoingRow,
  type SavedMessage,
  type SessionRow,
  type StoreContents,
} from './store.js';

export interface AdoptedSession {
  session: Session;
  /** Its outgoing messages as saved, each with its `storeId` (seq). */
  outs: Set<OutgoingMessage>;
  /** The saved row no longer matches: it must be written again (or removed). */
  stale: boolean;
  /** Saved expiry time to put back once the broker has the session. */
  expiresAt: number;
}

export interface Adopted {
  sessions: AdoptedSession[];
  retained: number;
  maxSeq: number;
  maxMessageKey: number;
  /** Rows to remove from the store: orphans and expired retained messages. */
  leftovers: Batch;
}

/** A saved message as the broker holds it; `id` 0 for one saved inline. */
export function toStored(m: SavedMessage, id: number): StoredMessage {
  const msg = newMessage(
    m.topic,
    m.payload,
    m.qos,
    m.retain,
    m.properties,
    m.expiresAt,
    m.origin,
  );
  msg.owned = true;
  msg.storeId = id;
  return msg;
}

export function adoptContents(
  broker: Broker,
  c: StoreContents,
  now: number = Date.now(),
): Adopted {
  const leftovers = emptyBatch();
  const pce = broker.options.persistentClientExpiration;
  const byId = new Map<string, AdoptedSession>();
  for (const row of c.sessions) byId.set(row.clientId, newSession(row, pce));
  for (const sub of c.subscriptions) {
    const a = byId.get(sub.clientId);
    if (a === undefined) leftovers.removedSessions.push(sub.clientId);
    else a.session.subscriptions.set(sub.key, { ...sub.record });
  }
  let maxSeq = 0;
  let maxMessageKey = 0;
  const messages = new Map<number, StoredMessage>();
  for (const row of c.outgoing) {
    maxSeq = Math.max(maxSeq, row.seq);
    maxMessageKey = Math.max(maxMessageKey, row.messageKey);
    const a = byId.get(row.clientId);
    if (a === undefined) {
      leftovers.removedOutgoing.push(row.seq);
      continue;
    }
    let message = messages.get(row.messageKey);
    if (message === undefined) {
      message = toStored(row.message, row.messageKey);
      messages.set(row.messageKey, message);
    }
    addOutgoing(a, row, message);
  }
  for (const row of c.incoming) {
    const a = byId.get(row.clientId);
    const message = row.message && toStored(row.message, 0);
    if (a === undefined) leftovers.removedSessions.push(row.clientId);
    // Saved files are not trusted to hold an id in range.
    else if (!isPacketId(row.packetId)) leftovers.removedIncoming.push(idOf(row));
    else a.session.incomingQos2.set(row.packetId, message);
  }
  for (const a of byId.values()) putBack(broker, a);
  let retained = 0;
  for (const m of c.retained) {
    if (m.expiresAt !== 0 && m.expiresAt <= now) {
      leftovers.removedRetained.push(m.topic);
      continue;
    }
    broker.restoreRetained(toStored(m, 0));
    retained++;
  }
  return {
    sessions: [...byId.values()],
    retained,
    maxSeq,
    maxMessageKey,
    leftovers,
  };
}

function newSession(row: SessionRow, pce: number): AdoptedSession {
  const session = new Session(row.clientId);
  let interval = row.expiryInterval;
  let stale = false;
  // persistent_client_expiration bounds sessions that would never expire,
  // as it does at CONNECT; it may have been set since they were saved.
  if (interval === NEVER_EXPIRES && pce > 0) {
    interval = pce;
    stale = true;
  }
  session.expiryInterval = interval;
  session.nextPacketId =
    row.nextPacketId > 0 && row.nextPacketId <= 0xffff ? row.nextPacketId : 1;
  const will = row.will;
  if (will !== undefined) {
    session.pendingWill = {
      message: toStored(will.message, 0),
      publishAt: will.publishAt,
    };
  }
  return { session, outs: new Set(), stale, expiresAt: row.expiresAt };
}

function addOutgoing(a: AdoptedSession, row: OutgoingRow, message: StoredMessage): void {
  const session = a.session;
  // A damaged id (none but 1-65535 is sent) leaves the message queued.
  const inflight = isPacketId(row.packetId);
  const out: OutgoingMessage = {
    message,
    qos: row.qos,
    retain: row.retain,
    subscriptionIds: row.subscriptionIds,
    packetId: row.packetId,
    state:
      inflight && row.state === OutgoingState.Queued ? OutgoingState.Publish : row.state,
    sent: row.sent,
    storeId: row.seq,
  };
  if (!inflight) out.state = OutgoingState.Queued;
  const size = message.payload.length;
  if (inflight) {
    session.inflight.set(row.packetId, out);
    session.inflightBytes += size;
  } else {
    session.queue.push(out);
    session.queuedBytes += size;
  }
  a.outs.add(out);
}

/** Hands the session to the broker and puts its saved expiry time back. */
function putBack(broker: Broker, a: AdoptedSession): void {
  const session = a.session;
  broker.restoreSession(session);
  if (broker.session(session.clientId) !== session) {
    a.stale = true;
    return;
  }
  if (a.expiresAt !== 0 && session.expiryInterval !== NEVER_EXPIRES && !a.stale) {
    session.expiresAt = a.expiresAt;
  }
}

function idOf(row: IncomingRow): { clientId: string; packetId: number } {
  return { clientId: row.clientId, packetId: row.packetId };
}
