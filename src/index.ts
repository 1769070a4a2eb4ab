/**
 * midge as a library: embed the broker, or use the client.
 *
 * @example
 * import { Server, BrokerLogger, LogType } from 'midge';
 * const log = new BrokerLogger({
 *   mask: LogType.All, destinations: [{ kind: 'stderr' }], timestamp: true,
 * });
 * const server = new Server({ broker: {}, listeners: [...] }, log);
 * await server.start();
 */
export * from './broker/index.js';
export { type Logger, LogType, silentLogger } from './log/log-types.js';
export { BrokerLogger, type LogDestination, type LoggerOptions } from './log/logger.js';
export { type ListenerSpec, Server, type ServerSpec } from './server.js';
