/**
 * Rules Mosquitto applies to '$' topics before any ACL file or plugin is
 * asked, so they hold whatever those say:
 *
 * - `$SYS...`: nobody publishes there except a bridge's connection state
 *   (`$SYS/broker/connection/<id>/state`, then still subject to the ACL);
 *   reading and subscribing are left to the ACL.
 * - `$share...`: only SUBSCRIBE and UNSUBSCRIBE; no topic name may start
 *   so, hence no publish and no delivery.
 *
 * Mosquitto compares only the first characters, so `$SYSTEM/x` counts as
 * `$SYS` and `$shared/x` as `$share`; midge keeps that.
 *
 * @example
 * checkSpecialTopic('$SYS/broker/uptime', 'write'); // false
 * checkSpecialTopic('$share/g/a/#', 'subscribe');   // true
 */
import { topicMatches } from '../protocol/topics.js';
import type { AclAccessName } from './acl-file.js';

const BRIDGE_STATE = '$SYS/broker/connection/+/state';

/** False if the broker's own '$' rules refuse this access. */
export function checkSpecialTopic(topic: string, access: AclAccessName): boolean {
  if (!topic.startsWith('$')) return true;
  if (topic.startsWith('$SYS')) {
    return access !== 'write' || topicMatches(BRIDGE_STATE, topic);
  }
  if (topic.startsWith('$share')) {
    return access === 'subscribe' || access === 'unsubscribe';
  }
  return true;
}
