/**
 * Clients, groups and roles as JSON, with Mosquitto's key order, for the
 * `get`/`list` answers and for the config file. Optional keys are left
 * undefined, which both JSON.stringify and the file printer skip.
 */
import type { PrintValue } from './json-print.js';
import {
  ACL_TYPES,
  type Client,
  DEFAULT_ACCESS_TYPES,
  type DefaultAccess,
  type Group,
  type Role,
  type RoleLink,
} from './model.js';
import type { DynsecState } from './state.js';

export type JsonOut = { [key: string]: PrintValue | undefined };

/** -1 is the "no priority" value: it is not written out. */
function priorityOf(priority: number): number | undefined {
  return priority === -1 ? undefined : priority;
}

export function roleLinksJson(links: readonly RoleLink[]): JsonOut[] {
  return links.map((link) => ({
    rolename: link.role.name,
    priority: priorityOf(link.priority),
  }));
}

export function roleJson(role: Role): JsonOut {
  const acls: JsonOut[] = [];
  for (const acltype of ACL_TYPES) {
    for (const acl of role.acls[acltype]) {
      acls.push({ acltype, topic: acl.topic, priority: acl.priority, allow: acl.allow });
    }
  }
  return {
    rolename: role.name,
    textname: role.textName,
    textdescription: role.textDescription,
    acls,
  };
}

function clientHead(client: Client): JsonOut {
  return {
    username: client.username,
    clientid: client.clientId,
    textname: client.textName,
    textdescription: client.textDescription,
    disabled: client.disabled ? true : undefined,
  };
}

/** A client as `getClient` and verbose `listClients` show it. */
export function clientJson(client: Client): JsonOut {
  return {
    ...clientHead(client),
    roles: roleLinksJson(client.roles),
    groups: client.groups.map((link) => ({
      groupname: link.group.name,
      priority: priorityOf(link.priority),
    })),
  };
}

/** A group as `getGroup` and verbose `listGroups` show it. */
export function groupJson(group: Group): JsonOut {
  return {
    groupname: group.name,
    textname: group.textName,
    textdescription: group.textDescription,
    clients: group.clients.map((link) => ({ username: link.client.username })),
    roles: roleLinksJson(group.roles),
  };
}

export function defaultAccessJson(access: DefaultAccess): JsonOut[] {
  return DEFAULT_ACCESS_TYPES.map((acltype) => ({ acltype, allow: access[acltype] }));
}

function savedClient(client: Client): JsonOut {
  const pw = client.password;
  return {
    ...clientHead(client),
    roles: roleLinksJson(client.roles),
    password: pw?.hash.toString('base64'),
    salt: pw?.salt.toString('base64'),
    iterations: pw?.iterations,
  };
}

function savedGroup(group: Group): JsonOut {
  return {
    groupname: group.name,
    textname: group.textName,
    textdescription: group.textDescription,
    roles: roleLinksJson(group.roles),
    clients: group.clients.map((link) => ({
      username: link.client.username,
      priority: priorityOf(link.priority),
    })),
  };
}

/** The whole state as the config file holds it. */
export function configJson(state: DynsecState): JsonOut {
  return {
    defaultACLAccess: Object.fromEntries(
      DEFAULT_ACCESS_TYPES.map((type) => [type, state.defaultAccess[type]]),
    ),
    clients: state.sortedClients().map(savedClient),
    groups: state.sortedGroups().map(savedGroup),
    anonymousGroup: state.anonymousGroup?.name,
    roles: state.sortedRoles().map(roleJson),
  };
}
