/**
 * Outgoing messages to one session: the in-flight window, the queue behind
 * it, and the bytes on the wire.
 *
 * Each message is encoded once per distinct outgoing form (protocol family,
 * QoS, retain flag) and the bytes are shared by every subscriber taking that
 * form; a QoS 1/2 copy differs only in its packet identifier, so it is a
 * byte copy with two bytes patched. Forms that differ per recipient (mount
 * point, subscription identifiers, topic alias, remaining expiry) are
 * encoded per delivery. A large payload is never copied into a form: the
 * form is the PUBLISH header alone and the payload follows it as a buffer
 * of its own (see SPLIT_PAYLOAD).
 */
import {
  encode,
  encodePublishHeader,
  PacketType,
  type Properties,
  type ProtocolVersion,
  PUBLISH_DUP,
  type PublishPacket,
  publishPacketIdOffset,
  type QoS,
} from '../protocol/index.js';
import type { Connection } from './connection.js';
import type { BrokerCore } from './core.js';
import { isBackedUp } from './flow-control.js';
import {
  FORM_COUNT,
  formIndex,
  type OutgoingMessage,
  OutgoingState,
  ownPayload,
  type StoredMessage,
} from './message.js';
import type { Session } from './session.js';

/**
 * Bytes a client may have waiting in its transport before QoS 0 messages
 * to it are dropped as to a client that cannot keep up. Publishers are
 * held back well before (./flow-control.ts), so this applies to clients
 * that stopped reading for longer than flow control waits for them.
 * LIMIT(config): fixed; Mosquitto has no separate option for it either, it
 * counts QoS 0 messages against max_queued_messages.
 */
const QOS0_HIGH_WATER = 8 * 1024 * 1024;

/**
 * Payloads from this size up are written after their PUBLISH header as a
 * separate buffer (the socket sends both in one writev) instead of being
 * copied into the packet: a 64 KB QoS 1 message then costs no payload copy
 * per subscriber. Below it, one more write per packet costs more than the
 * copy it saves.
 */
const SPLIT_PAYLOAD = 4096;

/** True when `msg` is sent as header plus payload buffer. */
function isSplit(msg: StoredMessage): boolean {
  return msg.payload.length >= SPLIT_PAYLOAD;
}

/**
 * Hands one message to one session at the delivery QoS. `onSubscribe`:
 * a retained message sent because of a new subscription, which the client
 * asked for just now and so is not dropped as to a slow reader.
 */
export function deliver(
  core: BrokerCore,
  session: Session,
  msg: StoredMessage,
  qos: QoS,
  retain: boolean,
  subscriptionIds: number[] | undefined,
  onSubscribe = false,
): void {
  const conn = session.connection;
  const buffered = conn === null ? 0 : conn.transport.bufferedBytes;
  // Its publishers will wait (./flow-control.ts); offline sessions never
  // hold anyone back.
  if (conn !== null && isBackedUp(core, session, buffered)) {
    core.flow.noteBackedUp(conn);
  }
  if (qos === 0 && conn !== null) {
    if (
      (!onSubscribe && buffered > QOS0_HIGH_WATER) ||
      (session.queue.length > 0 && !canQueue(core, session, msg.payload.length))
    ) {
      core.stats.publishDropped++;
      return;
    }
    // A split payload waits in the socket as it is: a slice of a chunk
    // would pin the whole chunk for as long as the client takes to read.
    if (isSplit(msg)) ownPayload(msg);
    const buf = publishBytes(conn, msg, 0, retain, subscriptionIds, 0, false);
    if (buf === undefined) core.stats.publishDropped++;
    else writePublish(conn, msg, buf);
    return;
  }
  // QoS 0 reaches an offline session only with queue_qos0_messages.
  if (qos === 0 && !core.options.queueQos0Messages) return;
  const out: OutgoingMessage = {
    message: msg,
    qos,
    retain,
    subscriptionIds,
    packetId: 0,
    state: OutgoingState.Queued,
    sent: false,
    storeId: 0,
  };
  if (conn !== null && session.queue.length === 0 && hasRoom(core, session, msg)) {
    sendInflight(core, conn, session, out);
    return;
  }
  if (!canQueue(core, session, msg.payload.length)) {
    core.stats.publishDropped++;
    return;
  }
  ownPayload(msg);
  session.queue.push(out);
  session.queuedBytes += msg.payload.length;
  core.stats.messagesStored++;
  core.observer?.outgoingChanged(session, out);
}

