/**
 * CONNECT (3.1), as a list of steps that reads like the spec: protocol
 * level, client limits, client identifier, keepalive, will, then
 * authentication (which may be async or, in 5.0, a multi-packet AUTH
 * exchange), and finally the session: take over, resume or start, CONNACK,
 * resend what was in flight.
 */
import { randomUUID } from 'node:crypto';
import {
  type ConnectPacket,
  isValidUtf8Payload,
  type Properties,
  protocolError,
  ReasonCode,
} from '../../protocol/index.js';
import {
  type Connection,
  ConnState,
  failureWords,
  type WillSpec,
} from '../connection.js';
import { newMessage, setOrigin } from '../message.js';
import { NEVER_EXPIRES } from '../session.js';
import { startEnhancedAuth } from './auth.js';
import { acceptConnection, refuse } from './connack.js';

/** What the CONNECT asked for, kept while authentication runs. */
export interface ConnectRequest {
  packet: ConnectPacket;
  /** Set when the broker chose the client id (5.0 Assigned Client Identifier). */
  assignedId: boolean;
  /** Server Keep Alive to announce (5.0), when it overrides the client's. */
  serverKeepAlive: number | undefined;
  /** Session Expiry Interval asked for in CONNECT, seconds. */
  sessionExpiry: number;
}

export function handleConnect(conn: Connection, packet: ConnectPacket): void {
  // A second CONNECT is a Protocol Error [MQTT-3.1.0-2].
  if (conn.state !== ConnState.New) {
    throw protocolError('SECOND_CONNECT', 'second CONNECT [MQTT-3.1.0-2]');
  }
  const core = conn.core;
  core.stats.connectPackets++;
  conn.protocolVersion = packet.protocolVersion;
  conn.isBridge = packet.bridge && packet.protocolVersion < 5;
  conn.state = ConnState.Authenticating;
  // accept_protocol_versions: refused as an unknown protocol level.
  if (!conn.listener.acceptProtocolVersions.has(packet.protocolVersion)) {
    refuse(conn, ReasonCode.UnsupportedProtocolVersion);
    return;
  }
  takeClientLimits(conn, packet.properties);
  if (!takeIdentity(conn, packet)) return;
  const request = checkClientId(conn, packet);
  if (request === undefined) return;
  checkKeepAlive(conn, request);
  if (packet.will !== undefined && !takeWill(conn, packet)) return;
  conn.connectRequest = request;
  const method = packet.properties?.authenticationMethod;
  if (method !== undefined) {
    startEnhancedAuth(conn, method, packet.properties?.authenticationData);
    return;
  }
  authenticate(conn, request);
}

/** The client's own limits, from 5.0 CONNECT properties. */
function takeClientLimits(conn: Connection, props: Properties | undefined): void {
  if (props === undefined) return;
  if (props.receiveMaximum !== undefined) conn.receiveMaximum = props.receiveMaximum;
  if (props.maximumPacketSize !== undefined) {
    conn.maximumPacketSize = props.maximumPacketSize;
  }
  if (props.topicAliasMaximum !== undefined) {
    // The broker's own limit (max_topic_alias_broker) may be lower.
    conn.topicAliasMaximum = Math.min(
      props.topicAliasMaximum,
      conn.listener.maxTopicAliasBroker,
    );
  }
}

/**
 * The username: as sent, or the one TLS or a PROXY header gave
 * (use_identity_as_username, use_subject_as_username, PSK identities),
 * which replaces the CONNECT's username and password as in Mosquitto. A
 * listener that wants such a name and got none refuses with Bad User Name
 * or Password (3.x return code 4).
 */
function takeIdentity(conn: Connection, p: ConnectPacket): boolean {
  const identity = conn.transport.identity;
  if (identity === undefined) {
    conn.username = p.username;
    conn.password = p.password === undefined ? undefined : Buffer.from(p.password);
    return true;
  }
  if (identity.username === undefined) {
    refuse(conn, ReasonCode.BadUserNameOrPassword);
    return false;
  }
  conn.username = identity.username;
  conn.password = undefined;
  conn.identityVerified = identity.verified;
  return true;
}

