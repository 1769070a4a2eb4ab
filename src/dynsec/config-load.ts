/**
 * Reads a dynamic-security config file's JSON into a {@link DynsecState},
 * forgiving as Mosquitto is: an entry it cannot use (no name, a password
 * whose salt or hash has the wrong length, a link to an unknown role) is
 * skipped and the rest is kept. Keys are found ignoring case, so the
 * `textName` that `mosquitto_ctrl dynsec init` writes reads as `textname`.
 *
 * Roles load first, then clients, then groups, since each links to the
 * ones before. A top-level `roles`, `clients` or `groups` that is not an
 * array stops the load there, as in Mosquitto.
 */
import {
  asciiLower,
  asObject,
  getBool,
  getInt,
  getString,
  type JsonObject,
  type JsonValue,
} from './json.js';
import {
  ACL_TYPES,
  type AclType,
  type Client,
  DEFAULT_ACCESS_TYPES,
  type Group,
  insertAcl,
  linkClientRole,
  linkGroupClient,
  linkGroupRole,
  newClient,
  newGroup,
  newRole,
  type Role,
  type StoredPassword,
} from './model.js';
import { decodeStrictBase64, HASH_BYTES, SALT_BYTES } from './password.js';
import { DynsecState } from './state.js';

function objectsOf(v: JsonValue | undefined): JsonObject[] {
  if (!Array.isArray(v)) return [];
  return v.map(asObject).filter((o): o is JsonObject => o !== undefined);
}

/** A string field, or undefined when missing or of another type. */
function optionalText(obj: JsonObject, name: string): string | undefined {
  const v = obj.get(name);
  return typeof v === 'string' ? v : undefined;
}

function loadDefaultAccess(tree: JsonObject, state: DynsecState): void {
  const access = asObject(tree.get('defaultACLAccess'));
  if (!access) return;
  for (const type of DEFAULT_ACCESS_TYPES) {
    state.defaultAccess[type] = access.get(type) === true;
  }
}

/**
 * The ACLs of `list` for one role, by type then priority. Shared with
 * createRole and modifyRole, which take ACLs in the file's shape.
 */
export function aclsFromJson(list: JsonValue[]): Role['acls'] {
  const acls = newRole('').acls;
  for (const type of ACL_TYPES) {
    for (const entry of objectsOf(list)) {
      const acltype = entry.get('acltype');
      if (typeof acltype !== 'string' || !sameType(acltype, type)) continue;
      const topic = entry.get('topic');
      if (typeof topic !== 'string') continue;
      const priority = getInt(entry, 'priority', 0).value;
      const allow = getBool(entry, 'allow', false).value;
      insertAcl(acls[type], { topic, priority, allow });
    }
  }
  return acls;
}

function sameType(given: string, type: AclType): boolean {
  return asciiLower(given) === asciiLower(type);
}

function loadRole(entry: JsonObject, state: DynsecState): Role | undefined {
  const name = entry.get('rolename');
  if (typeof name !== 'string' || state.roles.has(name)) return undefined;
  const role = newRole(name);
  role.textName = optionalText(entry, 'textname');
  role.textDescription = optionalText(entry, 'textdescription');
  const acls = entry.get('acls');
  if (Array.isArray(acls)) role.acls = aclsFromJson(acls);
  return role;
}

/** The password, null if the entry has a broken one (the client is dropped). */
function loadPassword(entry: JsonObject): StoredPassword | undefined | null {
  const salt = entry.get('salt');
  const hash = entry.get('password');
  const iterations = entry.get('iterations');
  if (typeof salt !== 'string' || typeof hash !== 'string') return undefined;
  if (typeof iterations !== 'number') return undefined;
  const count = Math.trunc(iterations);
  if (!(count >= 1 && count <= 0x7fffffff)) return null;
  const saltBytes = decodeStrictBase64(salt);
  const hashBytes = decodeStrictBase64(hash);
  if (saltBytes?.length !== SALT_BYTES || hashBytes?.length !== HASH_BYTES) return null;
  return { salt: saltBytes, hash: hashBytes, iterations: count };
}

/** Links each `{rolename, priority}` whose role exists; others are dropped. */
function linkRoles(
  entry: JsonObject,
  state: DynsecState,
  link: (role: Role, priority: number) => void,
): void {
  for (const item of objectsOf(entry.get('roles'))) {
    const name = item.get('rolename');
    if (typeof name !== 'string') continue;
    const role = state.roles.get(name);
    if (role) link(role, getInt(item, 'priority', -1).value);
  }
}

function loadClient(entry: JsonObject, state: DynsecState): Client | undefined {
  const username = entry.get('username');
  if (typeof username !== 'string' || state.clients.has(username)) return undefined;
  const password = loadPassword(entry);
  if (password === null) return undefined;
  const client = newClient(username);
  client.disabled = entry.get('disabled') === true;
  client.password = password;
  client.clientId = optionalText(entry, 'clientid');
  client.textName = optionalText(entry, 'textname');
  client.textDescription = optionalText(entry, 'textdescription');
  linkRoles(entry, state, (role, priority) => linkClientRole(client, role, priority));
  return client;
}

function loadGroup(entry: JsonObject, state: DynsecState): Group | undefined {
  const name = getString(entry, 'groupname', false).value;
  if (name === undefined || state.groups.has(name)) return undefined;
  const group = newGroup(name);
  group.textName = optionalText(entry, 'textname');
  group.textDescription = optionalText(entry, 'textdescription');
  linkRoles(entry, state, (role, priority) => linkGroupRole(group, role, priority));
  for (const item of objectsOf(entry.get('clients'))) {
    const username = item.get('username');
    const client = typeof username === 'string' ? state.clients.get(username) : undefined;
    if (client) linkGroupClient(group, client, getInt(item, 'priority', -1).value);
  }
  return group;
}

/**
 * Loads every entry of `key`; false if the key holds something else. Of
 * two entries with one name the first wins, as a lookup would find it.
 */
function loadList<T>(
  tree: JsonObject,
  key: string,
  load: (entry: JsonObject) => T | undefined,
  store: (item: T) => void,
): boolean {
  const list = tree.get(key);
  if (list === undefined) return true;
  if (!Array.isArray(list)) return false;
  for (const entry of objectsOf(list)) {
    const item = load(entry);
    if (item) store(item);
  }
  return true;
}

/** The state a config file's JSON describes (see the module comment). */
export function stateFromJson(tree: JsonValue): DynsecState {
  const state = new DynsecState();
  const root = asObject(tree);
  if (!root) return state;
  loadDefaultAccess(root, state);
  const complete =
    loadList(
      root,
      'roles',
      (e) => loadRole(e, state),
      (r) => state.roles.set(r.name, r),
    ) &&
    loadList(
      root,
      'clients',
      (e) => loadClient(e, state),
      (c) => state.clients.set(c.username, c),
    ) &&
    loadList(
      root,
      'groups',
      (e) => loadGroup(e, state),
      (g) => state.groups.set(g.name, g),
    );
  if (!complete) return state;
  const anonymous = root.get('anonymousGroup');
  if (typeof anonymous === 'string') state.anonymousGroup = state.groups.get(anonymous);
  return state;
}