/** Moves queued messages into the in-flight window while it has room. */
export function drainQueue(core: BrokerCore, session: Session): void {
  const conn = session.connection;
  if (conn === null) return;
  const now = Date.now();
  for (;;) {
    const out = session.queue.peek();
    if (out === undefined) return;
    if (out.qos > 0 && !hasRoom(core, session, out.message)) return;
    session.queue.shift();
    session.queuedBytes -= out.message.payload.length;
    core.stats.messagesStored--;
    const e = out.message.expiresAt;
    if (e !== 0 && e <= now) {
      core.observer?.outgoingRemoved(session, out);
      continue;
    }
    if (out.qos > 0) {
      sendInflight(core, conn, session, out);
      continue;
    }
    const buf = publishBytes(
      conn,
      out.message,
      0,
      out.retain,
      out.subscriptionIds,
      0,
      false,
    );
    core.observer?.outgoingRemoved(session, out);
    if (buf !== undefined) writePublish(conn, out.message, buf);
  }
}

/**
 * On session resume: resend unacknowledged PUBLISH packets with DUP set
 * and PUBREL for those already PUBREC'd, in their original order
 * [MQTT-4.4.0-1]; then fill the window from the queue.
 */
export function resumeDelivery(
  core: BrokerCore,
  conn: Connection,
  session: Session,
): void {
  for (const [id, out] of session.inflight) {
    if (out.state === OutgoingState.Pubrel) {
      logDebugPubrel(conn, id);
      conn.send({ type: PacketType.Pubrel, packetId: id });
      continue;
    }
    const msg = out.message;
    const buf = publishBytes(
      conn,
      msg,
      out.qos,
      out.retain,
      out.subscriptionIds,
      id,
      true,
    );
    if (buf === undefined) completeOutgoing(core, session, id, false);
    else writePublish(conn, msg, buf);
  }
  drainQueue(core, session);
}

/** An outgoing QoS 1/2 flow finished (or was abandoned): free its slot. */
export function completeOutgoing(
  core: BrokerCore,
  session: Session,
  packetId: number,
  drain: boolean,
): void {
  const out = session.inflight.get(packetId);
  if (out === undefined) return;
  session.inflight.delete(packetId);
  session.inflightBytes -= out.message.payload.length;
  core.stats.messagesStored--;
  core.observer?.outgoingRemoved(session, out);
  if (!drain) return;
  drainQueue(core, session);
  const conn = session.connection;
  if (conn !== null) core.flow.checkDrained(conn);
}

/** Forgets every message held for a session that ends. */
export function dropSessionMessages(core: BrokerCore, session: Session): void {
  core.stats.messagesStored -= session.inflight.size + session.queue.length;
  session.inflight.clear();
  session.inflightBytes = 0;
  session.queue.clear();
  session.queuedBytes = 0;
  session.incomingQos2.clear();
}

export function logDebugPubrel(conn: Connection, id: number): void {
  if (conn.core.debugEnabled) {
    conn.core.logDebug(`Sending PUBREL to ${conn.clientId} (m${id}, rc0)`);
  }
}

/**
 * The outgoing window is min(max_inflight_messages, the client's Receive
 * Maximum) [MQTT-3.3.4-9], also capped in bytes by max_inflight_bytes.
 */
function hasRoom(core: BrokerCore, session: Session, msg: StoredMessage): boolean {
  const conn = session.connection as Connection;
  const max = core.options.maxInflightMessages;
  const window = max > 0 && max < conn.receiveMaximum ? max : conn.receiveMaximum;
  if (session.inflight.size >= window) return false;
  const maxBytes = core.options.maxInflightBytes;
  return (
    maxBytes === 0 ||
    session.inflight.size === 0 ||
    session.inflightBytes + msg.payload.length <= maxBytes
  );
}

