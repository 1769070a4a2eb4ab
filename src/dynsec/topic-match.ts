/**
 * The two ways a dynamic-security ACL topic is compared.
 *
 * Publish ACLs match the message's topic as a subscription would: a
 * filter that starts with a wildcard does not match a `$` topic, so `#`
 * does not open `$SYS/...` or `$CONTROL/...`. An ACL topic that is not a
 * valid filter (the config file may hold one) matches nothing.
 *
 * (Un)subscribe pattern ACLs compare a filter with a filter: the ACL must
 * cover every topic the requested filter could match. `+` in the ACL
 * covers any one level of the request, including a `+`, and a trailing
 * `#` covers the rest; a request ending in `#` needs an ACL ending in `#`.
 * The ACL `#` alone covers every filter, `$` ones included.
 */
import { isValidTopicFilter, topicMatches } from '../protocol/topics.js';

/** True if the publish ACL `acl` applies to a message on `topic`. */
export function aclMatchesTopic(acl: string, topic: string): boolean {
  if (acl.length === 0 || topic.length === 0) return false;
  if (topic.includes('+') || topic.includes('#')) return false;
  return isValidTopicFilter(acl) && topicMatches(acl, topic);
}

/** `s` without a trailing `#` level, and whether it had one. */
function splitHash(s: string): [string, boolean] {
  if (s === '#') return ['', true];
  if (s.endsWith('/#')) return [s.slice(0, -2), true];
  return [s, false];
}

/** True if the (un)subscribe pattern `acl` covers the filter `filter`. */
export function aclMatchesSubscription(acl: string, filter: string): boolean {
  if (acl === '#') return true;
  const [aclBase, aclHash] = splitHash(acl);
  const [filterBase, filterHash] = splitHash(filter);
  if (filterHash && !aclHash) return false;
  const aclLevels = aclBase.split('/');
  const filterLevels = filterBase.split('/');
  if (aclLevels.length > filterLevels.length) return false;
  if (filterLevels.length > aclLevels.length && !aclHash) return false;
  for (let i = 0; i < aclLevels.length; i++) {
    const level = aclLevels[i];
    if (level !== '+' && level !== filterLevels[i]) return false;
  }
  return true;
}
