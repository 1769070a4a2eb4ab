/**
 * PUBLISH from a client (3.3): checks against the listener and broker
 * limits, topic alias resolution (5.0), then routing and the
 * acknowledgement. QoS 0 and 1 are routed at once; QoS 2 is held until
 * PUBREL, as Mosquitto 2.0 does (observed), so a repeated PUBLISH with the
 * same packet id before PUBREL is never delivered twice [MQTT-4.3.3-10].
 */

import { LogType } from '../../log/log-types.js';
import {
  PacketType,
  ProtocolError,
  type PublishPacket,
  protocolError,
  ReasonCode,
} from '../../protocol/index.js';
import { type Connection, failureWords } from '../connection.js';
import { AclAccess, type HookMessage, type MessageHook } from '../hooks.js';
import {
  fillsItsMemory,
  newMessage,
  ownPayload,
  type StoredMessage,
  setOrigin,
} from '../message.js';
import type { Session } from '../session.js';
import { forwardedProperties } from './connect.js';

/** Topics for the control hook (Mosquitto's `$CONTROL/<feature>/v<N>`). */
const CONTROL_PREFIX = '$CONTROL/';

/** Payloads from this size up may be owned as decoded (fillsItsMemory). */
const OWN_IN_PLACE = 4096;

export function handlePublish(conn: Connection, p: PublishPacket): void {
  const core = conn.core;
  const stats = core.stats;
  stats.publishReceived++;
  stats.publishBytesReceived += p.payload.length;
  const topic = resolveTopic(conn, p);
  // max_qos: a 5.0 client was told in CONNACK [MQTT-3.2.2-11]; all are closed.
  if (p.qos > conn.listener.maxQos) {
    notAllowed(conn, ReasonCode.QoSNotSupported);
    return;
  }
  // retain_available false [MQTT-3.2.2-14]; Mosquitto closes 3.x clients too.
  if (p.retain && !core.options.retainAvailable) {
    notAllowed(conn, ReasonCode.RetainNotSupported);
    return;
  }
  const session = conn.session as Session;
  if (p.qos === 2 && !checkIncomingQos2(conn, session, p.packetId as number)) return;
  const reason = refusal(conn, p, topic);
  if (reason !== ReasonCode.Success) {
    dropIncoming(conn, session, p, reason);
    return;
  }
  const full = conn.listener.mountPoint + topic;
  // $CONTROL/ topics go to their handler, never to subscribers
  // (Mosquitto's control topics; sys.md).
  if (full.startsWith(CONTROL_PREFIX)) {
    handleControl(conn, session, p, full);
    return;
  }
  const props = p.properties;
  const expiry = props?.messageExpiryInterval;
  const msg = newMessage(
    full,
    p.payload,
    p.qos,
    p.retain,
    forwardedProperties(props),
    expiry === undefined ? 0 : Date.now() + expiry * 1000,
    conn.clientId,
  );
  // A large payload the decoder assembled is kept, not copied again when
  // queued; a small one is copied if need be, cheaper than asking.
  msg.owned = p.payload.length >= OWN_IN_PLACE && fillsItsMemory(p.payload);
  setOrigin(msg, conn);
  if (core.hooks.message !== undefined && !applyMessageHook(conn, msg)) {
    dropIncoming(conn, session, p, ReasonCode.NotAuthorized);
    return;
  }
  if (p.qos === 2) {
    ownPayload(msg);
    session.incomingQos2.set(p.packetId as number, msg);
    core.observer?.incomingChanged(session, p.packetId as number);
    acknowledge(conn, p, ReasonCode.Success);
    return;
  }
  const matched = core.router.route(msg);
  if (p.qos === 1) {
    const v5 = conn.protocolVersion === 5;
    acknowledge(
      conn,
      p,
      matched === 0 && v5 ? ReasonCode.NoMatchingSubscribers : ReasonCode.Success,
    );
  }
}

/**
 * Acknowledges a PUBLISH that is not forwarded. A 3.x client saw a plain
 * PUBREC and will send PUBREL; a 5.0 client saw the error code, which ends
 * the flow (MQTT 5 4.3.3).
 */