function canQueue(core: BrokerCore, session: Session, size: number): boolean {
  const { maxQueuedMessages, maxQueuedBytes } = core.options;
  if (maxQueuedMessages > 0 && session.queue.length >= maxQueuedMessages) return false;
  return maxQueuedBytes === 0 || session.queuedBytes + size <= maxQueuedBytes;
}

function sendInflight(
  core: BrokerCore,
  conn: Connection,
  session: Session,
  out: OutgoingMessage,
): void {
  const msg = out.message;
  const id = session.allocatePacketId();
  const buf = publishBytes(
    conn,
    msg,
    out.qos,
    out.retain,
    out.subscriptionIds,
    id,
    false,
  );
  if (buf === undefined) {
    core.stats.publishDropped++;
    // It may have come from the queue, where it was saved.
    core.observer?.outgoingRemoved(session, out);
    return;
  }
  ownPayloadIn(msg, buf);
  out.packetId = id;
  out.state = OutgoingState.Publish;
  out.sent = true;
  session.inflight.set(id, out);
  session.inflightBytes += msg.payload.length;
  core.stats.messagesStored++;
  // Noted before the write, so the write waits for the state to be saved.
  core.observer?.outgoingChanged(session, out);
  writePublish(conn, msg, buf);
}

/**
 * Owns the payload as the tail of `packet`, a PUBLISH of it just made,
 * which nothing writes into again: the copy that ownPayload would make is
 * already there.
 */
function ownPayloadIn(msg: StoredMessage, packet: Buffer): void {
  if (msg.owned) return;
  if (isSplit(msg)) {
    ownPayload(msg);
    return;
  }
  msg.payload = packet.subarray(packet.length - msg.payload.length);
  msg.owned = true;
}

/** Writes a PUBLISH: `buf` is the header alone when the payload is split. */
function writePublish(conn: Connection, msg: StoredMessage, buf: Buffer): void {
  conn.write(buf, isSplit(msg) ? msg.payload : undefined);
  const stats = conn.core.stats;
  stats.publishSent++;
  stats.publishBytesSent += msg.payload.length;
  if (conn.core.debugEnabled) {
    const b = buf[0] as number;
    const id = (b & 0x06) === 0 ? 0 : buf.readUInt16BE(publishPacketIdOffset(buf));
    conn.core.logDebug(
      `Sending PUBLISH to ${conn.clientId} (d${(b >> 3) & 1}, q${(b >> 1) & 3}, ` +
        `r${b & 1}, m${id}, '${clientTopic(conn, msg.topic)}', ... ` +
        `(${msg.payload.length} bytes))`,
    );
  }
}

/** The topic as this client sees it: its listener's mount point removed. */
export function clientTopic(conn: Connection, topic: string): string {
  const mount = conn.listener.mountPoint;
  return mount === '' ? topic : topic.slice(mount.length);
}

/**
 * The bytes of one PUBLISH to `conn` (its header alone if `isSplit`), or
 * undefined if it must not be sent: expired, or larger than the client's
 * Maximum Packet Size [MQTT-3.1.2-25].
 */
