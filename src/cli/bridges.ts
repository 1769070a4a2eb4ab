/**
 * The broker command's bridges: started once the listeners are open,
 * stopped before the broker closes, reloaded on SIGHUP. Settings midge
 * cannot honour (an unknown bridge_tls_version...) make startBridges throw, so the
 * command can refuse to start, as it does for any bad configuration.
 *
 * @example (in midge.ts)
 * const bridges = await startBridges(server.broker, config, log);
 * // SIGHUP: await bridges.reload(newConfig.bridges);
 * // SIGTERM: await bridges.stop(); await server.stop();
 */

import {
  BridgeManager,
  type BridgeManagerOptions,
  bridgeErrors,
} from '../bridge/index.js';
import type { Broker } from '../broker/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/log-types.js';

export async function startBridges(
  broker: Broker,
  config: Config,
  log: Logger,
  options: BridgeManagerOptions = {},
): Promise<BridgeManager> {
  const errors = bridgeErrors(config.bridges);
  if (errors.length > 0) throw new Error(errors.join('; '));
  const manager = new BridgeManager(broker, config.bridges, log, {
    connectionMessages: config.connectionMessages,
    ...options,
  });
  await manager.start();
  return manager;
}
