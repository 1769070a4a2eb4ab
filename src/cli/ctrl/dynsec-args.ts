/**
 * `midge_ctrl dynsec <command> [args]` to the JSON command mosquitto_ctrl
 * would send, argument checks and all. Command names are matched ignoring
 * case; numbers are read with C's atoi, so "abc" is 0; a priority of -1 or
 * a count or offset below 1 is left out, letting the broker's default
 * apply. Commands that need a password and were given none ask for it.
 */
import { asciiLower } from '../../dynsec/json.js';
import { ACL_TYPES, DEFAULT_ACCESS_TYPES } from '../../dynsec/model.js';
import { atoi } from '../client-options/c-numbers.js';

/** What a command line asks for. */
export type DynsecRequest =
  | { kind: 'help' }
  | { kind: 'init'; args: string[] }
  | { kind: 'command'; command: Record<string, unknown> }
  /** Refused: `text` for stderr, then exit with `code`. */
  | { kind: 'error'; text: string; code: number };

/** Asks for a password; undefined if none was given (the asker said why). */
export type PasswordAsker = (
  username: string,
  mode: 'optional' | 'required',
) => Promise<string | undefined | 'mismatch'>;

const INVALID = 3;
const UNKNOWN = 13;
const invalidText = 'Error: Invalid function arguments provided.\n';

/** strcasecmp: ASCII letters only. */
function ciEqual(a: string, b: string): boolean {
  return asciiLower(a) === asciiLower(b);
}

function allowOf(word: string): boolean | undefined {
  if (ciEqual(word, 'allow')) return true;
  if (ciEqual(word, 'deny')) return false;
  return undefined;
}

/** A builder's refusal; an empty `text` and code 0 end quietly. */
class Stop {
  constructor(
    readonly text: string,
    readonly code: number,
  ) {}
}

type Built = Record<string, unknown> | 'invalid' | Stop;
type Builder = (
  args: string[],
  name: string,
  ask: PasswordAsker,
) => Built | Promise<Built>;

/** A command of fixed arguments: `keys` name them in order. */
function fixed(command: string | null, ...keys: string[]): Builder {
  return (args, name) => {
    if (args.length !== keys.length) return 'invalid';
    const out: Record<string, unknown> = { command: command ?? name };
    keys.forEach((key, i) => {
      out[key] = args[i];
    });
    return out;
  };
}

/**
 * `<a> <b> [priority]`, with the command in the case it was typed in.
 * `order` is the key order of the JSON, which is mosquitto_ctrl's.
 */
function withPriority(keys: [string, string], order: [string, string] = keys): Builder {
  return (args, name) => {
    if (args.length !== 2 && args.length !== 3) return 'invalid';
    const out: Record<string, unknown> = { command: name };
    for (const key of order) out[key] = args[keys.indexOf(key)];
    const priority = args.length === 3 ? atoi(args[2]!) : -1;
    if (priority !== -1) out.priority = priority;
    return out;
  };
}

function list(command: string): Builder {
  return (args) => {
    if (args.length > 2) return 'invalid';
    const out: Record<string, unknown> = { command };
    const count = args.length > 0 ? atoi(args[0]!) : -1;
    const offset = args.length > 1 ? atoi(args[1]!) : -1;
    if (count > 0) out.count = count;
    if (offset > 0) out.offset = offset;
    return out;
  };
}

const setDefaultACLAccess: Builder = (args) => {
  if (args.length !== 2) return 'invalid';
  const [acltype, access] = args as [string, string];
  if (!DEFAULT_ACCESS_TYPES.some((t) => ciEqual(t, acltype))) return 'invalid';
  const allow = allowOf(access);
  if (allow === undefined) {
    return new Stop(`Error: access must be "allow" or "deny".\n${invalidText}`, INVALID);
  }
  return { command: 'setDefaultACLAccess', acls: [{ acltype, allow }] };
};

/** The password from `-p`, or asked for; a refusal ends the request quietly. */
async function createClient(args: string[], _name: string, ask: PasswordAsker) {
  const [username] = args;
  if (username === undefined) return 'invalid';
  let clientid: string | undefined;
  let password: string | undefined;
  let given = false;
  for (let i = 1; i < args.length; i++) {
    const flag = args[i];
    if (flag !== '-c' && flag !== '-p') continue;
    const value = args[++i];
    if (value === undefined) {
      const what = flag === '-c' ? 'clientid' : 'password';
      const text = `Error: ${flag} argument given, but no ${what} provided.\n`;
      return new Stop(text + invalidText, INVALID);
    }
    if (flag === '-c') clientid = value;
    else {
      password = value;
      given = true;
    }
  }
  if (!given) {
    const asked = await ask(username, 'optional');
    if (asked === 'mismatch') return new Stop('', 0);
    password = asked;
  }
  const out: Record<string, unknown> = { command: 'createClient', username };
  if (clientid !== undefined) out.clientid = clientid;
  if (password !== undefined) out.password = password;
  return out;
}

