/**
 * The plugin events that are not authentication or access checks: the
 * message event (change or drop an incoming message), subscriptions,
 * control topics, TLS-PSK keys and the notifications. Each takes the
 * client's scope and asks its plugins in order.
 */
import type { ClientInfo, HookMessage, HookSubscription } from '../broker/hooks.js';
import { clientView } from '../plugins/client-view.js';
import { FAILED } from '../plugins/host.js';
import type {
  MessageChange,
  MessageResult,
  MidgePlugin,
  PskKeyResult,
  SubscribeResult,
} from '../plugins/types.js';
import type { QoS } from '../protocol/packets.js';
import { isValidTopicFilter, isValidTopicName } from '../protocol/topics.js';
import { pskBytes } from './psk-file.js';
import type { SecurityScope } from './scope.js';

/** The message after every plugin's say, or undefined if one refused it. */
export function messageEvent(
  scope: SecurityScope,
  client: ClientInfo,
  message: HookMessage,
): HookMessage | undefined {
  let current = message;
  for (const hosted of scope.handling('message')) {
    const handler = hosted.plugin.message as NonNullable<MidgePlugin['message']>;
    const event = { client: clientView(client), ...current };
    const out = hosted.call(
      'message',
      () => handler.call(hosted.plugin, event),
      isMessageResult,
      true,
    );
    if (out === FAILED || out instanceof Promise || out === 'deny') return undefined;
    if (out === undefined) continue;
    const changed = applyChange(current, out);
    if (changed === undefined) {
      hosted.fail('message', 'changed the topic to one that is not valid');
      return undefined;
    }
    current = changed;
  }
  return current;
}

function applyChange(m: HookMessage, c: MessageChange): HookMessage | undefined {
  const topic = c.topic ?? m.topic;
  // A message cannot be turned into a control request.
  if (!isValidTopicName(topic) || topic.startsWith('$CONTROL/')) return undefined;
  const payload = c.payload === undefined ? m.payload : Buffer.from(c.payload);
  return {
    topic,
    payload,
    qos: c.qos ?? m.qos,
    retain: c.retain ?? m.retain,
    properties: 'properties' in c ? c.properties : m.properties,
  };
}

function isMessageResult(v: unknown): v is MessageResult {
  if (v === undefined || v === 'deny') return true;
  if (v === null || typeof v !== 'object') return false;
  const c = v as MessageChange;
  return (
    (c.topic === undefined || typeof c.topic === 'string') &&
    (c.payload === undefined ||
      typeof c.payload === 'string' ||
      Buffer.isBuffer(c.payload)) &&
    (c.qos === undefined || c.qos === 0 || c.qos === 1 || c.qos === 2) &&
    (c.retain === undefined || typeof c.retain === 'boolean')
  );
}

/** The subscription after every plugin's say, or undefined if refused. */
export function subscribeEvent(
  scope: SecurityScope,
  client: ClientInfo,
  subscription: HookSubscription,
): HookSubscription | undefined {
  let current = subscription;
  for (const hosted of scope.handling('subscribe')) {
    const handler = hosted.plugin.subscribe as NonNullable<MidgePlugin['subscribe']>;
    const event = { client: clientView(client), ...current };
    const out = hosted.call(
      'subscribe',
      () => handler.call(hosted.plugin, event),
      isSubscribeResult,
      true,
    );
    if (out === FAILED || out instanceof Promise || out === 'deny') return undefined;
    if (out === undefined) continue;
    const filter = out.filter ?? current.filter;
    if (!isValidTopicFilter(filter)) {
      hosted.fail('subscribe', 'changed the filter to one that is not valid');
      return undefined;
    }
    // A plugin may lower the granted QoS, never raise it.
    const qos = Math.min(out.qos ?? current.qos, current.qos) as QoS;
    current = { filter, group: current.group, qos };
  }
  return current;
}

function isSubscribeResult(v: unknown): v is SubscribeResult {
  if (v === undefined || v === 'deny') return true;
  if (v === null || typeof v !== 'object') return false;
  const r = v as { filter?: unknown; qos?: unknown };
  return (
    (r.filter === undefined || typeof r.filter === 'string') &&
    (r.qos === undefined || r.qos === 0 || r.qos === 1 || r.qos === 2)
  );
}

/**
 * A `$CONTROL/...` request: the handler registered for that exact topic,
 * if any. Returns the error a 5.0 publisher sees as Reason String.
 */
export function controlEvent(
  scope: SecurityScope,
  client: ClientInfo,
  message: HookMessage,
): string | undefined {
  const entry = scope.control.get(message.topic);
  if (entry === undefined) return undefined;
  const { plugin, handler } = entry;
  const event = { client: clientView(client), ...message };
  const out = plugin.call('control', () => handler(event), isOptionalString, false);
  if (out instanceof Promise) {
    // The acknowledgement does not wait; a late error is only logged.
    out.then((r) => {
      if (typeof r === 'string') plugin.fail('control', r);
    });
    return undefined;
  }
  return out === FAILED ? 'Internal error' : out;
}

function isOptionalString(v: unknown): v is string | undefined {
  return v === undefined || typeof v === 'string';
}

/** A notification to every plugin of the scope that handles it. */
export function notify(
  scope: SecurityScope,
  event: 'connect' | 'disconnect' | 'unsubscribe',
  data: object,
): void {
  for (const hosted of scope.handling(event)) {
    const handler = hosted.plugin[event] as (e: object) => void;
    hosted.notify(event, () => handler.call(hosted.plugin, data));
  }
}

/** A TLS-PSK key from the plugins, 'deny', or undefined when all defer. */
export function pskKeyEvent(
  scope: SecurityScope,
  event: { listener: string; hint: string; identity: string },
): Buffer | 'deny' | undefined {
  for (const hosted of scope.handling('pskKey')) {
    const handler = hosted.plugin.pskKey as NonNullable<MidgePlugin['pskKey']>;
    const out = hosted.call(
      'pskKey',
      () => handler.call(hosted.plugin, event),
      isPskResult,
      true,
    );
    if (out === FAILED || out instanceof Promise || out === 'deny') return 'deny';
    if (out !== undefined) return typeof out === 'string' ? pskBytes(out) : out;
  }
  return undefined;
}

function isPskResult(v: unknown): v is PskKeyResult {
  return (
    v === undefined ||
    v === 'deny' ||
    (Buffer.isBuffer(v) && v.length > 0) ||
    (typeof v === 'string' && /^[0-9a-fA-F]+$/.test(v))
  );
}
