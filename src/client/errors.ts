/**
 * Errors of the client library. Every error is an {@link MqttError} with a
 * stable string `code` to branch on; errors that stem from an MQTT packet
 * also carry its `reasonCode` (a ReasonCode in 5.0, a ConnectReturnCode in a
 * 3.x CONNACK) and, in 5.0, its properties (reasonString, serverReference).
 *
 * @example
 * try { await connect(options); } catch (err) {
 *   if (err instanceof ConnectionRefusedError) process.exit(err.reasonCode);
 *   throw err;
 * }
 */
import type { Properties } from '../protocol/index.js';

/** Every `code` the library uses, so callers can switch exhaustively. */
export type MqttErrorCode =
  // UsageError: the call or the options were wrong; nothing was sent.
  | 'INVALID_OPTION'
  | 'INVALID_TOPIC'
  | 'INVALID_QOS'
  | 'QOS_NOT_SUPPORTED'
  | 'RETAIN_NOT_SUPPORTED'
  | 'PACKET_TOO_LARGE'
  | 'TOPIC_ALIAS_INVALID'
  | 'NOT_CONNECTED'
  // TransportError: the network path failed.
  | 'CONNECT_FAILED'
  | 'CONNECT_TIMEOUT'
  | 'TLS_FAILED'
  | 'OCSP_FAILED'
  | 'PROXY_FAILED'
  | 'SRV_LOOKUP_FAILED'
  | 'WEBSOCKET_FAILED'
  | 'CONNECTION_LOST'
  | 'KEEPALIVE_TIMEOUT'
  // ConnectionRefusedError: the server answered CONNECT with a failure.
  | 'CONNACK_REFUSED'
  // ServerDisconnectError: the server sent DISCONNECT.
  | 'SERVER_DISCONNECT'
  // ProtocolViolationError: the server broke the protocol.
  | 'PROTOCOL_VIOLATION'
  // PublishError: PUBACK or PUBREC carried a failure reason code.
  | 'PUBLISH_REFUSED'
  // AuthError: enhanced authentication failed on this side.
  | 'AUTH_FAILED'
  // ClientClosedError: disconnect() or end() was called.
  | 'CLIENT_CLOSED';

export interface MqttErrorDetails {
  reasonCode?: number;
  properties?: Properties;
  cause?: unknown;
}

export class MqttError extends Error {
  readonly code: MqttErrorCode;
  /** The reason code of the packet behind the error, if any. */
  readonly reasonCode?: number;
  /** MQTT 5 properties of that packet (reasonString, serverReference...). */
  readonly properties?: Properties;

  constructor(code: MqttErrorCode, message: string, details: MqttErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    if (details.reasonCode !== undefined) this.reasonCode = details.reasonCode;
    if (details.properties !== undefined) this.properties = details.properties;
  }
}

/** A call with bad arguments, or one the server said it cannot take. */
export class UsageError extends MqttError {}

/** The connection could not be opened or was lost. */
export class TransportError extends MqttError {}

/** CONNACK refused the connection; `reasonCode` is the CONNACK code. */
export class ConnectionRefusedError extends MqttError {}

/** The server closed the session with DISCONNECT (MQTT 5). */
export class ServerDisconnectError extends MqttError {}

/**
 * The server sent something the protocol forbids; the client closed the
 * connection, telling an MQTT 5 server `reasonCode` in DISCONNECT.
 */
export class ProtocolViolationError extends MqttError {}

/** The server refused a PUBLISH (PUBACK/PUBREC reason code >= 0x80). */
export class PublishError extends MqttError {}

/** Enhanced authentication failed: the auth hook threw or was missing. */
export class AuthError extends MqttError {}

/** The operation was cut short by disconnect() or end(). */
export class ClientClosedError extends MqttError {}

/** Wraps a failure from node:net/tls/dns into a TransportError. */
export function transportError(
  code: MqttErrorCode,
  message: string,
  cause?: unknown,
): TransportError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new TransportError(code, `${message}${detail}`, { cause });
}
