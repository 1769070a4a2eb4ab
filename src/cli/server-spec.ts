/**
 * Turns a parsed mosquitto.conf and the command line into what the server
 * and logger take.
 */
import type { CommandLine, Config, LogTypeName } from '../config/index.js';
import { bindHosts, brokerOptions, listenerSettings } from '../config/index.js';
import { LogType } from '../log/log-types.js';
import type { LogDestination, LoggerOptions } from '../log/logger.js';
import type { ListenerSpec, ServerSpec } from '../server.js';

/** The features this build has; options needing others are refused. */
export const builtFeatures: ReadonlySet<string> = new Set([
  'core',
  'sys',
  'pid-file',
  'privileges',
]);

const loopback = ['127.0.0.1', '::1'];

const logTypeBits: Record<LogTypeName, number> = {
  debug: LogType.Debug,
  error: LogType.Error,
  warning: LogType.Warning,
  notice: LogType.Notice,
  information: LogType.Information,
  subscribe: LogType.Subscribe,
  unsubscribe: LogType.Unsubscribe,
  websockets: LogType.Websockets,
  internal: 0,
};

export function loggerOptions(config: Config, command: CommandLine): LoggerOptions {
  let mask = 0;
  for (const name of config.logType) {
    if ((name as string) === 'all') mask = LogType.All;
    else if ((name as string) !== 'none') mask |= logTypeBits[name] ?? 0;
  }
  if (command.verbose) mask = LogType.All;
  if (command.quiet) mask = LogType.None;
  const destinations: LogDestination[] = [];
  for (const dest of config.logDest) {
    if (dest === 'stdout' || dest === 'stderr') destinations.push({ kind: dest });
    else if (dest === 'topic') destinations.push({ kind: 'topic' });
    else if (dest === 'file' && config.logFile) {
      destinations.push({ kind: 'file', path: config.logFile });
    }
  }
  return {
    mask,
    destinations,
    timestamp: config.logTimestamp,
    timestampFormat: config.logTimestampFormat ?? undefined,
  };
}

export function serverSpec(config: Config, command: CommandLine): ServerSpec {
  const listeners: ListenerSpec[] = config.listeners.map((listener) => ({
    kind: 'tcp',
    port: listener.port,
    hosts: bindHosts(listener),
    socketDomain: listener.socketDomain ?? undefined,
    settings: listenerSettings(listener, config),
  }));
  if (command.ports.length > 0 && config.localOnly) {
    // -p: loopback listeners, used only when the config defines none.
    const template = listeners[0]!;
    listeners.splice(0, listeners.length);
    for (const port of command.ports)
      listeners.push({
        ...template,
        port,
        hosts: loopback,
        settings: { ...template.settings, name: String(port) },
      });
  }
  return {
    broker: brokerOptions(config),
    listeners,
    noDelay: config.setTcpNodelay,
  };
}
