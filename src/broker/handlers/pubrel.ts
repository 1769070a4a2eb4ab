/**
 * PUBREL (3.6): releases an incoming QoS 2 message. It is delivered now,
 * once, and answered with PUBCOMP [MQTT-4.3.3-11]. An unknown packet id
 * still gets PUBCOMP, as Mosquitto does: it is most likely a PUBREL resent
 * after a reconnect whose PUBCOMP was lost.
 */
import { PacketType, type PubrelPacket } from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import type { Session } from '../session.js';

export function handlePubrel(conn: Connection, p: PubrelPacket): void {
  const core = conn.core;
  const id = p.packetId;
  if (core.debugEnabled)
    core.logDebug(`Received PUBREL from ${conn.clientId} (Mid: ${id})`);
  const session = conn.session as Session;
  const msg = session.incomingQos2.get(id);
  if (msg !== undefined) {
    session.incomingQos2.delete(id);
    core.observer?.incomingChanged(session, id);
    if (msg !== null) core.router.route(msg);
  }
  if (core.debugEnabled) core.logDebug(`Sending PUBCOMP to ${conn.clientId} (m${id})`);
  conn.send({ type: PacketType.Pubcomp, packetId: id });
}
