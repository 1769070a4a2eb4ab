/**
 * The group commands, and the anonymous group: the group whose roles
 * apply to clients that connect without a username. A change to a
 * group's roles or members disconnects the clients it affects (for the
 * anonymous group, every client without a username).
 *
 * Two deliberate departures from Mosquitto 2.0.11: deleting the anonymous
 * group is refused, as Mosquitto 2.1 does (2.0.11 crashes), and
 * modifyGroup also disconnects the members it removes, whose rights
 * changed as much as those of the members it adds.
 */
import { asObject, getInt, type JsonObject } from '../json.js';
import {
  type Group,
  linkGroupClient,
  linkGroupRole,
  newGroup,
  unlinkGroupClient,
  unlinkGroupRole,
} from '../model.js';
import { groupJson } from '../views.js';
import {
  type CommandContext,
  findClient,
  findGroup,
  findRole,
  type Handler,
  kickGroup,
  listHandler,
  modifyText,
  nameArg,
  priorityArg,
  refuse,
  rolesArg,
  textArgs,
} from './shared.js';

const createGroup: Handler = (ctx, cmd) => {
  const name = nameArg(cmd, 'groupname');
  const texts = textArgs(cmd);
  if (ctx.state.groups.has(name)) refuse('Group already exists');
  const roles = rolesArg(ctx, cmd, 'Internal error');
  const group = Object.assign(newGroup(name), texts);
  for (const { role, priority } of roles ?? []) linkGroupRole(group, role, priority);
  ctx.state.groups.set(name, group);
  ctx.changed();
  ctx.log('createGroup', `groupname=${name}`);
  return undefined;
};

const deleteGroup: Handler = (ctx, cmd) => {
  const name = nameArg(cmd, 'groupname');
  const group = findGroup(ctx, name);
  if (group === ctx.state.anonymousGroup) {
    refuse('Deleting the anonymous group is forbidden');
  }
  kickGroup(ctx, group);
  ctx.state.deleteGroup(group);
  ctx.changed();
  ctx.log('deleteGroup', `groupname=${name}`);
  return undefined;
};

const getGroup: Handler = (ctx, cmd) => {
  const name = nameArg(cmd, 'groupname');
  const group = findGroup(ctx, name);
  ctx.log('getGroup', `groupname=${name}`);
  return { group: groupJson(group) };
};

const listGroups = listHandler(
  'listGroups',
  'groups',
  (ctx) => ctx.state.sortedGroups(),
  (g, verbose) => (verbose ? groupJson(g) : g.name),
);

/** Replaces the members with those listed; unknown usernames are skipped. */
function replaceMembers(ctx: CommandContext, group: Group, cmd: JsonObject): void {
  const list = cmd.get('clients');
  if (!Array.isArray(list)) return;
  for (const { client } of group.clients) unlinkGroupClient(group, client);
  for (const value of list) {
    const item = asObject(value);
    const username = item?.get('username');
    if (!item || typeof username !== 'string') continue;
    const client = ctx.state.clients.get(username);
    if (client) linkGroupClient(group, client, getInt(item, 'priority', -1).value);
  }
}

const modifyGroup: Handler = (ctx, cmd) => {
  const name = nameArg(cmd, 'groupname');
  const group = findGroup(ctx, name);
  kickGroup(ctx, group);
  modifyText(group, cmd);
  ctx.changed();
  const roles = rolesArg(ctx, cmd);
  if (roles) {
    for (const { role } of group.roles) unlinkGroupRole(group, role);
    for (const { role, priority } of roles) linkGroupRole(group, role, priority);
  }
  replaceMembers(ctx, group, cmd);
  kickGroup(ctx, group);
  ctx.log('modifyGroup', `groupname=${name}`);
  return undefined;
};

function memberArgs(cmd: JsonObject): [string, string] {
  return [nameArg(cmd, 'username'), nameArg(cmd, 'groupname')];
}

/**
 * Mosquitto disconnects the named username even when the command fails,
 * once both names are well-formed; so does midge.
 */
function withMemberKick(
  handler: (
    ctx: CommandContext,
    cmd: JsonObject,
    username: string,
    group: string,
  ) => void,
) {
  const wrapped: Handler = (ctx, cmd) => {
    const [username, groupname] = memberArgs(cmd);
    try {
      handler(ctx, cmd, username, groupname);
    } finally {
      ctx.kick(username);
    }
    return undefined;
  };
  return wrapped;
}

const addGroupClient = withMemberKick((ctx, cmd, username, groupname) => {
  const priority = priorityArg(cmd);
  const client = findClient(ctx, username);
  const group = findGroup(ctx, groupname);
  if (!linkGroupClient(group, client, priority))
    refuse('Client is already in this group');
  ctx.changed();
  ctx.log(
    'addGroupClient',
    `groupname=${groupname} | username=${username} | priority=${priority}`,
  );
});

const removeGroupClient = withMemberKick((ctx, _cmd, username, groupname) => {
  const client = findClient(ctx, username);
  unlinkGroupClient(findGroup(ctx, groupname), client);
  ctx.changed();
  ctx.log('removeGroupClient', `groupname=${groupname} | username=${username}`);
});

function groupRoleArgs(cmd: JsonObject): [string, string] {
  return [nameArg(cmd, 'groupname'), nameArg(cmd, 'rolename')];
}

const addGroupRole: Handler = (ctx, cmd) => {
  const [groupname, rolename] = groupRoleArgs(cmd);
  const priority = priorityArg(cmd);
  const group = findGroup(ctx, groupname);
  const role = findRole(ctx, rolename);
  if (!linkGroupRole(group, role, priority)) refuse('Group is already in this role');
  ctx.changed();
  kickGroup(ctx, group);
  ctx.log(
    'addGroupRole',
    `groupname=${groupname} | rolename=${rolename} | priority=${priority}`,
  );
  return undefined;
};

const removeGroupRole: Handler = (ctx, cmd) => {
  const [groupname, rolename] = groupRoleArgs(cmd);
  const group = findGroup(ctx, groupname);
  unlinkGroupRole(group, findRole(ctx, rolename));
  ctx.changed();
  kickGroup(ctx, group);
  ctx.log('removeGroupRole', `groupname=${groupname} | rolename=${rolename}`);
  return undefined;
};

const setAnonymousGroup: Handler = (ctx, cmd) => {
  const name = nameArg(cmd, 'groupname');
  ctx.state.anonymousGroup = findGroup(ctx, name);
  ctx.changed();
  ctx.kick(null);
  ctx.log('setAnonymousGroup', `groupname=${name}`);
  return undefined;
};

const getAnonymousGroup: Handler = (ctx) => {
  ctx.log('getAnonymousGroup');
  return { group: { groupname: ctx.state.anonymousGroup?.name ?? '' } };
};

export const groupCommands: Record<string, Handler> = {
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  modifyGroup,
  addGroupClient,
  removeGroupClient,
  addGroupRole,
  removeGroupRole,
  setAnonymousGroup,
  getAnonymousGroup,
};
