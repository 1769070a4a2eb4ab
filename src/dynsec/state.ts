/**
 * Everything the plugin knows at one moment: the three collections, the
 * default access and the anonymous group. Removing an entry also cuts its
 * links, so no list ever points at something deleted.
 */
import {
  type Client,
  compareNames,
  type DefaultAccess,
  type Group,
  type Role,
  unlinkClientRole,
  unlinkGroupClient,
  unlinkGroupRole,
} from './model.js';

/** What an empty or missing file means: every kind of access refused. */
export function closedAccess(): DefaultAccess {
  return {
    publishClientSend: false,
    publishClientReceive: false,
    subscribe: false,
    unsubscribe: false,
  };
}

function sortedValues<T>(map: Map<string, T>): T[] {
  return [...map.keys()].sort(compareNames).map((key) => map.get(key)!);
}

export class DynsecState {
  readonly clients = new Map<string, Client>();
  readonly groups = new Map<string, Group>();
  readonly roles = new Map<string, Role>();
  defaultAccess: DefaultAccess = closedAccess();
  anonymousGroup: Group | undefined;

  sortedClients(): Client[] {
    return sortedValues(this.clients);
  }

  sortedGroups(): Group[] {
    return sortedValues(this.groups);
  }

  sortedRoles(): Role[] {
    return sortedValues(this.roles);
  }

  deleteClient(client: Client): void {
    for (const { role } of client.roles) unlinkClientRole(client, role);
    for (const { group } of client.groups) unlinkGroupClient(group, client);
    this.clients.delete(client.username);
  }

  deleteGroup(group: Group): void {
    for (const { role } of group.roles) unlinkGroupRole(group, role);
    for (const { client } of group.clients) unlinkGroupClient(group, client);
    if (this.anonymousGroup === group) this.anonymousGroup = undefined;
    this.groups.delete(group.name);
  }

  deleteRole(role: Role): void {
    for (const client of role.clients) unlinkClientRole(client, role);
    for (const group of role.groups) unlinkGroupRole(group, role);
    this.roles.delete(role.name);
  }
}