function dropIncoming(
  conn: Connection,
  session: Session,
  p: PublishPacket,
  reason: ReasonCode,
): void {
  acknowledge(conn, p, reason);
  if (p.qos === 2 && conn.protocolVersion < 5) {
    session.incomingQos2.set(p.packetId as number, null);
    conn.core.observer?.incomingChanged(session, p.packetId as number);
  }
}

/**
 * A PUBLISH to `$CONTROL/...`: the control hook sees it; the publisher is
 * acknowledged with success, a 5.0 one with the hook's error as Reason
 * String. Without a handler the message is dropped, still acknowledged.
 */
function handleControl(
  conn: Connection,
  session: Session,
  p: PublishPacket,
  topic: string,
): void {
  const core = conn.core;
  const hook = core.hooks.control;
  let error: string | undefined;
  if (hook !== undefined) {
    const message = {
      topic,
      payload: Buffer.from(p.payload),
      qos: p.qos,
      retain: p.retain,
      properties: forwardedProperties(p.properties),
    };
    try {
      error = hook(conn, message);
    } catch (err) {
      core.log(LogType.Error, `Error: control topic ${topic}: ${String(err)}`);
      error = 'Internal error';
    }
  }
  const reasonString = conn.protocolVersion === 5 ? error : undefined;
  if (p.qos === 0) return;
  const type = p.qos === 1 ? PacketType.Puback : PacketType.Pubrec;
  const id = p.packetId as number;
  if (p.qos === 2) {
    session.incomingQos2.set(id, null);
    core.observer?.incomingChanged(session, id);
  }
  sendAck(conn, type, id, ReasonCode.Success, reasonString);
}

/**
 * The message hook (plugins' message event) may change or refuse an
 * incoming message; false when refused. What it throws refuses it.
 */
function applyMessageHook(conn: Connection, msg: StoredMessage): boolean {
  const core = conn.core;
  const hook = core.hooks.message as MessageHook;
  const { topic, payload, qos, retain, properties } = msg;
  let out: HookMessage | undefined;
  try {
    out = hook(conn, { topic, payload, qos, retain, properties });
  } catch (err) {
    core.log(LogType.Error, `Error: message hook: ${String(err)}`);
    return false;
  }
  if (out === undefined) return false;
  msg.topic = out.topic;
  if (out.payload !== payload) {
    msg.payload = out.payload;
    msg.owned = false;
  }
  msg.qos = out.qos;
  msg.retain = out.retain;
  msg.properties = out.properties;
  return true;
}

/**
 * A repeated QoS 2 PUBLISH before PUBREL gets PUBREC again and nothing
 * else; a new one must fit in the Receive Maximum the broker announced
 * (max_inflight_messages).
 */
function checkIncomingQos2(conn: Connection, session: Session, id: number): boolean {
  if (session.incomingQos2.has(id)) {
    sendAck(conn, PacketType.Pubrec, id, ReasonCode.Success);
    return false;
  }
  const max = conn.core.options.maxInflightMessages;
  if (max > 0 && session.incomingQos2.size >= max) {
    // MQTT 5 (4.9) describes DISCONNECT 0x93 here, without a MUST; Mosquitto
    // refuses the one message with Quota Exceeded and goes on (observed).
    // For 3.x the same limit bounds the memory held for unreleased messages.
    sendAck(conn, PacketType.Pubrec, id, ReasonCode.QuotaExceeded);
    return false;
  }
  return true;
}

/**
 * Why a well-formed PUBLISH is acknowledged but not forwarded: payload over
 * message_size_limit (5.0: Implementation Specific Error, as Mosquitto's
 * manual says; 2.0.11 sends 0x95, which is not a valid PUBACK code), or an
 * access check that says no. A Payload Format Indicator of 1 is passed on
 * unchecked, as Mosquitto 2.0.11 does (observed): checking is a MAY
 * (3.3.2.3.2).
 */
