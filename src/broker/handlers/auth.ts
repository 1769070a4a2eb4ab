/**
 * MQTT 5 enhanced authentication (4.12): CONNECT with an Authentication
 * Method, then AUTH packets both ways until the security hook says Success
 * or refuses. Without a hook that knows the method the CONNECT is refused
 * with Bad Authentication Method, as Mosquitto does. Re-authentication on
 * a live connection uses the same hook [MQTT-4.12.1-1].
 */
import {
  type AuthPacket,
  PacketType,
  protocolError,
  ReasonCode,
} from '../../protocol/index.js';
import { type Connection, ConnState } from '../connection.js';
import type { EnhancedAuthHook, EnhancedAuthResult } from '../hooks.js';
import { acceptConnection, refuse } from './connack.js';
import type { ConnectRequest } from './connect.js';

export function startEnhancedAuth(
  conn: Connection,
  method: string,
  data: Buffer | undefined,
): void {
  const hook = conn.core.hooks.enhancedAuth;
  if (hook === undefined || !hook.supports(method)) {
    refuse(conn, ReasonCode.BadAuthenticationMethod);
    return;
  }
  conn.authMethod = method;
  step(conn, hook, false, data, false);
}

export function handleAuth(conn: Connection, p: AuthPacket): void {
  const hook = conn.core.hooks.enhancedAuth;
  const method = p.properties?.authenticationMethod;
  // The method may not change during the exchange [MQTT-4.12.0-5].
  if (hook === undefined || method === undefined || method !== conn.authMethod) {
    throw protocolError('AUTH_METHOD', 'AUTH with another or no authentication method');
  }
  const data = p.properties?.authenticationData;
  if (p.reasonCode === ReasonCode.ContinueAuthentication) {
    if (conn.state === ConnState.Connected && !conn.reauthenticating) {
      throw protocolError('AUTH_UNEXPECTED', 'AUTH continue without an exchange');
    }
    step(conn, hook, true, data, conn.state === ConnState.Connected);
    return;
  }
  if (p.reasonCode === ReasonCode.ReAuthenticate && conn.state === ConnState.Connected) {
    conn.reauthenticating = true;
    step(conn, hook, false, data, true);
    return;
  }
  throw protocolError('AUTH_UNEXPECTED', 'unexpected AUTH reason code');
}

function step(
  conn: Connection,
  hook: EnhancedAuthHook,
  continued: boolean,
  data: Buffer | undefined,
  reauth: boolean,
): void {
  const method = conn.authMethod as string;
  let result: EnhancedAuthResult | Promise<EnhancedAuthResult>;
  try {
    result = continued
      ? hook.continue(conn, method, data)
      : hook.start(conn, method, data, reauth);
  } catch {
    result = { reasonCode: ReasonCode.UnspecifiedError };
  }
  if (!(result instanceof Promise)) {
    onResult(conn, result, reauth);
    return;
  }
  conn.hold();
  result.then(
    (r) => onResult(conn, r, reauth),
    () => onResult(conn, { reasonCode: ReasonCode.UnspecifiedError }, reauth),
  );
}

function onResult(conn: Connection, r: EnhancedAuthResult, reauth: boolean): void {
  if (conn.state === ConnState.Closed) return;
  if (r.reasonCode === ReasonCode.ContinueAuthentication) {
    sendAuth(conn, ReasonCode.ContinueAuthentication, r.data);
  } else if (r.reasonCode === ReasonCode.Success) {
    if (reauth) {
      conn.reauthenticating = false;
      sendAuth(conn, ReasonCode.Success, r.data);
    } else {
      acceptConnection(conn, conn.connectRequest as ConnectRequest, r.data);
    }
  } else if (reauth) {
    conn.close(r.reasonCode, 'disconnected, not authorised.');
  } else {
    refuse(conn, r.reasonCode);
  }
  conn.release();
}

function sendAuth(
  conn: Connection,
  reasonCode: ReasonCode,
  data: Buffer | undefined,
): void {
  const properties =
    data === undefined
      ? { authenticationMethod: conn.authMethod }
      : { authenticationMethod: conn.authMethod, authenticationData: data };
  conn.send({ type: PacketType.Auth, reasonCode, properties });
}
