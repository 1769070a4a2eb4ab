/** The broker core: sessions, routing, QoS flows, retained messages, wills. */
export { Broker, type BrokerMessage } from './broker.js';
export {
  AclAccess,
  type AclHook,
  type AuthenticateHook,
  type BrokerHooks,
  type ClientInfo,
  type ControlHook,
  type EnhancedAuthHook,
  type EnhancedAuthResult,
  type HookMessage,
  type HookSubscription,
  type MessageHook,
  type RetainedSourceHook,
  type SubscribeHook,
} from './hooks.js';
export {
  createMemoryPair,
  MemoryClient,
  type MemoryPairOptions,
  MemoryTransport,
} from './memory-transport.js';
export type { OutgoingMessage, OutgoingState, StoredMessage } from './message.js';
export {
  type BrokerOptions,
  defaultBrokerOptions,
  defaultListenerSettings,
  type ListenerSettings,
} from './options.js';
export { NEVER_EXPIRES, Session, type SubscriptionRecord } from './session.js';
export { OutputGate, type StateObserver } from './state-observer.js';
export { BrokerStats } from './stats.js';
export type { Transport, TransportHandlers } from './transport.js';
