/**
 * What every command handler uses: the context it runs in, the way it
 * refuses (by throwing a {@link Refusal} carrying Mosquitto's error text),
 * argument readers with Mosquitto's checks and messages, paging for the
 * `list` commands, and the kick rules for role and group changes.
 */
import { isValidMqttString } from '../../protocol/utf8.js';
import {
  asObject,
  getBool,
  getInt,
  getString,
  type JsonObject,
  type JsonValue,
} from '../json.js';
import type { PrintValue } from '../json-print.js';
import type { Group, Role, RoleLink } from '../model.js';
import type { DynsecState } from '../state.js';
import type { JsonOut } from '../views.js';

/** Who sent a request, as the log lines name them. */
export interface Requester {
  clientId?: string;
  username?: string;
}

export interface CommandContext {
  readonly state: DynsecState;
  readonly requester: Requester;
  /** Disconnects a username's clients (null: clients without one). */
  kick(username: string | null): void;
  /** Notes that the state changed and must be saved. */
  changed(): void;
  /** Writes `dynsec: <id>/<user> | <command> | <details>` to the log. */
  log(command: string, details?: string): void;
}

/** A handler returns the answer's `data`, or nothing. */
export type Handler = (ctx: CommandContext, cmd: JsonObject) => JsonOut | undefined;

/** A command refused with `reason`, the `error` of its answer. */
export class Refusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'Refusal';
  }
}

export function refuse(reason: string): never {
  throw new Refusal(reason);
}

/** Mosquitto's UTF-8 check for names: MQTT rules, at most 65536 bytes. */
export function validUtf8(s: string): boolean {
  return Buffer.byteLength(s) <= 65536 && isValidMqttString(s);
}

const names = {
  username: ['Invalid/missing username', 'Username not valid UTF-8'],
  groupname: ['Invalid/missing groupname', 'Group name not valid UTF-8'],
  rolename: ['Invalid/missing rolename', 'Role name not valid UTF-8'],
} as const;

/** A required name argument, checked as UTF-8 unless `check` is false. */
export function nameArg(cmd: JsonObject, key: keyof typeof names, check = true): string {
  const [missing, badUtf8] = names[key];
  const { ok, value } = getString(cmd, key, false);
  if (!ok || value === undefined) refuse(missing);
  if (check && !validUtf8(value)) refuse(badUtf8);
  return value;
}

/** An optional string argument; refused with `message` if of another type. */
export function optionalString(
  cmd: JsonObject,
  key: string,
  message: string,
): string | undefined {
  const { ok, value } = getString(cmd, key, true);
  if (!ok) refuse(message);
  return value;
}

/** A string argument used only if present and a string (modify commands). */
export function presentString(cmd: JsonObject, key: string): string | undefined {
  const v = cmd.get(key);
  return typeof v === 'string' ? v : undefined;
}

/** The optional textname and textdescription of a create command. */
export function textArgs(cmd: JsonObject) {
  return {
    textName: optionalString(cmd, 'textname', 'Invalid/missing textname'),
    textDescription: optionalString(
      cmd,
      'textdescription',
      'Invalid/missing textdescription',
    ),
  };
}

/** A modify command's textname and textdescription, where given. */
export function modifyText(target: Texts, cmd: JsonObject): void {
  target.textName = presentString(cmd, 'textname') ?? target.textName;
  target.textDescription =
    presentString(cmd, 'textdescription') ?? target.textDescription;
}

interface Texts {
  textName?: string;
  textDescription?: string;
}

export function priorityArg(cmd: JsonObject, fallback = -1): number {
  return getInt(cmd, 'priority', fallback).value;
}

export function findClient(ctx: CommandContext, username: string) {
  return ctx.state.clients.get(username) ?? refuse('Client not found');
}

export function findGroup(ctx: CommandContext, name: string) {
  return ctx.state.groups.get(name) ?? refuse('Group not found');
}

export function findRole(ctx: CommandContext, name: string) {
  return ctx.state.roles.get(name) ?? refuse('Role not found');
}

/**
 * A `roles` list as create/modify commands take it. Undefined if there is
 * none; 'invalid' if it is not an array or an entry has no rolename;
 * 'not-found' if a role does not exist.
 */
export function roleLinksArg(
  ctx: CommandContext,
  cmd: JsonObject,
): RoleLink[] | undefined | 'invalid' | 'not-found' {
  const list = cmd.get('roles');
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return 'invalid';
  const links: RoleLink[] = [];
  for (const item of list) {
    const name = rolenameOf(item);
    if (name === undefined) return 'invalid';
    const role = ctx.state.roles.get(name);
    if (!role) return 'not-found';
    if (links.some((link) => link.role === role)) continue;
    links.push({ role, priority: getInt(asObject(item)!, 'priority', -1).value });
  }
  return links;
}

function rolenameOf(item: JsonValue): string | undefined {
  const name = asObject(item)?.get('rolename');
  return typeof name === 'string' ? name : undefined;
}

/**
 * The `roles` list of a create/modify command, refused as Mosquitto
 * refuses it; `invalid` is the error for a list that is not one.
 */
export function rolesArg(
  ctx: CommandContext,
  cmd: JsonObject,
  invalid = "'roles' not an array or missing/invalid rolename",
): RoleLink[] | undefined {
  const roles = roleLinksArg(ctx, cmd);
  if (roles === 'not-found') refuse('Role not found');
  if (roles === 'invalid') refuse(invalid);
  return roles;
}

export interface Page {
  verbose: boolean;
  count: number;
  offset: number;
}

/**
 * The slice a `list` command answers with. A count of 0 still gives one
 * entry and a negative count means all, as in Mosquitto.
 */
export function pageOf<T>(items: readonly T[], page: Page): T[] {
  const start = Math.max(page.offset, 0);
  const length = page.count < 0 ? items.length : Math.max(page.count, 1);
  return items.slice(start, start + length);
}

/**
 * A `list` command: the total, and under `key` one page of `all(ctx)`, as
 * names or, when verbose, as `show` gives each.
 */
export function listHandler<T>(
  command: string,
  key: string,
  all: (ctx: CommandContext) => readonly T[],
  show: (item: T, verbose: boolean) => PrintValue,
): Handler {
  return (ctx, cmd) => {
    const verbose = getBool(cmd, 'verbose', false).value;
    const count = getInt(cmd, 'count', -1).value;
    const offset = getInt(cmd, 'offset', 0).value;
    const items = all(ctx);
    const shown = pageOf(items, { verbose, count, offset });
    ctx.log(command, `verbose=${verbose} | count=${count} | offset=${offset}`);
    return { totalCount: items.length, [key]: shown.map((item) => show(item, verbose)) };
  };
}

/** Kicks every client whose rights come from `group`. */
export function kickGroup(ctx: CommandContext, group: Group): void {
  if (ctx.state.anonymousGroup === group) ctx.kick(null);
  for (const { client } of group.clients) ctx.kick(client.username);
}

/** Kicks every client whose rights come from `role`. */
export function kickRole(ctx: CommandContext, role: Role): void {
  for (const client of role.clients) ctx.kick(client.username);
  for (const group of role.groups) kickGroup(ctx, group);
}
