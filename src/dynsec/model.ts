/**
 * The dynamic-security data: clients, groups and roles, the links between
 * them, and the order Mosquitto keeps each list in, since that order is
 * both what `get`/`list` answers show and the order ACLs are tried in:
 *
 * - clients, groups and roles by name (byte order, as strcmp);
 * - a client's or group's roles, and a client's groups, by priority, the
 *   highest first, then by name;
 * - a group's clients by username;
 * - a role's ACLs of one type by priority, the highest first, then in the
 *   order they were added.
 *
 * Links are kept in both directions (a role knows its clients and groups)
 * so that a change to a role can find every client whose rights it moves.
 */

export const ACL_TYPES = [
  'publishClientSend',
  'publishClientReceive',
  'subscribeLiteral',
  'subscribePattern',
  'unsubscribeLiteral',
  'unsubscribePattern',
] as const;

export type AclType = (typeof ACL_TYPES)[number];

/** The four kinds of default access, in the order they are listed. */
export const DEFAULT_ACCESS_TYPES = [
  'publishClientSend',
  'publishClientReceive',
  'subscribe',
  'unsubscribe',
] as const;

export type DefaultAccessType = (typeof DEFAULT_ACCESS_TYPES)[number];

export type DefaultAccess = Record<DefaultAccessType, boolean>;

export interface Acl {
  topic: string;
  priority: number;
  allow: boolean;
}

/** A PBKDF2-SHA512 password as the file stores it. */
export interface StoredPassword {
  hash: Buffer;
  salt: Buffer;
  iterations: number;
}

export interface RoleLink {
  role: Role;
  priority: number;
}

export interface GroupLink {
  group: Group;
  priority: number;
}

export interface ClientLink {
  client: Client;
  priority: number;
}

export interface Role {
  name: string;
  textName?: string;
  textDescription?: string;
  acls: Record<AclType, Acl[]>;
  readonly clients: Set<Client>;
  readonly groups: Set<Group>;
}

export interface Client {
  username: string;
  clientId?: string;
  textName?: string;
  textDescription?: string;
  disabled: boolean;
  password?: StoredPassword;
  roles: RoleLink[];
  groups: GroupLink[];
}

export interface Group {
  name: string;
  textName?: string;
  textDescription?: string;
  roles: RoleLink[];
  clients: ClientLink[];
}

/** strcmp order: UTF-8 bytes, which is Unicode code point order. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

export function emptyAcls(): Record<AclType, Acl[]> {
  return {
    publishClientSend: [],
    publishClientReceive: [],
    subscribeLiteral: [],
    subscribePattern: [],
    unsubscribeLiteral: [],
    unsubscribePattern: [],
  };
}

export function newRole(name: string): Role {
  return { name, acls: emptyAcls(), clients: new Set(), groups: new Set() };
}

export function newClient(username: string): Client {
  return { username, disabled: false, roles: [], groups: [] };
}

export function newGroup(name: string): Group {
  return { name, roles: [], clients: [] };
}

/** Inserts keeping `list` sorted by `before`: first place where it holds. */
function insertSorted<T>(list: T[], item: T, before: (a: T, b: T) => boolean): void {
  const at = list.findIndex((other) => before(item, other));
  if (at < 0) list.push(item);
  else list.splice(at, 0, item);
}

function byPriorityThenName(a: { priority: number }, b: { priority: number }) {
  return a.priority - b.priority;
}

/** Adds an ACL after those of equal priority, before lower ones. */
export function insertAcl(list: Acl[], acl: Acl): void {
  insertSorted(list, acl, (a, b) => a.priority > b.priority);
}

function insertRoleLink(list: RoleLink[], link: RoleLink): void {
  insertSorted(
    list,
    link,
    (a, b) =>
      byPriorityThenName(a, b) > 0 ||
      (a.priority === b.priority && compareNames(a.role.name, b.role.name) < 0),
  );
}

/** Links a role to a client; false if the client already has it. */
export function linkClientRole(client: Client, role: Role, priority: number): boolean {
  if (client.roles.some((link) => link.role === role)) return false;
  insertRoleLink(client.roles, { role, priority });
  role.clients.add(client);
  return true;
}

export function unlinkClientRole(client: Client, role: Role): void {
  client.roles = client.roles.filter((link) => link.role !== role);
  role.clients.delete(client);
}

/** Links a role to a group; false if the group already has it. */
export function linkGroupRole(group: Group, role: Role, priority: number): boolean {
  if (group.roles.some((link) => link.role === role)) return false;
  insertRoleLink(group.roles, { role, priority });
  role.groups.add(group);
  return true;
}

export function unlinkGroupRole(group: Group, role: Role): void {
  group.roles = group.roles.filter((link) => link.role !== role);
  role.groups.delete(group);
}

/** Puts a client in a group; false if it is already a member. */
export function linkGroupClient(group: Group, client: Client, priority: number): boolean {
  if (group.clients.some((link) => link.client === client)) return false;
  insertSorted(
    group.clients,
    { client, priority },
    (a, b) => compareNames(a.client.username, b.client.username) < 0,
  );
  insertSorted(
    client.groups,
    { group, priority },
    (a, b) =>
      byPriorityThenName(a, b) > 0 ||
      (a.priority === b.priority && compareNames(a.group.name, b.group.name) < 0),
  );
  return true;
}

export function unlinkGroupClient(group: Group, client: Client): void {
  group.clients = group.clients.filter((link) => link.client !== client);
  client.groups = client.groups.filter((link) => link.group !== group);
}
