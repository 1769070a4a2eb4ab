/** The MQTT codec: the public surface of src/protocol. */
export { type DecoderOptions, PacketDecoder } from './decoder.js';
export {
  encode,
  encodePublishHeader,
  publishPacketIdOffset,
} from './encoder.js';
export { malformed, ProtocolError, protocolError } from './errors.js';
export * from './packets.js';
export * from './properties.js';
export * from './reason-codes.js';
export {
  isSharedSubscription,
  isValidTopicFilter,
  isValidTopicName,
  parseSharedSubscription,
  topicMatches,
} from './topics.js';
export { isValidMqttString, isValidMqttUtf8, isValidUtf8Payload } from './utf8.js';
