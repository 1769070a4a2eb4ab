/**
 * Bridges: midge connected to other MQTT brokers as Mosquitto bridges are,
 * configured by the `connection` sections of mosquitto.conf.
 * See docs/bridges.md.
 */
export { Bridge, type BridgeContext, type BridgeState } from './bridge.js';
export { type BridgeCheck, bridgeErrors, checkBridge } from './checks.js';
export { BridgeManager, type BridgeManagerOptions } from './manager.js';
export { TopicMap, type TopicRoute } from './topic-map.js';
