/**
 * SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK bodies (sections 3.8 to 3.11).
 */
import { malformed, ProtocolError, protocolError } from './errors.js';
import {
  PacketType,
  type ProtocolVersion,
  type QoS,
  type SubackPacket,
  type SubscribePacket,
  type Subscription,
  type UnsubackPacket,
  type UnsubscribePacket,
} from './packets.js';
import { readProperties } from './property-codec.js';
import type { Reader } from './reader.js';
import { ReasonCode } from './reason-codes.js';
import {
  isSharedSubscription,
  isValidTopicFilter,
  parseSharedSubscription,
} from './topics.js';
import { isValidReasonCode, isValidV3SubackCode } from './valid-reason-codes.js';

export function decodeSubscribe(r: Reader, version: ProtocolVersion): SubscribePacket {
  const packetId = r.packetId();
  const packet: SubscribePacket = {
    type: PacketType.Subscribe,
    packetId,
    subscriptions: [],
  };
  if (version === 5) {
    const props = readProperties(r, 1 << PacketType.Subscribe, false);
    if (props !== undefined) packet.properties = props;
  }
  while (r.left > 0) packet.subscriptions.push(readSubscription(r, version));
  if (packet.subscriptions.length === 0) {
    throw protocolError(
      'NO_TOPIC_FILTERS',
      'SUBSCRIBE without a topic filter [MQTT-3.8.3-3]',
    );
  }
  return packet;
}

function readSubscription(r: Reader, version: ProtocolVersion): Subscription {
  const topicFilter = readTopicFilter(r);
  const options = r.u8();
  const qos = options & 0x03;
  const retainHandling = (options >> 4) & 0x03;
  // [MQTT-3.8.3-5] reserved bits; 3.1.1 has only the QoS bits [MQTT-3-8.3-4].
  const reserved = version === 5 ? 0xc0 : 0xfc;
  if (options & reserved) {
    throw malformed(
      'SUBSCRIPTION_RESERVED_BITS',
      'reserved subscription option bits set',
    );
  }
  if (qos === 3) throw malformed('INVALID_QOS', 'subscription with QoS 3');
  if (retainHandling === 3) {
    throw malformed('INVALID_RETAIN_HANDLING', 'retain handling 3 [MQTT-3.8.3-5]');
  }
  const noLocal = (options & 0x04) !== 0;
  if (noLocal && isSharedSubscription(topicFilter)) {
    throw protocolError(
      'SHARED_NO_LOCAL',
      'no local on a shared subscription [MQTT-3.8.3-4]',
    );
  }
  return {
    topicFilter,
    qos: qos as QoS,
    noLocal,
    retainAsPublished: (options & 0x08) !== 0,
    retainHandling: retainHandling as 0 | 1 | 2,
  };
}

/** A topic filter, plain or shared; bad ones are TopicFilterInvalid. */
function readTopicFilter(r: Reader): string {
  const filter = r.utf8();
  const valid = isSharedSubscription(filter)
    ? parseSharedSubscription(filter) !== null
    : isValidTopicFilter(filter);
  if (!valid) {
    throw new ProtocolError(
      ReasonCode.TopicFilterInvalid,
      'INVALID_TOPIC_FILTER',
      `invalid topic filter '${filter}' [MQTT-4.7.1-1] [MQTT-4.8.2-1]`,
    );
  }
  return filter;
}

export function decodeSuback(r: Reader, version: ProtocolVersion): SubackPacket {
  const packetId = r.packetId();
  const packet: SubackPacket = { type: PacketType.Suback, packetId, reasonCodes: [] };
  if (version === 5) {
    const props = readProperties(r, 1 << PacketType.Suback, true);
    if (props !== undefined) packet.properties = props;
  }
  while (r.left > 0) {
    const code = r.u8();
    const valid =
      version === 5
        ? isValidReasonCode(PacketType.Suback, code)
        : isValidV3SubackCode(code);
    if (!valid) throw malformed('INVALID_REASON_CODE', `SUBACK code ${code}`);
    packet.reasonCodes.push(code);
  }
  if (packet.reasonCodes.length === 0) {
    throw protocolError('NO_REASON_CODES', 'SUBACK without a return code');
  }
  return packet;
}

export function decodeUnsubscribe(
  r: Reader,
  version: ProtocolVersion,
): UnsubscribePacket {
  const packetId = r.packetId();
  const packet: UnsubscribePacket = {
    type: PacketType.Unsubscribe,
    packetId,
    topicFilters: [],
  };
  if (version === 5) {
    const props = readProperties(r, 1 << PacketType.Unsubscribe, false);
    if (props !== undefined) packet.properties = props;
  }
  while (r.left > 0) packet.topicFilters.push(readTopicFilter(r));
  if (packet.topicFilters.length === 0) {
    throw protocolError(
      'NO_TOPIC_FILTERS',
      'UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]',
    );
  }
  return packet;
}

export function decodeUnsuback(r: Reader, version: ProtocolVersion): UnsubackPacket {
  const packetId = r.packetId();
  const packet: UnsubackPacket = { type: PacketType.Unsuback, packetId };
  if (version < 5) {
    r.expectEnd('UNSUBACK');
    return packet;
  }
  const props = readProperties(r, 1 << PacketType.Unsuback, true);
  if (props !== undefined) packet.properties = props;
  const codes: number[] = [];
  while (r.left > 0) {
    const code = r.u8();
    if (!isValidReasonCode(PacketType.Unsuback, code)) {
      throw malformed('INVALID_REASON_CODE', `UNSUBACK code ${code}`);
    }
    codes.push(code);
  }
  packet.reasonCodes = codes;
  return packet;
}
