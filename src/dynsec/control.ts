/**
 * One `$CONTROL/dynamic-security/v1` request: its JSON payload in, the
 * JSON answer out, with Mosquitto's wording for every malformed request.
 *
 *   {"commands":[{"command":"getClient","username":"u1","correlationData":"7"}]}
 *   -> {"responses":[{"command":"getClient","data":{...},"correlationData":"7"}]}
 *
 * Commands run in order, each seeing the changes of those before it. A
 * command name is matched ignoring case; the answer names it as Mosquitto
 * spells it. A `correlationData` that is not a string stops the request
 * there, as in Mosquitto.
 */
import { clientCommands } from './commands/clients.js';
import { generalCommands } from './commands/general.js';
import { groupCommands } from './commands/groups.js';
import { roleCommands } from './commands/roles.js';
import {
  type CommandContext,
  type Handler,
  Refusal,
  type Requester,
} from './commands/shared.js';
import {
  asciiLower,
  asObject,
  decodePayload,
  getString,
  type JsonObject,
  type JsonValue,
  parseJson,
} from './json.js';
import type { DynsecState } from './state.js';
import type { JsonOut } from './views.js';

export type { Requester } from './commands/shared.js';

const handlers = new Map<string, [string, Handler]>();
for (const table of [generalCommands, clientCommands, groupCommands, roleCommands]) {
  for (const [name, handler] of Object.entries(table)) {
    handlers.set(asciiLower(name), [name, handler]);
  }
}

/** The names of all commands, as Mosquitto spells them. */
export const commandNames: readonly string[] = [...handlers.values()].map(([n]) => n);

export interface ControlResult {
  /** The answer to publish on `$CONTROL/dynamic-security/v1/response`. */
  response: string;
  /** True if the state changed and should be saved. */
  changed: boolean;
  /** Usernames whose clients must be disconnected; null: anonymous ones. */
  kicks: Set<string | null>;
}

interface Reply {
  command: string;
  error?: string;
  data?: JsonOut;
  correlationData?: string;
}

class Run implements CommandContext {
  dirty = false;
  readonly kicks = new Set<string | null>();

  constructor(
    readonly state: DynsecState,
    readonly requester: Requester,
    readonly logLine: (line: string) => void,
  ) {}

  kick(username: string | null): void {
    this.kicks.add(username);
  }

  changed(): void {
    this.dirty = true;
  }

  log(command: string, details?: string): void {
    const { clientId, username } = this.requester;
    const who = `${clientId ?? '(null)'}/${username ?? '(null)'}`;
    this.logLine(`dynsec: ${who} | ${command}${details ? ` | ${details}` : ''}`);
  }
}

function runCommand(ctx: CommandContext, cmd: JsonObject, name: string): Reply {
  const found = handlers.get(asciiLower(name));
  if (!found) return { command: name, error: 'Unknown command' };
  const [command, handler] = found;
  try {
    const data = handler(ctx, cmd);
    return data === undefined ? { command } : { command, data };
  } catch (error) {
    if (error instanceof Refusal) return { command, error: error.reason };
    return { command, error: 'Internal error' };
  }
}

/** The replies to a parsed `commands` array. */
function runCommands(ctx: CommandContext, commands: JsonValue[]): Reply[] {
  const replies: Reply[] = [];
  for (const item of commands) {
    const cmd = asObject(item);
    if (!cmd) {
      replies.push({ command: 'Unknown command', error: 'Command not an object' });
      continue;
    }
    const name = getString(cmd, 'command', false).value;
    if (name === undefined) {
      replies.push({ command: 'Unknown command', error: 'Missing command' });
      continue;
    }
    const correlation = getString(cmd, 'correlationData', true);
    if (!correlation.ok) {
      replies.push({ command: name, error: 'Invalid correlationData data type.' });
      break;
    }
    const reply = runCommand(ctx, cmd, name);
    if (correlation.value !== undefined) reply.correlationData = correlation.value;
    replies.push(reply);
  }
  return replies;
}

/** Runs one request against `state` (which it changes in place). */
export function runControl(
  state: DynsecState,
  payload: Buffer,
  requester: Requester,
  logLine: (line: string) => void,
): ControlResult {
  const run = new Run(state, requester, logLine);
  const tree = parseJson(decodePayload(payload));
  let replies: Reply[];
  if (tree === undefined) {
    replies = [{ command: 'Unknown command', error: 'Payload not valid JSON' }];
  } else {
    const commands = asObject(tree)?.get('commands');
    replies = Array.isArray(commands)
      ? runCommands(run, commands)
      : [{ command: 'Unknown command', error: 'Invalid/missing commands' }];
  }
  return {
    response: JSON.stringify({ responses: replies }),
    changed: run.dirty,
    kicks: run.kicks,
  };
}
