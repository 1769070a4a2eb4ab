/**
 * Default access: what a client may do when none of its ACLs decides.
 * setDefaultACLAccess applies each well-formed entry and skips the rest
 * (an unknown type or a non-boolean `allow`) without complaint, as
 * Mosquitto does. Nobody is disconnected: access checks read the current
 * defaults each time.
 */
import { asciiLower, asObject } from '../json.js';
import { DEFAULT_ACCESS_TYPES } from '../model.js';
import { defaultAccessJson } from '../views.js';
import { type Handler, refuse } from './shared.js';

const setDefaultACLAccess: Handler = (ctx, cmd) => {
  const acls = cmd.get('acls');
  if (!Array.isArray(acls)) refuse('Missing/invalid actions array');
  for (const value of acls) {
    const entry = asObject(value);
    const acltype = entry?.get('acltype');
    const allow = entry?.get('allow');
    if (typeof acltype !== 'string' || typeof allow !== 'boolean') continue;
    const type = DEFAULT_ACCESS_TYPES.find((t) => asciiLower(t) === asciiLower(acltype));
    if (type) ctx.state.defaultAccess[type] = allow;
    ctx.log('setDefaultACLAccess', `acltype=${acltype} | allow=${allow}`);
  }
  ctx.changed();
  return undefined;
};

const getDefaultACLAccess: Handler = (ctx) => {
  ctx.log('getDefaultACLAccess');
  return { acls: defaultAccessJson(ctx.state.defaultAccess) };
};

export const generalCommands: Record<string, Handler> = {
  setDefaultACLAccess,
  getDefaultACLAccess,
};
