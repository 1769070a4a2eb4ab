/**
 * The broker's answer as mosquitto_ctrl prints it: an error as
 * `<command>: Error: <error>` on stderr; lists one name per line; a
 * client, group or role as labelled lines; default access as a table.
 * Commands that change something print nothing. The layouts are
 * mosquitto_ctrl's to the space, since scripts read them.
 *
 *   Username: u1
 *   Clientid: cid1
 *   Roles:    r1 (priority: 2)
 *   Groups:   g1 (priority: -1)
 */
import {
  asciiLower,
  asObject,
  JsonObject,
  type JsonValue,
  parseJson,
} from '../../dynsec/json.js';

export interface Printed {
  out: string;
  err: string;
}

const invalid = 'Error: Invalid response from server.\n';

class Bad extends Error {}

function bad(): never {
  throw new Bad();
}

function field(obj: JsonObject | undefined, key: string): JsonValue | undefined {
  return obj?.get(key);
}

function objectField(obj: JsonObject | undefined, key: string): JsonObject {
  return asObject(field(obj, key)) ?? bad();
}

function stringField(obj: JsonObject | undefined, key: string): string {
  const v = field(obj, key);
  return typeof v === 'string' ? v : bad();
}

function priorityText(entry: JsonObject | undefined): string {
  const p = field(entry, 'priority');
  const shown = typeof p === 'number' ? Math.trunc(p) : -1;
  return ` (priority: ${shown})`;
}

function entries(v: JsonValue | undefined): JsonObject[] {
  return Array.isArray(v) ? v.map((e) => asObject(e) ?? new JsonObject()) : [];
}

/** A list of linked names under `label`, aligned to `width` columns. */
function links(v: JsonValue | undefined, label: string, key: string, width: number) {
  if (!Array.isArray(v)) return `${label}\n`;
  let out = '';
  for (const entry of entries(v)) {
    const name = field(entry, key);
    if (typeof name !== 'string') continue;
    const head = out === '' ? label : '';
    out += `${head.padEnd(width)} ${name}${priorityText(entry)}\n`;
  }
  return out;
}

function printList(data: JsonObject, arrayName: string, key: string): string {
  const items = field(data, arrayName);
  if (!Array.isArray(items)) bad();
  let out = '';
  for (const item of items) {
    const name = item instanceof JsonObject ? item.get(key) : item;
    if (typeof name === 'string') out += `${name}\n`;
  }
  return out;
}

function printClient(data: JsonObject): string {
  const client = objectField(data, 'client');
  let out = `Username: ${stringField(client, 'username')}\n`;
  const clientId = field(client, 'clientid');
  out += typeof clientId === 'string' ? `Clientid: ${clientId}\n` : 'Clientid:\n';
  const disabled = field(client, 'disabled');
  if (typeof disabled === 'boolean') out += `Disabled: ${disabled}\n`;
  out += links(field(client, 'roles'), 'Roles:', 'rolename', 'Username:'.length);
  out += links(field(client, 'groups'), 'Groups:', 'groupname', 'Username:'.length);
  return out;
}

function printGroup(data: JsonObject): string {
  const group = objectField(data, 'group');
  let out = `Groupname: ${stringField(group, 'groupname')}\n`;
  out += links(field(group, 'roles'), 'Roles:', 'rolename', 'Groupname:'.length);
  let first = true;
  for (const entry of entries(field(group, 'clients'))) {
    const name = field(entry, 'username');
    if (typeof name !== 'string') continue;
    const label = first ? 'Clients:' : '';
    out += `${label.padEnd(11)}${name}\n`;
    first = false;
  }
  return out;
}

function printRole(data: JsonObject): string {
  const role = objectField(data, 'role');
  let out = `Rolename: ${stringField(role, 'rolename')}\n`;
  let first = true;
  for (const acl of entries(field(role, 'acls'))) {
    const type = field(acl, 'acltype');
    if (typeof type !== 'string') continue;
    const label = first ? 'ACLs:' : '';
    out += label.padEnd(10) + type.padEnd(20);
    first = false;
    const allow = field(acl, 'allow');
    if (typeof allow === 'boolean') out += allow ? ' : allow' : ' : deny ';
    const topic = field(acl, 'topic');
    if (typeof topic === 'string') out += ` : ${topic}`;
    out += `${priorityText(acl)}\n`;
  }
  return out;
}

function printDefaultAccess(data: JsonObject): string {
  const acls = field(data, 'acls');
  if (!Array.isArray(acls)) bad();
  let out = '';
  for (const acl of entries(acls)) {
    const type = field(acl, 'acltype');
    const allow = field(acl, 'allow');
    if (typeof type !== 'string' || typeof allow !== 'boolean') {
      // mosquitto_ctrl prints the lines before the bad one, then stops.
      throw Object.assign(new Bad(), { partial: out });
    }
    out += `${type.padEnd(20)} : ${allow ? 'allow' : 'deny'}\n`;
  }
  return out;
}

const printers: Record<string, (data: JsonObject) => string> = {
  listclients: (d) => printList(d, 'clients', 'username'),
  listgroups: (d) => printList(d, 'groups', 'groupname'),
  listroles: (d) => printList(d, 'roles', 'rolename'),
  getclient: printClient,
  getgroup: printGroup,
  getrole: printRole,
  getdefaultaclaccess: printDefaultAccess,
  getanonymousgroup: (d) => `${stringField(objectField(d, 'group'), 'groupname')}\n`,
};

function printData(command: string, response: JsonObject): Printed {
  const printer = printers[asciiLower(command)];
  if (!printer) return { out: '', err: '' };
  try {
    const data = asObject(response.get('data')) ?? bad();
    return { out: printer(data), err: '' };
  } catch (error) {
    if (!(error instanceof Bad)) throw error;
    const partial = (error as { partial?: string }).partial ?? '';
    return { out: partial, err: invalid };
  }
}

/** The first response of an answer, printed; or why it cannot be. */
export function printResponse(payload: string): Printed {
  const tree = parseJson(payload);
  if (tree === undefined) return { out: '', err: 'Error: Payload not JSON.\n' };
  const responses = asObject(tree)?.get('responses');
  const first = Array.isArray(responses) ? asObject(responses[0]) : undefined;
  const command = first?.get('command');
  if (!first || command === undefined)
    return { out: '', err: 'Error: Payload missing data.\n' };
  const name = typeof command === 'string' ? command : '(null)';
  const error = first.get('error');
  if (error !== undefined) {
    return {
      out: '',
      err: `${name}: Error: ${typeof error === 'string' ? error : '(null)'}\n`,
    };
  }
  return printData(name, first);
}
