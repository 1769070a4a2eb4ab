/**
 * Access decisions, in Mosquitto's order. The first ACL that matches
 * decides, trying:
 *
 *   1. the client's own roles, highest priority first, and in each role
 *      its ACLs of the checked type, highest priority first;
 *   2. then its groups, highest priority first, each group's roles in the
 *      same way;
 *   3. for a client without a username, the anonymous group's roles.
 *
 * For (un)subscribe, a role's literal ACLs are tried before its patterns.
 * If nothing matches, the default access decides, except that a default
 * allow never opens a `$CONTROL` topic: those need an explicit ACL.
 *
 * Answers are Mosquitto's plugin answers: 'defer' leaves the decision to
 * whatever checks come after (and refuses if nothing else allows), which
 * is also what a "denied by default" or an unknown username gives.
 */
import type { Role, RoleLink } from './model.js';
import type { DynsecState } from './state.js';
import { aclMatchesSubscription, aclMatchesTopic } from './topic-match.js';

export type Verdict = 'allow' | 'deny' | 'defer';

/** The access asked for, as Mosquitto's plugin API names it. */
export type AccessKind = 'read' | 'write' | 'subscribe' | 'unsubscribe';

/** What an access check needs to know about the client. */
export interface AclSubject {
  username: string | undefined;
}

type RoleCheck = (role: Role, topic: string) => boolean | undefined;

function publishCheck(type: 'publishClientSend' | 'publishClientReceive'): RoleCheck {
  return (role, topic) => {
    for (const acl of role.acls[type]) {
      if (aclMatchesTopic(acl.topic, topic)) return acl.allow;
    }
    return undefined;
  };
}

function filterCheck(
  literal: 'subscribeLiteral' | 'unsubscribeLiteral',
  pattern: 'subscribePattern' | 'unsubscribePattern',
): RoleCheck {
  return (role, filter) => {
    for (const acl of role.acls[literal]) {
      if (acl.topic === filter) return acl.allow;
    }
    for (const acl of role.acls[pattern]) {
      if (aclMatchesSubscription(acl.topic, filter)) return acl.allow;
    }
    return undefined;
  };
}

const checks: Record<AccessKind, RoleCheck> = {
  read: publishCheck('publishClientReceive'),
  write: publishCheck('publishClientSend'),
  subscribe: filterCheck('subscribeLiteral', 'subscribePattern'),
  unsubscribe: filterCheck('unsubscribeLiteral', 'unsubscribePattern'),
};

const defaults = {
  read: 'publishClientReceive',
  write: 'publishClientSend',
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
} as const;

function tryRoles(links: readonly RoleLink[], check: RoleCheck, topic: string) {
  for (const { role } of links) {
    const allow = check(role, topic);
    if (allow !== undefined) return allow;
  }
  return undefined;
}

/** The first ACL decision for the subject, or undefined if none matched. */
function explicitDecision(
  state: DynsecState,
  subject: AclSubject,
  topic: string,
  check: RoleCheck,
): boolean | 'unknown' | undefined {
  if (subject.username === undefined) {
    const anonymous = state.anonymousGroup;
    return anonymous ? tryRoles(anonymous.roles, check, topic) : undefined;
  }
  const client = state.clients.get(subject.username);
  if (!client) return 'unknown';
  const own = tryRoles(client.roles, check, topic);
  if (own !== undefined) return own;
  for (const { group } of client.groups) {
    const allow = tryRoles(group.roles, check, topic);
    if (allow !== undefined) return allow;
  }
  return undefined;
}

export function checkAccess(
  state: DynsecState,
  subject: AclSubject,
  topic: string,
  access: AccessKind,
): Verdict {
  const decision = explicitDecision(state, subject, topic, checks[access]);
  if (decision === 'unknown') return 'defer';
  if (decision !== undefined) return decision ? 'allow' : 'deny';
  if (!state.defaultAccess[defaults[access]]) return 'defer';
  return topic.startsWith('$CONTROL') ? 'defer' : 'allow';
}