/**
 * Client identifier rules [MQTT-3.1.3-6] [MQTT-3.1.3-7] [MQTT-3.1.3-8]: an
 * empty id needs clean session in 3.1.1, is refused in 3.1, and gets an
 * assigned id in 5.0; allow_zero_length_clientid false refuses it.
 */
function checkClientId(conn: Connection, p: ConnectPacket): ConnectRequest | undefined {
  const core = conn.core;
  const v = p.protocolVersion;
  const request: ConnectRequest = {
    packet: p,
    assignedId: false,
    serverKeepAlive: undefined,
    sessionExpiry: sessionExpiryOf(conn, p),
  };
  let id = p.clientId;
  const listener = conn.listener;
  if (listener.useUsernameAsClientId) {
    // Without a username there is nothing to use: not authorised.
    if (conn.username === undefined) {
      refuse(conn, ReasonCode.NotAuthorized);
      return undefined;
    }
    id = conn.username;
  }
  if (id === '') {
    const zeroAllowed =
      listener.allowZeroLengthClientId ?? core.options.allowZeroLengthClientId;
    if (!zeroAllowed || !(v === 5 || (v === 4 && p.clean))) {
      // Mosquitto answers a 5.0 client Unspecified Error here (observed);
      // the spec's 0x85 is only a MAY.
      const v5Refusal = zeroAllowed
        ? ReasonCode.ClientIdentifierNotValid
        : ReasonCode.UnspecifiedError;
      refuse(conn, v === 5 ? v5Refusal : ReasonCode.ClientIdentifierNotValid);
      conn.logClient(failureWords(ReasonCode.ProtocolError));
      return undefined;
    }
    const prefix = listener.autoIdPrefix ?? core.options.autoIdPrefix;
    id = prefix + randomUUID().toUpperCase();
    request.assignedId = v === 5;
  }
  conn.clientId = id;
  return request;
}

/**
 * max_keepalive: a 5.0 client asking for more, or for 0, is told the
 * Server Keep Alive [MQTT-3.2.2-21]. A 3.x client cannot be told, and
 * Mosquitto 2.0.11 accepts it with its own keepalive (observed; the 2.0.20
 * manual says it is refused).
 */
function checkKeepAlive(conn: Connection, request: ConnectRequest): void {
  const max = conn.core.options.maxKeepalive;
  const asked = request.packet.keepAlive;
  conn.keepAlive = asked;
  if (max === 0 || (asked !== 0 && asked <= max)) return;
  if (conn.protocolVersion === 5) {
    conn.keepAlive = max;
    request.serverKeepAlive = max;
  }
}

/** Seconds the session outlives the connection. */
function sessionExpiryOf(conn: Connection, p: ConnectPacket): number {
  const pce = conn.core.options.persistentClientExpiration;
  let interval: number;
  if (p.protocolVersion === 5) interval = p.properties?.sessionExpiryInterval ?? 0;
  else interval = p.clean ? 0 : NEVER_EXPIRES;
  // persistent_client_expiration bounds sessions that would never expire.
  if (interval === NEVER_EXPIRES && pce > 0) interval = pce;
  return interval;
}

/**
 * Validates and keeps the will. Its QoS and retain flag must be allowed
 * here [MQTT-3.2.2-12] [MQTT-3.2.2-13]; 3.x has no code to say so, and
 * Mosquitto closes then.
 */
