/**
 * UNSUBSCRIBE (3.10): one UNSUBACK code per filter, No Subscription Existed
 * where there was none (5.0) [MQTT-3.11.3-1]. The filter is compared as a
 * string, not matched [MQTT-3.10.4-1].
 */

import { LogType } from '../../log/log-types.js';
import {
  PacketType,
  parseSharedSubscription,
  ReasonCode,
  type UnsubscribePacket,
} from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import { AclAccess } from '../hooks.js';
import type { Session } from '../session.js';

export function handleUnsubscribe(conn: Connection, p: UnsubscribePacket): void {
  const core = conn.core;
  if (core.debugEnabled) core.logDebug(`Received UNSUBSCRIBE from ${conn.clientId}`);
  const session = conn.session as Session;
  const mount = conn.listener.mountPoint;
  const acl = core.hooks.checkAcl;
  const codes: number[] = [];
  for (const raw of p.topicFilters) {
    if (core.debugEnabled) core.logDebug(`\t${raw}`);
    const shared = parseSharedSubscription(raw);
    const filter = mount + (shared?.filter ?? raw);
    const group = shared?.group ?? '';
    const key = shared === null ? filter : `$share/${group}/${filter}`;
    // Mosquitto asks plugins about unsubscribing too; a refused
    // subscription stays (3.x UNSUBACK cannot say so).
    if (acl !== undefined && !acl(conn, filter, AclAccess.Unsubscribe, 0, false)) {
      codes.push(ReasonCode.NotAuthorized);
    } else {
      codes.push(removeSubscription(conn, session, key));
      core.hooks.unsubscribed?.(conn, filter, group);
    }
    if (core.logger.mask & LogType.Unsubscribe) {
      core.logger.write(LogType.Unsubscribe, `${conn.clientId} ${raw}`);
    }
  }
  if (core.debugEnabled) core.logDebug(`Sending UNSUBACK to ${conn.clientId}`);
  conn.send({ type: PacketType.Unsuback, packetId: p.packetId, reasonCodes: codes });
}

function removeSubscription(conn: Connection, session: Session, key: string): ReasonCode {
  const core = conn.core;
  const record = session.subscriptions.get(key);
  if (record === undefined) return ReasonCode.NoSubscriptionExisted;
  session.subscriptions.delete(key);
  core.observer?.subscriptionChanged(session, key);
  core.tree.remove(session, record.filter, record.group);
  core.countSubscription(record.group, -1);
  return ReasonCode.Success;
}
