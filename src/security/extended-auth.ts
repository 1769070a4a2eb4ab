/**
 * MQTT 5 enhanced authentication (AUTH packets, re-authentication) by
 * plugins, as Mosquitto runs it: on CONNECT (or a re-authentication) each
 * plugin with an extendedAuthStart handler is offered the method in turn
 * until one does not defer. The plugin that asked to continue gets the
 * client's next AUTH packets. If every plugin defers the method is unknown
 * and the client is refused with Bad Authentication Method.
 */
import type { ClientInfo, EnhancedAuthResult } from '../broker/hooks.js';
import { clientView } from '../plugins/client-view.js';
import { FAILED, type HostedPlugin, type Outcome } from '../plugins/host.js';
import type { ExtendedAuthEvent, ExtendedAuthResult } from '../plugins/types.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { SecurityScope } from './scope.js';

type Result = EnhancedAuthResult | Promise<EnhancedAuthResult>;
type Answer = Outcome<ExtendedAuthResult | undefined>;

export class ExtendedAuth {
  /** The plugin carrying on each client's exchange. */
  readonly #current = new WeakMap<ClientInfo, HostedPlugin>();

  start(
    scope: SecurityScope,
    client: ClientInfo,
    event: ExtendedAuthEvent,
    from = 0,
  ): Result {
    const plugins = scope.handling('extendedAuthStart');
    for (let i = from; i < plugins.length; i++) {
      const hosted = plugins[i] as HostedPlugin;
      const answer = ask(hosted, 'extendedAuthStart', event);
      if (answer instanceof Promise) {
        return answer.then((a) =>
          isDefer(a)
            ? this.start(scope, client, event, i + 1)
            : this.#result(client, hosted, a),
        );
      }
      if (!isDefer(answer)) return this.#result(client, hosted, answer);
    }
    this.#current.delete(client);
    return { reasonCode: ReasonCode.BadAuthenticationMethod };
  }

  continue(client: ClientInfo, event: ExtendedAuthEvent): Result {
    const hosted = this.#current.get(client);
    if (hosted?.plugin.extendedAuthContinue === undefined) {
      return { reasonCode: ReasonCode.NotAuthorized };
    }
    const answer = ask(hosted, 'extendedAuthContinue', event);
    if (answer instanceof Promise)
      return answer.then((a) => this.#result(client, hosted, a));
    return this.#result(client, hosted, answer);
  }

  #result(client: ClientInfo, hosted: HostedPlugin, answer: Answer): EnhancedAuthResult {
    if (answer === FAILED || answer === undefined || answer.decision === 'deny') {
      this.#current.delete(client);
      return { reasonCode: ReasonCode.NotAuthorized };
    }
    const data = answer.data;
    if (answer.decision === 'continue') {
      this.#current.set(client, hosted);
      return { reasonCode: ReasonCode.ContinueAuthentication, data };
    }
    this.#current.delete(client);
    // A plugin continuing the exchange must not defer half-way.
    if (answer.decision !== 'allow') return { reasonCode: ReasonCode.NotAuthorized };
    return { reasonCode: ReasonCode.Success, data };
  }
}

/** The data a client sent, wrapped as the plugin event. */
export function authEvent(
  client: ClientInfo,
  method: string,
  data: Buffer | undefined,
  reauth: boolean,
): ExtendedAuthEvent {
  return { client: clientView(client), method, data, reauth };
}

function ask(
  hosted: HostedPlugin,
  name: 'extendedAuthStart' | 'extendedAuthContinue',
  event: ExtendedAuthEvent,
): Answer | Promise<Answer> {
  const handler = hosted.plugin[name] as NonNullable<HostedPlugin['plugin'][typeof name]>;
  return hosted.call(name, () => handler.call(hosted.plugin, event), isAuthResult, false);
}

function isDefer(answer: Answer): boolean {
  return answer !== FAILED && (answer === undefined || answer.decision === 'defer');
}

function isAuthResult(v: unknown): v is ExtendedAuthResult | undefined {
  if (v === undefined) return true;
  if (v === null || typeof v !== 'object') return false;
  const { decision, data } = v as ExtendedAuthResult;
  const known = ['allow', 'deny', 'defer', 'continue'].includes(decision);
  return known && (data === undefined || Buffer.isBuffer(data));
}
