/**
 * SUBSCRIBE (3.8): one SUBACK code per filter, in order [MQTT-3.8.4-6]
 * [MQTT-3.9.3-1], then the retained messages the new subscriptions ask for
 * (retain handling, 3.8.3.1). Invalid filters never get here: the decoder
 * refuses the packet, which closes the connection as Mosquitto does.
 */

import { LogType } from '../../log/log-types.js';
import {
  PacketType,
  parseSharedSubscription,
  type QoS,
  ReasonCode,
  type SubscribePacket,
  type Subscription,
} from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import { deliver } from '../delivery.js';
import { AclAccess, type HookSubscription } from '../hooks.js';
import type { Session, SubscriptionRecord } from '../session.js';

export function handleSubscribe(conn: Connection, p: SubscribePacket): void {
  const core = conn.core;
  if (core.debugEnabled) core.logDebug(`Received SUBSCRIBE from ${conn.clientId}`);
  const session = conn.session as Session;
  const identifier = p.properties?.subscriptionIdentifiers?.[0] ?? 0;
  const codes: number[] = [];
  const retained: SubscriptionRecord[] = [];
  for (const s of p.subscriptions) {
    const { code, record, isNew } = subscribeOne(conn, session, s, identifier);
    codes.push(code);
    if (record !== undefined && wantsRetained(record, isNew)) retained.push(record);
  }
  if (core.debugEnabled) core.logDebug(`Sending SUBACK to ${conn.clientId}`);
  conn.send({ type: PacketType.Suback, packetId: p.packetId, reasonCodes: codes });
  for (const record of retained) sendRetained(conn, session, record);
}

interface Outcome {
  code: number;
  record: SubscriptionRecord | undefined;
  isNew: boolean;
}

function subscribeOne(
  conn: Connection,
  session: Session,
  s: Subscription,
  identifier: number,
): Outcome {
  const core = conn.core;
  const mount = conn.listener.mountPoint;
  // The granted QoS may be lower than asked (3.8.4): max_qos caps it.
  const qos = Math.min(s.qos, conn.listener.maxQos) as QoS;
  if (core.debugEnabled) core.logDebug(`\t${s.topicFilter} (QoS ${s.qos})`);
  const shared = parseSharedSubscription(s.topicFilter);
  // A mount point prefixes every filter, so no filter can reach outside it.
  let sub: HookSubscription | undefined = {
    filter: mount + (shared?.filter ?? s.topicFilter),
    group: shared?.group ?? '',
    qos,
  };
  const acl = core.hooks.checkAcl;
  if (acl !== undefined && !acl(conn, sub.filter, AclAccess.Subscribe, qos, false)) {
    return { code: ReasonCode.NotAuthorized, record: undefined, isNew: false };
  }
  // Plugins may change or refuse a subscription that passed the check.
  if (core.hooks.subscribe !== undefined) sub = core.hooks.subscribe(conn, sub);
  if (sub === undefined) {
    return { code: ReasonCode.NotAuthorized, record: undefined, isNew: false };
  }
  const { filter, group } = sub;
  const key = group === '' ? filter : `$share/${group}/${filter}`;
  // A 3.x bridge (protocol level with bit 0x80) must not get its own
  // messages back and needs the retain flag as published, as in Mosquitto.
  const record: SubscriptionRecord = {
    filter,
    group,
    qos: sub.qos,
    noLocal: s.noLocal || conn.isBridge,
    retainAsPublished: s.retainAsPublished || conn.isBridge,
    retainHandling: s.retainHandling,
    identifier,
  };
  // A subscription to the same filter replaces the old one [MQTT-3.8.4-3].
  const isNew = core.tree.add(session, record);
  session.subscriptions.set(key, record);
  core.observer?.subscriptionChanged(session, key);
  if (isNew) core.countSubscription(group, 1);
  if (core.logger.mask & LogType.Subscribe) {
    core.logger.write(LogType.Subscribe, `${conn.clientId} ${sub.qos} ${s.topicFilter}`);
  }
  return { code: sub.qos, record, isNew };
}

/**
 * Retain Handling 0 sends retained messages on every subscribe, 1 only for
 * a new subscription, 2 never [MQTT-3.3.1-9] [MQTT-3.3.1-10]
 * [MQTT-3.3.1-11]. A shared subscription gets none (MQTT 5 4.8.2).
 */
function wantsRetained(record: SubscriptionRecord, isNew: boolean): boolean {
  if (record.group !== '') return false;
  return record.retainHandling === 0 || (record.retainHandling === 1 && isNew);
}

/** Retained messages go out with the retain flag set [MQTT-3.3.1-8]. */
function sendRetained(
  conn: Connection,
  session: Session,
  record: SubscriptionRecord,
): void {
  const core = conn.core;
  const upgrade = core.options.upgradeOutgoingQos;
  const ids = record.identifier !== 0 ? [record.identifier] : undefined;
  const { checkAcl: acl, retainedSource } = core.hooks;
  const before = core.retained.count;
  const found = core.retained.match(record.filter, Date.now());
  // Matching drops expired retained messages; keep the counters true.
  if (core.retained.count !== before) {
    core.stats.messagesStored += core.retained.count - before;
    core.stats.retainedCount = core.retained.count;
  }
  for (const msg of found) {
    const qos = upgrade || record.qos < msg.qos ? record.qos : msg.qos;
    // check_retain_source: may its publisher still write there?
    if (retainedSource !== undefined && !retainedSource(msg)) continue;
    if (
      acl !== undefined &&
      !acl(conn, msg.topic, AclAccess.Read, qos, true, msg.payload)
    ) {
      continue;
    }
    deliver(core, session, msg, qos, true, ids, true);
  }
}
