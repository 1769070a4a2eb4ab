/** PINGREQ (3.12): answered with PINGRESP [MQTT-3.12.4-1]. */
import { PacketType } from '../../protocol/index.js';
import type { Connection } from '../connection.js';

export function handlePingreq(conn: Connection): void {
  const core = conn.core;
  if (core.debugEnabled) {
    core.logDebug(`Received PINGREQ from ${conn.clientId}`);
    core.logDebug(`Sending PINGRESP to ${conn.clientId}`);
  }
  conn.send({ type: PacketType.Pingresp });
}
