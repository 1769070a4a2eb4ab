/**
 * DISCONNECT from a client (3.14). The will is discarded [MQTT-3.14.4-3]
 * unless a 5.0 client asks for it with Disconnect with Will Message; a 5.0
 * client may change its Session Expiry Interval, but not from 0
 * [MQTT-3.14.2-2].
 */
import {
  type DisconnectPacket,
  protocolError,
  ReasonCode,
} from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import type { Session } from '../session.js';

export function handleDisconnect(conn: Connection, p: DisconnectPacket): void {
  const core = conn.core;
  if (core.debugEnabled) core.logDebug(`Received DISCONNECT from ${conn.clientId}`);
  const session = conn.session as Session;
  const expiry = p.properties?.sessionExpiryInterval;
  if (expiry !== undefined) {
    if (conn.connectExpiry === 0 && expiry !== 0) {
      throw protocolError('SESSION_EXPIRY_FROM_ZERO', 'session expiry set after 0');
    }
    session.expiryInterval = expiry;
  }
  const keepWill = p.reasonCode === ReasonCode.DisconnectWithWill;
  conn.logClient('disconnected.');
  core.endConnection(conn, keepWill);
  conn.transport.end();
}
