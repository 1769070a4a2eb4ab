/**
 * The end of CONNECT: refusal, or acceptance with session take-over,
 * resume or start, CONNACK and the resend of what was in flight.
 */

import { LogType } from '../../log/log-types.js';
import {
  ConnectReturnCode,
  PacketType,
  type Properties,
  ReasonCode,
} from '../../protocol/index.js';
import { type Connection, ConnState } from '../connection.js';
import type { BrokerCore } from '../core.js';
import { resumeDelivery } from '../delivery.js';
import { Session } from '../session.js';
import type { ConnectRequest } from './connect.js';

/** 3.x CONNACK return code for a 5.0 reason code. */
function returnCode(reason: ReasonCode): ConnectReturnCode {
  switch (reason) {
    case ReasonCode.UnsupportedProtocolVersion:
      return ConnectReturnCode.UnacceptableProtocolVersion;
    case ReasonCode.ClientIdentifierNotValid:
      return ConnectReturnCode.IdentifierRejected;
    case ReasonCode.BadUserNameOrPassword:
      return ConnectReturnCode.BadUserNameOrPassword;
    case ReasonCode.ServerUnavailable:
    case ReasonCode.ServerBusy:
    case ReasonCode.ServerShuttingDown:
      return ConnectReturnCode.ServerUnavailable;
    default:
      return ConnectReturnCode.NotAuthorized;
  }
}

/**
 * Refuses the connection with a CONNACK carrying the reason
 * [MQTT-3.2.2-6] [MQTT-3.2.2-7], then closes it.
 */
export function refuse(conn: Connection, reason: ReasonCode): void {
  const v5 = conn.protocolVersion === 5;
  const props: Properties = {};
  // Mosquitto announces its Maximum QoS on every 5.0 CONNACK.
  if (v5 && conn.listener.maxQos < 2) props.maximumQoS = conn.listener.maxQos;
  if (
    v5 &&
    conn.authMethod !== undefined &&
    reason !== ReasonCode.BadAuthenticationMethod
  ) {
    props.authenticationMethod = conn.authMethod;
  }
  const core = conn.core;
  const code = v5 ? reason : returnCode(reason);
  if (core.debugEnabled) {
    // A client's id is its own only once it is let in: until then Mosquitto
    // names the peer's address (and logClient, '<unknown>').
    core.logDebug(`Sending CONNACK to ${conn.remoteAddress} (0, ${code})`);
  }
  conn.send({
    type: PacketType.Connack,
    sessionPresent: false,
    reasonCode: code,
    properties: v5 && Object.keys(props).length > 0 ? props : undefined,
  });
  if (
    reason === ReasonCode.NotAuthorized ||
    reason === ReasonCode.BadUserNameOrPassword
  ) {
    conn.logClient('disconnected, not authorised.');
  }
  core.endConnection(conn, false);
  conn.transport.end();
}

/**
 * Authentication passed: take over an existing connection with the same
 * client id, resume or start the session, send CONNACK, resend.
 */
export function acceptConnection(
  conn: Connection,
  request: ConnectRequest,
  authData: Buffer | undefined,
): void {
  const core = conn.core;
  const p = request.packet;
  const old = core.sessions.get(conn.clientId)?.connection;
  if (old !== null && old !== undefined) takeOver(old);
  // Looked up after the take-over, which may have ended the old session.
  const existing = core.sessions.get(conn.clientId);
  let session: Session;
  let present = false;
  if (existing !== undefined && !p.clean) {
    session = existing;
    present = true;
    core.resumeSession(session);
  } else {
    if (existing !== undefined) core.endSession(existing);
    session = new Session(conn.clientId);
    core.sessions.set(conn.clientId, session);
    core.stats.setClientsTotal(core.sessions.size);
  }
  session.expiryInterval = request.sessionExpiry;
  conn.connectExpiry = p.properties?.sessionExpiryInterval ?? 0;
  session.connection = conn;
  session.client = conn;
  conn.session = session;
  core.observer?.sessionChanged(session);
  conn.state = ConnState.Connected;
  conn.connectRequest = undefined;
  core.stats.clientsConnected++;
  logConnected(conn, p.keepAlive, p.clean);
  sendConnack(conn, request, present, authData);
  core.notifyConnected(conn);
  if (present) resumeDelivery(core, conn, session);
}

/** A client id already connected: the old connection goes [MQTT-3.1.4-2]. */
function takeOver(old: Connection): void {
  // 5.0: DISCONNECT Session Taken Over first (MQTT 5 3.1.4); the will goes
  // out as for any close without DISCONNECT, as Mosquitto does.
  old.close(ReasonCode.SessionTakenOver, 'already connected, closing old connection.');
}

function logConnected(conn: Connection, keepAlive: number, clean: boolean): void {
  const core = conn.core;
  if (conn.connectionLogging) {
    // Mosquitto numbers its protocols 1 (3.1), 2 (3.1.1) and 5.
    const v = conn.protocolVersion;
    const p = v === 3 ? 1 : v === 4 ? 2 : 5;
    const user = conn.username === undefined ? '' : `, u'${conn.username}'`;
    core.logger.write(
      LogType.Notice,
      `New client connected from ${conn.remoteAddress}:${conn.remotePort} as ` +
        `${conn.clientId} (p${p}, c${clean ? 1 : 0}, k${keepAlive}${user}).`,
    );
  }
  if (!core.debugEnabled) return;
  const will = conn.will?.message;
  if (will === undefined) {
    core.logDebug('No will message specified.');
  } else {
    core.logDebug(
      `Will message specified (${will.payload.length} bytes) ` +
        `(r${will.retain ? 1 : 0}, q${will.qos}).`,
    );
    core.logDebug(`\t${will.topic}`);
  }
}

/**
 * CONNACK. Its 5.0 properties come in the order Mosquitto 2.0 sends them,
 * each only when it differs from the protocol default (observed).
 */
function sendConnack(
  conn: Connection,
  request: ConnectRequest,
  present: boolean,
  authData: Buffer | undefined,
): void {
  const core = conn.core;
  if (core.debugEnabled) {
    core.logDebug(`Sending CONNACK to ${conn.clientId} (${present ? 1 : 0}, 0)`);
  }
  const props = conn.protocolVersion === 5 ? connackProperties(core, conn, request) : {};
  if (authData !== undefined) props.authenticationData = authData;
  conn.send({
    type: PacketType.Connack,
    // Clean start means no session present [MQTT-3.2.2-2].
    sessionPresent: present,
    reasonCode: ReasonCode.Success,
    properties: Object.keys(props).length > 0 ? props : undefined,
  });
}

function connackProperties(
  core: BrokerCore,
  conn: Connection,
  request: ConnectRequest,
): Properties {
  const props: Properties = {};
  const listener = conn.listener;
  if (listener.maxTopicAlias > 0) props.topicAliasMaximum = listener.maxTopicAlias;
  if (request.serverKeepAlive !== undefined) {
    props.serverKeepAlive = request.serverKeepAlive;
  }
  if (request.assignedId) props.assignedClientIdentifier = conn.clientId;
  if (!core.options.retainAvailable) props.retainAvailable = 0;
  if (core.options.maxPacketSize > 0)
    props.maximumPacketSize = core.options.maxPacketSize;
  const receiveMax = core.options.maxInflightMessages;
  if (receiveMax > 0 && receiveMax < 65535) props.receiveMaximum = receiveMax;
  if (listener.maxQos < 2) props.maximumQoS = listener.maxQos;
  if (conn.authMethod !== undefined) props.authenticationMethod = conn.authMethod;
  return props;
}
