/**
 * What a plugin gets to work with: its options, a logger writing in the
 * broker's format, and a small set of broker actions (publish as the
 * broker, list clients, disconnect clients), after Mosquitto's
 * mosquitto_broker_publish and mosquitto_kick_client_by_* functions.
 */
import type { Broker } from '../broker/broker.js';
import { type Logger, LogType } from '../log/log-types.js';
import { isValidTopicName } from '../protocol/topics.js';
import { clientView } from './client-view.js';
import type {
  PluginBroker,
  PluginContext,
  PluginLog,
  PluginMessage,
  PluginOptions,
} from './types.js';

export interface ContextSpec {
  options: PluginOptions;
  listener: string | undefined;
  path: string;
  broker: Broker;
  log: Logger;
}

export function pluginContext(spec: ContextSpec): PluginContext {
  const options = spec.options.map(([k, v]) => [k, v] as const);
  return Object.freeze({
    options,
    option: (key: string) => lastValue(options, key),
    listener: spec.listener,
    path: spec.path,
    log: pluginLog(spec.log),
    broker: pluginBroker(spec.broker),
  });
}

function lastValue(options: PluginOptions, key: string): string | undefined {
  for (let i = options.length - 1; i >= 0; i--) {
    const entry = options[i] as readonly [string, string];
    if (entry[0] === key) return entry[1];
  }
  return undefined;
}

export function pluginLog(log: Logger): PluginLog {
  const at = (type: LogType) => (message: string) => {
    if (log.mask & type) log.write(type, String(message));
  };
  return Object.freeze({
    error: at(LogType.Error),
    warning: at(LogType.Warning),
    notice: at(LogType.Notice),
    info: at(LogType.Information),
    debug: at(LogType.Debug),
  });
}

function pluginBroker(broker: Broker): PluginBroker {
  return Object.freeze({
    publish(message: PluginMessage): number {
      if (!isValidTopicName(message.topic)) {
        throw new TypeError(`a plugin cannot publish to "${message.topic}"`);
      }
      // A copy: the plugin may reuse its buffer once publish returns.
      const payload = Buffer.from(message.payload);
      return broker.publish({ ...message, payload });
    },
    clients: () => broker.clients().map(clientView),
    disconnectClient(clientId: string): boolean {
      const client = broker.clients().find((c) => c.clientId === clientId);
      return client !== undefined && broker.disconnect(client);
    },
    disconnectUsername(username: string): number {
      let count = 0;
      for (const client of broker.clients()) {
        if (client.username === username && broker.disconnect(client)) count++;
      }
      return count;
    },
  });
}