async function setClientPassword(args: string[], _name: string, ask: PasswordAsker) {
  if (args.length !== 1 && args.length !== 2) return 'invalid';
  const username = args[0]!;
  let password = args[1];
  if (password === undefined) {
    const asked = await ask(username, 'required');
    if (asked === undefined || asked === 'mismatch') return new Stop('', 0);
    password = asked;
  }
  return { command: 'setClientPassword', username, password };
}

const setClientId: Builder = (args) => {
  if (args.length !== 1 && args.length !== 2) return 'invalid';
  const out: Record<string, unknown> = { command: 'setClientId', username: args[0] };
  if (args[1] !== undefined) out.clientid = args[1];
  return out;
};

const addRoleACL: Builder = (args) => {
  if (args.length !== 4 && args.length !== 5) return 'invalid';
  const [rolename, acltype, topic, action] = args as [string, string, string, string];
  const allow = allowOf(action);
  if (!ACL_TYPES.some((t) => ciEqual(t, acltype)) || allow === undefined)
    return 'invalid';
  const out: Record<string, unknown> = {
    command: 'addRoleACL',
    rolename,
    acltype,
    topic,
    allow,
  };
  const priority = args.length === 5 ? atoi(args[4]!) : -1;
  if (priority !== -1) out.priority = priority;
  return out;
};

const removeRoleACL: Builder = (args) => {
  if (args.length !== 3) return 'invalid';
  if (!ACL_TYPES.some((t) => ciEqual(t, args[1]!))) return 'invalid';
  const [rolename, acltype, topic] = args;
  return { command: 'removeRoleACL', rolename, acltype, topic };
};

const builders: Record<string, Builder> = {
  setDefaultACLAccess,
  getDefaultACLAccess: () => ({ command: 'getDefaultACLAccess' }),
  createClient,
  deleteClient: fixed('deleteClient', 'username'),
  getClient: fixed('getClient', 'username'),
  listClients: list('listClients'),
  setClientId,
  setClientPassword,
  addClientRole: withPriority(['username', 'rolename']),
  removeClientRole: withPriority(['username', 'rolename']),
  enableClient: fixed(null, 'username'),
  disableClient: fixed(null, 'username'),
  createGroup: fixed('createGroup', 'groupname'),
  deleteGroup: fixed('deleteGroup', 'groupname'),
  getGroup: fixed('getGroup', 'groupname'),
  listGroups: list('listGroups'),
  addGroupRole: withPriority(['groupname', 'rolename']),
  removeGroupRole: withPriority(['groupname', 'rolename']),
  addGroupClient: withPriority(['groupname', 'username'], ['username', 'groupname']),
  removeGroupClient: withPriority(['groupname', 'username'], ['username', 'groupname']),
  setAnonymousGroup: fixed('setAnonymousGroup', 'groupname'),
  getAnonymousGroup: () => ({ command: 'getAnonymousGroup' }),
  createRole: fixed('createRole', 'rolename'),
  deleteRole: fixed('deleteRole', 'rolename'),
  getRole: fixed('getRole', 'rolename'),
  listRoles: list('listRoles'),
  addRoleACL,
  removeRoleACL,
};

/** The request for `args` (the words after `dynsec`, at least one). */
export async function dynsecRequest(
  args: readonly string[],
  ask: PasswordAsker,
): Promise<DynsecRequest> {
  const [name, ...rest] = args as [string, ...string[]];
  if (ciEqual(name, 'help')) return { kind: 'help' };
  if (ciEqual(name, 'init')) return { kind: 'init', args: rest };
  const key = Object.keys(builders).find((k) => ciEqual(k, name));
  if (key === undefined) {
    return { kind: 'error', text: `Command '${name}' not recognised.\n`, code: UNKNOWN };
  }
  const built = await builders[key]!(rest, name, ask);
  if (built === 'invalid') return { kind: 'error', text: invalidText, code: INVALID };
  if (built instanceof Stop) return { kind: 'error', text: built.text, code: built.code };
  return { kind: 'command', command: built };
}
