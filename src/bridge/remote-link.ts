/**
 * The remote half of one bridge connection: the client of one attempt,
 * with Mosquitto's debug lines for its packets, and what the bridge sends
 * right after CONNACK: its state "1", then one SUBSCRIBE per "in"/"both"
 * line and one UNSUBSCRIBE per "out" line, in the order of the config.
 */
import { MqttClient, type QoS, type WillOptions } from '../client/index.js';
import type { BridgeAddress, BridgeConfig } from '../config/types.js';
import { type Logger, LogType } from '../log/log-types.js';
import type { Packet } from '../protocol/index.js';
import { receivedLine, sentLine } from './packet-log.js';
import { protocolVersion, type RemoteContext, remoteOptions } from './remote-options.js';
import type { TopicMap } from './topic-map.js';

export interface RemoteIdentity {
  localId: string;
  remoteId: string;
  stateTopic: string;
}

/** A client for one attempt to `address`; connect() is the caller's. */
export function createRemoteClient(
  config: BridgeConfig,
  address: BridgeAddress,
  context: RemoteContext,
  tryPrivate: boolean,
  ids: RemoteIdentity,
  log: Logger,
): MqttClient {
  const options = remoteOptions(config, address, context, tryPrivate);
  const will = stateWill(config, ids.stateTopic);
  if (will !== undefined) options.will = will;
  const client = new MqttClient(options);
  if (log.mask & LogType.Debug) {
    const debug = (line: string | undefined) => {
      if (line === undefined) return;
      for (const part of line.split('\n')) log.write(LogType.Debug, part);
    };
    client.on('packetsend', (p: Packet) => debug(sentLine(p, ids.localId, ids.remoteId)));
    client.on('packetreceive', (p: Packet) => debug(receivedLine(p, ids.localId)));
  }
  return client;
}

/** The will that turns the remote's state to "0" if the bridge vanishes. */
function stateWill(config: BridgeConfig, topic: string): WillOptions | undefined {
  if (!config.notifications || config.notificationsLocalOnly) return undefined;
  return { topic, payload: '0', qos: 1, retain: true };
}

/** Right after CONNACK: state "1" on the remote, then the subscriptions. */
export function setUpRemote(
  client: MqttClient,
  config: BridgeConfig,
  map: TopicMap,
  stateTopic: string,
): void {
  if (config.notifications && !config.notificationsLocalOnly) {
    const props = client.connectResult?.properties;
    const qos: QoS = props?.maximumQoS === 0 ? 0 : 1;
    const retain = props?.retainAvailable !== 0;
    client.publish(stateTopic, '1', { qos, retain }).catch(() => {});
  }
  const v5 = protocolVersion(config) === 5;
  for (const route of map.routes) {
    if (route.direction !== 'out') {
      const sub = { topic: route.remoteFilter, qos: route.qos };
      // No-local is MQTT 5's loop prevention; 3.x has the bridge bit.
      const options = {
        noLocal: true,
        retainAsPublished: true,
        retainHandling: 0 as const,
      };
      client.subscribe(v5 ? { ...sub, ...options } : sub).catch(() => {});
    } else if (config.attemptUnsubscribe) {
      // An "out" line: drop any subscription an older config left there.
      client.unsubscribe(route.remoteFilter).catch(() => {});
    }
  }
}