function takeWill(conn: Connection, p: ConnectPacket): boolean {
  const will = p.will;
  if (will === undefined) return true;
  const core = conn.core;
  let reason: ReasonCode | undefined;
  if (will.qos > conn.listener.maxQos) reason = ReasonCode.QoSNotSupported;
  else if (will.retain && !core.options.retainAvailable) {
    reason = ReasonCode.RetainNotSupported;
  } else if (
    will.properties?.payloadFormatIndicator === 1 &&
    !isValidUtf8Payload(will.payload)
  ) {
    reason = ReasonCode.PayloadFormatInvalid;
  }
  const topic = conn.listener.mountPoint + will.topic;
  // A will could never reach a $CONTROL handler, so Mosquitto refuses it
  // here. Other will topics are checked for write access when the will is
  // published, as Mosquitto does, so a will the ACL forbids is dropped then.
  if (reason === undefined && topic.startsWith('$CONTROL/')) {
    reason = ReasonCode.NotAuthorized;
  }
  if (reason !== undefined) {
    if (conn.protocolVersion === 5 || reason === ReasonCode.NotAuthorized) {
      refuse(conn, reason);
    } else {
      conn.close(undefined, undefined);
    }
    return false;
  }
  const props = will.properties;
  const message = newMessage(
    topic,
    Buffer.from(will.payload),
    will.qos,
    will.retain,
    forwardedProperties(props),
    0,
    conn.clientId,
  );
  message.owned = true;
  setOrigin(message, conn);
  const spec: WillSpec = {
    message,
    delay: props?.willDelayInterval ?? 0,
    expiry: props?.messageExpiryInterval ?? 0,
  };
  conn.will = spec;
  return true;
}

/**
 * The properties of a message that reach subscribers unchanged
 * [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18].
 */
export function forwardedProperties(p: Properties | undefined): Properties | undefined {
  if (p === undefined) return undefined;
  const out: Properties = {};
  let any = false;
  if (p.payloadFormatIndicator !== undefined) {
    out.payloadFormatIndicator = p.payloadFormatIndicator;
    any = true;
  }
  if (p.contentType !== undefined) {
    out.contentType = p.contentType;
    any = true;
  }
  if (p.responseTopic !== undefined) {
    out.responseTopic = p.responseTopic;
    any = true;
  }
  if (p.correlationData !== undefined) {
    out.correlationData = Buffer.from(p.correlationData);
    any = true;
  }
  if (p.userProperties !== undefined) {
    out.userProperties = p.userProperties;
    any = true;
  }
  return any ? out : undefined;
}

/**
 * Username and password: the security hook decides, and may answer later
 * (packets arriving meanwhile are held). Without one, allow_anonymous
 * does; a zero-length username counts as none, as in Mosquitto.
 */
function authenticate(conn: Connection, request: ConnectRequest): void {
  const core = conn.core;
  if (core.overMemoryLimit) {
    refuse(conn, ReasonCode.ServerUnavailable);
    return;
  }
  const hook = core.hooks.authenticate;
  if (hook === undefined) {
    const anonymous = !conn.username && !conn.identityVerified;
    const allowAnonymous = conn.listener.allowAnonymous ?? core.options.allowAnonymous;
    if (anonymous && !allowAnonymous) refuse(conn, ReasonCode.NotAuthorized);
    else acceptConnection(conn, request, undefined);
    return;
  }
  let result: ReturnType<typeof hook>;
  try {
    result = hook(conn, conn.username, conn.password, conn.identityVerified);
  } catch {
    result = ReasonCode.ServerUnavailable;
  }
  if (typeof result === 'number') {
    finishAuthentication(conn, request, result);
    return;
  }
  conn.hold();
  result.then(
    (code) => finishAuthentication(conn, request, code),
    () => finishAuthentication(conn, request, ReasonCode.ServerUnavailable),
  );
}

function finishAuthentication(
  conn: Connection,
  request: ConnectRequest,
  code: ReasonCode,
): void {
  if (conn.state !== ConnState.Authenticating) return;
  if (code === ReasonCode.Success) acceptConnection(conn, request, undefined);
  else refuse(conn, code);
  conn.release();
}