function publishBytes(
  conn: Connection,
  msg: StoredMessage,
  qos: QoS,
  retain: boolean,
  subscriptionIds: number[] | undefined,
  packetId: number,
  dup: boolean,
): Buffer | undefined {
  const v5 = conn.protocolVersion === 5;
  let remaining = 0;
  if (msg.expiresAt !== 0) {
    // The Message Expiry Interval sent is the time left [MQTT-3.3.2-6].
    remaining = Math.ceil((msg.expiresAt - Date.now()) / 1000);
    if (remaining <= 0) return undefined;
  }
  const perClient =
    conn.listener.mountPoint !== '' ||
    (v5 &&
      (subscriptionIds !== undefined || remaining > 0 || conn.topicAliasMaximum > 0));
  if (perClient) {
    return encodeForClient(
      conn,
      msg,
      qos,
      retain,
      subscriptionIds,
      packetId,
      dup,
      remaining,
    );
  }
  if (msg.forms === undefined) msg.forms = new Array(FORM_COUNT);
  const k = formIndex(v5, qos, retain);
  let form = msg.forms[k];
  if (form === undefined) {
    const packet = publishPacket(
      msg,
      msg.topic,
      qos,
      retain,
      packetId,
      dup,
      msg.properties,
    );
    form = encodeIfFits(packet, v5 ? 5 : 4, isSplit(msg));
    if (form === undefined) return undefined;
    msg.forms[k] = form;
    // A new form goes out as it is, to the first client that needs it:
    // later clients' copies take their own packet id and DUP flag, and
    // nothing writes into a form once made.
    return tooLarge(conn, msg, form) ? undefined : form;
  }
  if (tooLarge(conn, msg, form)) return undefined;
  if (qos === 0) return form;
  const buf = Buffer.allocUnsafe(form.length);
  form.copy(buf);
  buf.writeUInt16BE(packetId, publishPacketIdOffset(buf));
  // The form may have been made for a resend, with DUP set.
  const flags = buf[0] as number;
  buf[0] = dup ? flags | PUBLISH_DUP : flags & ~PUBLISH_DUP;
  return buf;
}

function encodeForClient(
  conn: Connection,
  msg: StoredMessage,
  qos: QoS,
  retain: boolean,
  subscriptionIds: number[] | undefined,
  packetId: number,
  dup: boolean,
  remaining: number,
): Buffer | undefined {
  const v5 = conn.protocolVersion === 5;
  let topic = clientTopic(conn, msg.topic);
  let props = msg.properties;
  let newAlias = 0;
  if (v5) {
    const extra: Properties = {};
    if (remaining > 0) extra.messageExpiryInterval = remaining;
    if (subscriptionIds !== undefined) extra.subscriptionIdentifiers = subscriptionIds;
    if (conn.topicAliasMaximum > 0) {
      const aliases = conn.outAliases ?? new Map<string, number>();
      conn.outAliases = aliases;
      const alias = aliases.get(topic);
      if (alias !== undefined) {
        // Later sends carry an empty topic and the alias [MQTT-3.3.2-12].
        extra.topicAlias = alias;
        topic = '';
      } else if (aliases.size < conn.topicAliasMaximum) {
        newAlias = aliases.size + 1;
        extra.topicAlias = newAlias;
      }
    }
    props = { ...msg.properties, ...extra };
  }
  const id = qos > 0 ? packetId : 0;
  const packet = publishPacket(msg, topic, qos, retain, id, dup, props);
  const buf = encodeIfFits(packet, conn.protocolVersion, isSplit(msg));
  if (buf === undefined || tooLarge(conn, msg, buf)) return undefined;
  // The alias counts only once the client has seen it with its topic.
  if (newAlias !== 0) conn.outAliases?.set(clientTopic(conn, msg.topic), newAlias);
  return buf;
}

/** Over the client's Maximum Packet Size, payload included. */
function tooLarge(conn: Connection, msg: StoredMessage, buf: Buffer): boolean {
  const max = conn.maximumPacketSize;
  if (max === 0) return false;
  return buf.length + (isSplit(msg) ? msg.payload.length : 0) > max;
}

/**
 * Encodes a PUBLISH (or its header alone, `split`), or gives undefined
 * when it cannot be: a message at the protocol's size limit grows past it
 * in a form with more properties (or a longer topic, with a mount point).
 * That copy alone is dropped.
 */
function encodeIfFits(
  packet: PublishPacket,
  version: ProtocolVersion,
  split: boolean,
): Buffer | undefined {
  try {
    return split ? encodePublishHeader(packet, version) : encode(packet, version);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function publishPacket(
  msg: StoredMessage,
  topic: string,
  qos: QoS,
  retain: boolean,
  packetId: number,
  dup: boolean,
  properties: Properties | undefined,
): PublishPacket {
  const p: PublishPacket = {
    type: PacketType.Publish,
    dup,
    qos,
    retain,
    topic,
    payload: msg.payload,
  };
  if (qos > 0) p.packetId = packetId;
  if (properties !== undefined) p.properties = properties;
  return p;
}
