/**
 * The client commands. Each checks its arguments in Mosquitto's order and
 * answers with Mosquitto's error text. A change to what a connected client
 * may do (its password, client id, roles, groups, being disabled or
 * deleted) disconnects the clients logged in with that username, so they
 * must log in again under the new rules.
 */
import { asObject, getInt, type JsonObject } from '../json.js';
import {
  type Client,
  linkClientRole,
  linkGroupClient,
  newClient,
  unlinkClientRole,
  unlinkGroupClient,
} from '../model.js';
import { hashPassword } from '../password.js';
import { clientJson } from '../views.js';
import {
  type CommandContext,
  findClient,
  findRole,
  type Handler,
  listHandler,
  modifyText,
  nameArg,
  optionalString,
  presentString,
  priorityArg,
  refuse,
  rolesArg,
  textArgs,
  validUtf8,
} from './shared.js';

function clientIdArg(cmd: JsonObject, missing: string): string | undefined {
  const clientId = optionalString(cmd, 'clientid', missing);
  if (clientId !== undefined && !validUtf8(clientId)) refuse('Client ID not valid UTF-8');
  return clientId;
}

/** Joins the groups a create/modify command lists; unknown ones give `onMissing`. */
function joinGroups(
  ctx: CommandContext,
  client: Client,
  cmd: JsonObject,
  onMissing: (reason: string) => void,
): void {
  const list = cmd.get('groups');
  if (!Array.isArray(list)) return;
  for (const value of list) {
    const item = asObject(value);
    const name = item?.get('groupname');
    if (!item || typeof name !== 'string') continue;
    const group = ctx.state.groups.get(name);
    if (!group) {
      onMissing('Group not found');
      continue;
    }
    const priority = getInt(item, 'priority', -1).value;
    if (!linkGroupClient(group, client, priority)) onMissing('Internal error');
  }
}

const createClient: Handler = (ctx, cmd) => {
  const username = nameArg(cmd, 'username');
  const password = optionalString(cmd, 'password', 'Invalid/missing password');
  const clientId = clientIdArg(cmd, 'Invalid/missing client id');
  const texts = textArgs(cmd);
  if (ctx.state.clients.has(username)) refuse('Client already exists');
  const roles = rolesArg(ctx, cmd);
  const client = Object.assign(newClient(username), texts);
  if (password !== undefined) client.password = hashPassword(password);
  if (clientId) client.clientId = clientId;
  for (const { role, priority } of roles ?? []) linkClientRole(client, role, priority);
  ctx.state.clients.set(username, client);
  joinGroups(ctx, client, cmd, (reason) => {
    ctx.state.deleteClient(client);
    refuse(reason);
  });
  ctx.changed();
  const shown = password === undefined ? 'no password' : '*****';
  ctx.log('createClient', `username=${username} | password=${shown}`);
  return undefined;
};

const deleteClient: Handler = (ctx, cmd) => {
  const username = nameArg(cmd, 'username', false);
  ctx.state.deleteClient(findClient(ctx, username));
  ctx.changed();
  ctx.kick(username);
  ctx.log('deleteClient', `username=${username}`);
  return undefined;
};

function enableDisable(disabled: boolean): Handler {
  return (ctx, cmd) => {
    const username = nameArg(cmd, 'username');
    findClient(ctx, username).disabled = disabled;
    if (disabled) ctx.kick(username);
    ctx.changed();
    ctx.log(disabled ? 'disableClient' : 'enableClient', `username=${username}`);
    return undefined;
  };
}

const setClientId: Handler = (ctx, cmd) => {
  const username = nameArg(cmd, 'username');
  const clientId = clientIdArg(cmd, 'Invalid/missing client ID');
  const client = findClient(ctx, username);
  client.clientId = clientId || undefined;
  ctx.changed();
  ctx.kick(username);
  ctx.log(
    'setClientId',
    `username=${username} | clientid=${client.clientId ?? '(null)'}`,
  );
  return undefined;
};

const setClientPassword: Handler = (ctx, cmd) => {
  const username = nameArg(cmd, 'username');
  const password = presentString(cmd, 'password');
  if (password === undefined) refuse('Invalid/missing password');
  if (password === '') refuse('Empty password is not allowed');
  findClient(ctx, username).password = hashPassword(password);
  ctx.changed();
  ctx.kick(username);
  ctx.log('setClientPassword', `username=${username} | password=******`);
  return undefined;
};

/**
 * Changes what it is given. As in Mosquitto, a bad `roles` list refuses
 * the command after the fields before it were already changed.
 */
const modifyClient: Handler = (ctx, cmd) => {
  const username = nameArg(cmd, 'username');
  const client = findClient(ctx, username);
  ctx.kick(username);
  const clientId = presentString(cmd, 'clientid');
  if (clientId !== undefined) client.clientId = clientId || undefined;
  const password = presentString(cmd, 'password');
  if (password) client.password = hashPassword(password);
  modifyText(client, cmd);
  ctx.changed();
  const roles = rolesArg(ctx, cmd);
  if (roles) {
    for (const { role } of client.roles) unlinkClientRole(client, role);
    for (const { role, priority } of roles) linkClientRole(client, role, priority);
  }
  if (Array.isArray(cmd.get('groups'))) {
    for (const { group } of client.groups) unlinkGroupClient(group, client);
    joinGroups(ctx, client, cmd, () => {});
  }
  ctx.log('modifyClient', `username=${username}`);
  return undefined;
};

const getClient: Handler = (ctx, cmd) => {
  const username = nameArg(cmd, 'username');
  const client = findClient(ctx, username);
  ctx.log('getClient', `username=${username}`);
  return { client: clientJson(client) };
};

const listClients = listHandler(
  'listClients',
  'clients',
  (ctx) => ctx.state.sortedClients(),
  (c, verbose) => (verbose ? clientJson(c) : c.username),
);

function roleArgs(cmd: JsonObject): [string, string] {
  return [nameArg(cmd, 'username'), nameArg(cmd, 'rolename')];
}

const addClientRole: Handler = (ctx, cmd) => {
  const [username, rolename] = roleArgs(cmd);
  const priority = priorityArg(cmd);
  const client = findClient(ctx, username);
  const role = findRole(ctx, rolename);
  // Mosquitto 2.0 answers a role the client already has this way.
  if (!linkClientRole(client, role, priority)) refuse('Internal error');
  ctx.changed();
  ctx.kick(username);
  ctx.log(
    'addClientRole',
    `username=${username} | rolename=${rolename} | priority=${priority}`,
  );
  return undefined;
};

const removeClientRole: Handler = (ctx, cmd) => {
  const [username, rolename] = roleArgs(cmd);
  const client = findClient(ctx, username);
  unlinkClientRole(client, findRole(ctx, rolename));
  ctx.changed();
  ctx.kick(username);
  ctx.log('removeClientRole', `username=${username} | rolename=${rolename}`);
  return undefined;
};

export const clientCommands: Record<string, Handler> = {
  createClient,
  deleteClient,
  enableClient: enableDisable(false),
  disableClient: enableDisable(true),
  setClientId,
  setClientPassword,
  modifyClient,
  getClient,
  listClients,
  addClientRole,
  removeClientRole,
};
