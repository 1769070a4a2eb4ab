/**
 * From the parsed file to what the broker core and the listeners take
 * (src/broker/options.ts).
 */
import type { BrokerOptions, ListenerSettings } from '../broker/options.js';
import { defaultBrokerOptions } from '../broker/options.js';
import type { Config, ListenerConfig } from './types.js';

export function brokerOptions(config: Config): BrokerOptions {
  const security = config.security;
  return {
    ...defaultBrokerOptions,
    maxInflightMessages: config.maxInflightMessages,
    maxInflightBytes: config.maxInflightBytes,
    maxQueuedMessages: config.maxQueuedMessages,
    maxQueuedBytes: config.maxQueuedBytes,
    queueQos0Messages: config.queueQos0Messages,
    messageSizeLimit: config.messageSizeLimit,
    memoryLimit: config.memoryLimit,
    maxPacketSize: config.maxPacketSize,
    maxKeepalive: config.maxKeepalive,
    upgradeOutgoingQos: config.upgradeOutgoingQos,
    retainAvailable: config.retainAvailable,
    allowZeroLengthClientId: security.allowZeroLengthClientId,
    autoIdPrefix: security.autoIdPrefix,
    persistentClientExpiration: config.persistentClientExpiration,
    allowAnonymous: security.allowAnonymous ?? config.localOnly,
    connectionMessages: config.connectionMessages,
  };
}

/** The name logs use for a listener: its port, or its socket path. */
export function listenerName(listener: ListenerConfig): string {
  return listener.unixSocketPath ?? String(listener.port);
}

export function listenerSettings(
  listener: ListenerConfig,
  config: Config,
): ListenerSettings {
  // With per_listener_settings the client-id rules belong to the listener;
  // allow_anonymous is decided by the security layer, which has both.
  const perListener = config.perListenerSettings
    ? {
        allowZeroLengthClientId: listener.security.allowZeroLengthClientId,
        autoIdPrefix: listener.security.autoIdPrefix,
      }
    : {};
  return {
    ...perListener,
    name: listenerName(listener),
    maxQos: listener.maxQos,
    maxTopicAlias: listener.maxTopicAlias,
    maxTopicAliasBroker: listener.maxTopicAliasBroker,
    mountPoint: listener.mountPoint ?? '',
    maxConnections: listener.maxConnections,
    useUsernameAsClientId: listener.useUsernameAsClientId,
    acceptProtocolVersions: new Set(listener.acceptProtocolVersions),
  };
}

/**
 * The addresses a listener binds: [] means every address; `localhost`
 * means both loopback addresses, as Mosquitto resolves it.
 */
export function bindHosts(listener: ListenerConfig): string[] {
  const address = listener.bindAddress;
  if (address === null) return [];
  return address === 'localhost' ? ['127.0.0.1', '::1'] : [address];
}