function refusal(conn: Connection, p: PublishPacket, topic: string): ReasonCode {
  const core = conn.core;
  if (core.overMemoryLimit) return ReasonCode.QuotaExceeded;
  const limit = core.options.messageSizeLimit;
  if (limit > 0 && p.payload.length > limit) {
    if (core.debugEnabled) {
      core.logDebug(
        `Dropped too large PUBLISH from ${conn.clientId} (d${p.dup ? 1 : 0}, ` +
          `q${p.qos}, r${p.retain ? 1 : 0}, m${p.packetId ?? 0}, '${topic}', ... ` +
          `(${p.payload.length} bytes))`,
      );
    }
    return ReasonCode.ImplementationSpecificError;
  }
  const acl = core.hooks.checkAcl;
  if (acl !== undefined) {
    const full = conn.listener.mountPoint + topic;
    if (!acl(conn, full, AclAccess.Write, p.qos, p.retain, p.payload)) {
      if (core.debugEnabled) logPublish(conn, 'Denied', p, topic);
      return ReasonCode.NotAuthorized;
    }
  }
  // Mosquitto logs a PUBLISH as received once it passed the access check.
  if (core.debugEnabled) logPublish(conn, 'Received', p, topic);
  return ReasonCode.Success;
}

/**
 * Topic aliases set up by the client (3.3.2.3.4): an alias beyond the
 * listener's max_topic_alias is Topic Alias Invalid [MQTT-3.3.2-9]
 * [MQTT-3.3.2-10]; an empty topic needs a known alias.
 */
function resolveTopic(conn: Connection, p: PublishPacket): string {
  const alias = p.properties?.topicAlias;
  if (alias === undefined) return p.topic;
  if (alias === 0 || alias > conn.listener.maxTopicAlias) {
    throw new ProtocolError(
      ReasonCode.TopicAliasInvalid,
      'TOPIC_ALIAS_INVALID',
      'bad alias',
    );
  }
  let aliases = conn.inAliases;
  if (aliases === undefined) {
    aliases = new Map();
    conn.inAliases = aliases;
  }
  if (p.topic !== '') {
    aliases.set(alias, p.topic);
    return p.topic;
  }
  const topic = aliases.get(alias);
  if (topic === undefined)
    throw protocolError('UNKNOWN_TOPIC_ALIAS', 'unknown topic alias');
  return topic;
}

/** Closes for a feature the broker does not allow (max_qos, retain). */
function notAllowed(conn: Connection, reason: ReasonCode): void {
  conn.close(reason, failureWords(reason));
}

function acknowledge(conn: Connection, p: PublishPacket, reason: ReasonCode): void {
  if (p.qos === 0) return;
  const type = p.qos === 1 ? PacketType.Puback : PacketType.Pubrec;
  sendAck(conn, type, p.packetId as number, reason);
}

function sendAck(
  conn: Connection,
  type: PacketType.Puback | PacketType.Pubrec,
  packetId: number,
  reason: ReasonCode,
  reasonString?: string,
): void {
  const core = conn.core;
  if (core.debugEnabled) {
    const name = type === PacketType.Puback ? 'PUBACK' : 'PUBREC';
    core.logDebug(`Sending ${name} to ${conn.clientId} (m${packetId}, rc${reason})`);
  }
  if (
    reasonString === undefined &&
    (reason === ReasonCode.Success || conn.protocolVersion < 5)
  ) {
    conn.write(plainAck(type, packetId));
    return;
  }
  const properties = reasonString === undefined ? undefined : { reasonString };
  conn.send({ type, packetId, reasonCode: reason, properties });
}

/**
 * The four bytes of an acknowledgement that is the packet identifier
 * alone: every 3.x one (no reason code there) and a 5.0 Success without
 * properties (3.4.2.1), as the encoder would write them. Built here
 * because a QoS 1 burst acknowledges every message.
 */
function plainAck(type: PacketType.Puback | PacketType.Pubrec, packetId: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf[0] = type << 4;
  buf[1] = 2;
  buf[2] = packetId >> 8;
  buf[3] = packetId & 0xff;
  return buf;
}

function logPublish(conn: Connection, what: string, p: PublishPacket, topic: string) {
  conn.core.logDebug(
    `${what} PUBLISH from ${conn.clientId} (d${p.dup ? 1 : 0}, q${p.qos}, ` +
      `r${p.retain ? 1 : 0}, m${p.packetId ?? 0}, '${topic}', ... ` +
      `(${p.payload.length} bytes))`,
  );
}
