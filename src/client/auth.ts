/**
 * Enhanced authentication (MQTT 5, section 4.12). The CONNECT carries
 * `authenticationMethod` and optional initial `authenticationData`; each
 * AUTH with ContinueAuthentication from the server goes to the user's
 * {@link AuthHandler}, whose answer goes back in an AUTH packet. The same
 * exchange runs again for re-authentication, started by the client with
 * AUTH ReAuthenticate and ended by the server's AUTH Success.
 */
import { PacketType, type Properties, ReasonCode } from '../protocol/index.js';
import type { AuthPacket } from '../protocol/packets.js';
import type { Connection } from './connection.js';
import { AuthError } from './errors.js';

export interface AuthChallenge {
  /** The server's authentication method (always the client's own). */
  method: string;
  /** The server's authenticationData, if any. */
  data?: Buffer;
  /** All properties of the server's AUTH (reasonString, userProperties). */
  properties: Properties;
  /** True during a re-authentication rather than the first CONNECT. */
  reauthenticating: boolean;
}

export interface AuthResponse {
  /** Sent back as authenticationData. */
  data?: Buffer;
  /** Extra AUTH properties: reasonString, userProperties. */
  properties?: Properties;
}

/**
 * Answers one step of the server's challenge. Throwing (or rejecting)
 * ends the connection with an AuthError.
 *
 * @example
 * auth: async ({ data }) => ({ data: await scramStep(data) })
 */
export type AuthHandler = (
  challenge: AuthChallenge,
) => AuthResponse | Promise<AuthResponse>;

/** Builds the AUTH the client sends for one step. */
export function authPacket(
  reasonCode: ReasonCode,
  method: string,
  response: AuthResponse,
): AuthPacket {
  const properties: Properties = { authenticationMethod: method };
  if (response.data !== undefined) properties.authenticationData = response.data;
  Object.assign(properties, response.properties);
  return { type: PacketType.Auth, reasonCode, properties };
}

/**
 * Handles the server's AUTH ContinueAuthentication: asks the handler and
 * sends its answer. Returns false (after closing the connection) when the
 * step cannot be answered.
 */
export async function answerChallenge(
  conn: Connection,
  packet: AuthPacket,
  method: string | undefined,
  handler: AuthHandler | undefined,
  reauthenticating: boolean,
): Promise<boolean> {
  const props = packet.properties ?? {};
  if (method === undefined || props.authenticationMethod !== method) {
    // [MQTT-4.12.0-5]: the method must be the one from CONNECT.
    conn.violation(ReasonCode.ProtocolError, 'AUTH with an unexpected method');
    return false;
  }
  if (!handler) {
    conn.destroy(new AuthError('AUTH_FAILED', 'server sent AUTH but no auth handler'));
    return false;
  }
  let response: AuthResponse;
  try {
    const challenge: AuthChallenge = { method, properties: props, reauthenticating };
    if (props.authenticationData) challenge.data = props.authenticationData;
    response = await handler(challenge);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    conn.destroy(new AuthError('AUTH_FAILED', `auth handler: ${message}`, { cause }));
    return false;
  }
  conn.send(authPacket(ReasonCode.ContinueAuthentication, method, response));
  return true;
}
