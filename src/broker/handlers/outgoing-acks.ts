/**
 * PUBACK, PUBREC and PUBCOMP from a client: the steps of QoS 1/2 flows the
 * broker started (4.3.2, 4.3.3). Each frees or advances one in-flight
 * entry, found by packet id in O(1), and lets the queue move up.
 */
import {
  PacketType,
  type PubackPacket,
  type PubcompPacket,
  type PubrecPacket,
} from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import { completeOutgoing, logDebugPubrel } from '../delivery.js';
import { OutgoingState } from '../message.js';
import type { Session } from '../session.js';

export function handlePuback(conn: Connection, p: PubackPacket): void {
  const core = conn.core;
  if (core.debugEnabled) {
    logReceived(conn, 'PUBACK', p.packetId, p.reasonCode);
  }
  const session = conn.session as Session;
  const out = session.inflight.get(p.packetId);
  if (out === undefined || out.qos !== 1) return;
  completeOutgoing(core, session, p.packetId, true);
}

/**
 * PUBREC: answered with PUBREL [MQTT-4.3.3-4]. A 5.0 error code ends the
 * flow instead (MQTT 5 4.3.3). An unknown id is still answered with PUBREL,
 * as Mosquitto does.
 */
export function handlePubrec(conn: Connection, p: PubrecPacket): void {
  const core = conn.core;
  const id = p.packetId;
  if (core.debugEnabled) {
    core.logDebug(
      `Received PUBREC from ${conn.clientId} (Mid: ${id}, RC:${p.reasonCode ?? 0})`,
    );
  }
  const session = conn.session as Session;
  const out = session.inflight.get(id);
  if (out !== undefined && out.qos === 2) {
    if ((p.reasonCode ?? 0) >= 0x80) {
      completeOutgoing(core, session, id, true);
      return;
    }
    out.state = OutgoingState.Pubrel;
    // Saved before PUBREL leaves: a resent PUBLISH after it would be new.
    core.observer?.outgoingChanged(session, out);
  }
  logDebugPubrel(conn, id);
  conn.send({ type: PacketType.Pubrel, packetId: id });
}

export function handlePubcomp(conn: Connection, p: PubcompPacket): void {
  const core = conn.core;
  if (core.debugEnabled) {
    logReceived(conn, 'PUBCOMP', p.packetId, p.reasonCode);
  }
  const session = conn.session as Session;
  const out = session.inflight.get(p.packetId);
  if (out === undefined || out.state !== OutgoingState.Pubrel) return;
  completeOutgoing(core, session, p.packetId, true);
}

function logReceived(conn: Connection, name: string, id: number, rc: number | undefined) {
  conn.core.logDebug(
    `Received ${name} from ${conn.clientId} (Mid: ${id}, RC:${rc ?? 0})`,
  );
}
