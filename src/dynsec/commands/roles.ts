/**
 * The role commands. A role is a named, ordered list of ACLs; changing
 * them disconnects every client that holds the role, directly or through
 * a group, so that subscriptions made under the old rules do not outlive
 * them. modifyRole does so too when it replaces the ACLs (as Mosquitto
 * 2.1 does; 2.0.11 does not).
 */

import { aclsFromJson } from '../config-load.js';
import { asciiLower, getBool, getInt, type JsonObject } from '../json.js';
import { ACL_TYPES, type AclType, insertAcl, newRole } from '../model.js';
import { roleJson } from '../views.js';
import {
  findRole,
  type Handler,
  kickRole,
  listHandler,
  modifyText,
  nameArg,
  refuse,
  textArgs,
  validUtf8,
} from './shared.js';

/** Mosquitto's check of a subscription filter (an empty one passes). */
export function validAclTopic(topic: string): boolean {
  if (Buffer.byteLength(topic) > 65535) return false;
  let slashes = 0;
  for (let i = 0; i < topic.length; i++) {
    const c = topic[i];
    const startsLevel = i === 0 || topic[i - 1] === '/';
    if (c === '/') slashes++;
    else if (
      c === '+' &&
      (!startsLevel || (i + 1 < topic.length && topic[i + 1] !== '/'))
    ) {
      return false;
    } else if (c === '#' && (!startsLevel || i + 1 < topic.length)) return false;
  }
  // The broker's limit on topic levels.
  return slashes <= 200;
}

const createRole: Handler = (ctx, cmd) => {
  const name = nameArg(cmd, 'rolename');
  const texts = textArgs(cmd);
  if (ctx.state.roles.has(name)) refuse('Role already exists');
  const role = Object.assign(newRole(name), texts);
  const acls = cmd.get('acls');
  if (Array.isArray(acls)) role.acls = aclsFromJson(acls);
  ctx.state.roles.set(name, role);
  ctx.changed();
  ctx.log('createRole', `rolename=${name}`);
  return undefined;
};

const deleteRole: Handler = (ctx, cmd) => {
  const name = nameArg(cmd, 'rolename');
  const role = findRole(ctx, name);
  kickRole(ctx, role);
  ctx.state.deleteRole(role);
  ctx.changed();
  ctx.log('deleteRole', `rolename=${name}`);
  return undefined;
};

const getRole: Handler = (ctx, cmd) => {
  const name = nameArg(cmd, 'rolename');
  const role = findRole(ctx, name);
  ctx.log('getRole', `rolename=${name}`);
  return { role: roleJson(role) };
};

const listRoles = listHandler(
  'listRoles',
  'roles',
  (ctx) => ctx.state.sortedRoles(),
  (r, verbose) => (verbose ? roleJson(r) : r.name),
);

const modifyRole: Handler = (ctx, cmd) => {
  const name = nameArg(cmd, 'rolename');
  const role = ctx.state.roles.get(name) ?? refuse('Role does not exist');
  modifyText(role, cmd);
  const acls = cmd.get('acls');
  if (Array.isArray(acls)) {
    role.acls = aclsFromJson(acls);
    kickRole(ctx, role);
  }
  ctx.changed();
  ctx.log('modifyRole', `rolename=${name}`);
  return undefined;
};

/** The role, ACL type and topic of add/removeRoleACL, checked in order. */
function aclArgs(ctx: Parameters<Handler>[0], cmd: JsonObject) {
  const rolename = nameArg(cmd, 'rolename');
  const role = findRole(ctx, rolename);
  const given = cmd.get('acltype');
  if (typeof given !== 'string') refuse('Invalid/missing acltype');
  const type = ACL_TYPES.find((t) => asciiLower(t) === asciiLower(given));
  if (!type) refuse('Unknown acltype');
  const topic = cmd.get('topic');
  if (typeof topic !== 'string') refuse('Invalid/missing topic');
  if (!validUtf8(topic)) refuse('Topic not valid UTF-8');
  if (!validAclTopic(topic)) refuse('Invalid ACL topic');
  return { rolename, role, given, type: type as AclType, topic };
}

const addRoleACL: Handler = (ctx, cmd) => {
  const { rolename, role, given, type, topic } = aclArgs(ctx, cmd);
  const list = role.acls[type];
  if (list.some((acl) => acl.topic === topic)) {
    refuse('ACL with this topic already exists');
  }
  const priority = getInt(cmd, 'priority', 0).value;
  const allow = getBool(cmd, 'allow', false).value;
  insertAcl(list, { topic, priority, allow });
  ctx.changed();
  kickRole(ctx, role);
  ctx.log(
    'addRoleACL',
    `rolename=${rolename} | acltype=${given} | topic=${topic} | ` +
      `priority=${priority} | allow=${allow}`,
  );
  return undefined;
};

const removeRoleACL: Handler = (ctx, cmd) => {
  const { rolename, role, given, type, topic } = aclArgs(ctx, cmd);
  const list = role.acls[type];
  const at = list.findIndex((acl) => acl.topic === topic);
  if (at < 0) refuse('ACL not found');
  list.splice(at, 1);
  ctx.changed();
  kickRole(ctx, role);
  ctx.log('removeRoleACL', `rolename=${rolename} | acltype=${given} | topic=${topic}`);
  return undefined;
};

export const roleCommands: Record<string, Handler> = {
  createRole,
  deleteRole,
  getRole,
  listRoles,
  modifyRole,
  addRoleACL,
  removeRoleACL,
};
