/**
 * Username and password, decided as Debian's Mosquitto 2.0.11 decides
 * (observed with every combination, test/security/auth-mosquitto.test.ts):
 *
 * 1. Plugins with a basicAuth handler, in order; the first to allow or
 *    deny decides. Then the password file, if configured: a client with a
 *    username must match its entry.
 * 2. If nobody was asked (no such plugin, no password file),
 *    allow_anonymous alone decides, for every client, username or not.
 * 3. If everyone asked deferred, only a client without a username gets in,
 *    and only where allow_anonymous is true.
 *
 * A zero-length username counts as none. Refusals are Not Authorized
 * (3.x return code 5), which is what Mosquitto sends for a wrong password
 * too. A plugin that fails (throws, rejects, times out) refuses.
 */
import type { ClientInfo } from '../broker/hooks.js';
import { clientView } from '../plugins/client-view.js';
import { FAILED, type HostedPlugin, type Outcome } from '../plugins/host.js';
import type { Decision } from '../plugins/types.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { SecurityScope } from './scope.js';

export interface Credentials {
  username: string | undefined;
  password: Buffer | undefined;
}

type Step = Decision | 'failed';

/** Success or NotAuthorized; a Promise only when some check is async. */
export function basicAuth(
  scope: SecurityScope,
  client: ClientInfo,
  credentials: Credentials,
): ReasonCode | Promise<ReasonCode> {
  const username = credentials.username || undefined;
  const creds = { username, password: credentials.password };
  const plugins = scope.handling('basicAuth');
  const passwords = scope.files.passwords;
  if (plugins.length === 0 && passwords === undefined) {
    return scope.allowAnonymous ? ReasonCode.Success : ReasonCode.NotAuthorized;
  }
  return askPlugins(scope, client, creds, plugins, 0);
}

function askPlugins(
  scope: SecurityScope,
  client: ClientInfo,
  creds: Credentials,
  plugins: readonly HostedPlugin[],
  from: number,
): ReasonCode | Promise<ReasonCode> {
  for (let i = from; i < plugins.length; i++) {
    const answer = askPlugin(plugins[i] as HostedPlugin, client, creds);
    if (answer instanceof Promise) {
      return answer.then((step) =>
        step === 'defer'
          ? askPlugins(scope, client, creds, plugins, i + 1)
          : verdict(step),
      );
    }
    if (answer !== 'defer') return verdict(answer);
  }
  return askPasswordFile(scope, creds);
}

function askPlugin(
  hosted: HostedPlugin,
  client: ClientInfo,
  creds: Credentials,
): Step | Promise<Step> {
  const handler = hosted.plugin.basicAuth as NonNullable<typeof hosted.plugin.basicAuth>;
  const event = { client: clientView(client), ...creds };
  const out = hosted.call(
    'basicAuth',
    () => handler.call(hosted.plugin, event),
    isDecision,
    false,
  );
  return out instanceof Promise ? out.then(step) : step(out);
}

function step(out: Outcome<Decision | undefined>): Step {
  if (out === FAILED) return 'failed';
  return out ?? 'defer';
}

function verdict(step: Step): ReasonCode {
  return step === 'allow' ? ReasonCode.Success : ReasonCode.NotAuthorized;
}

async function askPasswordFile(
  scope: SecurityScope,
  creds: Credentials,
): Promise<ReasonCode> {
  const passwords = scope.files.passwords;
  if (passwords !== undefined && creds.username !== undefined) {
    const ok = await passwords.verifyAsync(creds.username, creds.password);
    return ok ? ReasonCode.Success : ReasonCode.NotAuthorized;
  }
  // Everyone asked deferred.
  return creds.username === undefined && scope.allowAnonymous
    ? ReasonCode.Success
    : ReasonCode.NotAuthorized;
}

export function isDecision(value: unknown): value is Decision | undefined {
  return (
    value === undefined || value === 'allow' || value === 'deny' || value === 'defer'
  );
}
