/**
 * Arguments of publish/subscribe/unsubscribe checked and turned into
 * packets. Anything the server would refuse as a protocol error is refused
 * here first, with a UsageError, so one bad call cannot cost the session.
 */
import {
  isSharedSubscription,
  isValidMqttString,
  isValidTopicFilter,
  isValidTopicName,
  PacketType,
  type Properties,
  type ProtocolVersion,
  type PublishPacket,
  parseSharedSubscription,
  type QoS,
  type SubscribePacket,
  type Subscription,
  type UnsubscribePacket,
} from '../protocol/index.js';
import { hasKeys, toBuffer } from './connect-packet.js';
import { UsageError } from './errors.js';

export interface PublishOptions {
  /** Default 0. */
  qos?: QoS;
  retain?: boolean;
  /**
   * 5.0 properties: payloadFormatIndicator, messageExpiryInterval,
   * contentType, responseTopic, correlationData, userProperties, and
   * topicAlias to pick an alias by hand (with topic '' to reuse one).
   */
  properties?: Properties;
}

export interface SubscriptionRequest {
  topic: string;
  qos?: QoS;
  /** 5.0: do not receive own publishes. */
  noLocal?: boolean;
  /** 5.0: keep the retain flag as published. */
  retainAsPublished?: boolean;
  /** 5.0: 0 send retained, 1 only for new subscriptions, 2 never. */
  retainHandling?: 0 | 1 | 2;
}

export interface SubscribeOptions extends Omit<SubscriptionRequest, 'topic'> {
  /** 5.0: subscriptionIdentifiers ([id]) and userProperties. */
  properties?: Properties;
}

export type SubscribeInput =
  | string
  | SubscriptionRequest
  | Array<string | SubscriptionRequest>;

export type Payload = string | Buffer | Uint8Array | null | undefined;

export function buildPublish(
  topic: string,
  payload: Payload,
  options: PublishOptions,
  version: ProtocolVersion,
): PublishPacket {
  const qos = options.qos ?? 0;
  checkQos(qos);
  const props = options.properties;
  const aliased = version === 5 && props?.topicAlias !== undefined;
  if (typeof topic !== 'string' || !isValidTopicName(topic, aliased)) {
    // [MQTT-3.3.2-2] no wildcards; [MQTT-4.7.3-1] not empty.
    throw new UsageError('INVALID_TOPIC', `invalid topic name '${topic}'`);
  }
  checkString(topic, 'topic');
  const packet: PublishPacket = {
    type: PacketType.Publish,
    dup: false,
    qos,
    retain: options.retain ?? false,
    topic,
    payload: payload == null ? EMPTY : toBuffer(payload),
  };
  if (props && hasKeys(props)) {
    checkProperties(version);
    if (props.subscriptionIdentifiers) {
      // [MQTT-3.3.4-6] only the server puts these in PUBLISH.
      throw new UsageError('INVALID_OPTION', 'PUBLISH cannot carry subscription ids');
    }
    packet.properties = props;
  }
  return packet;
}

export function buildSubscribe(
  input: SubscribeInput,
  options: SubscribeOptions,
  version: ProtocolVersion,
): SubscribePacket {
  const list = Array.isArray(input) ? input : [input];
  // [MQTT-3.8.3-3] at least one filter.
  if (list.length === 0) throw new UsageError('INVALID_TOPIC', 'no topic filter given');
  const subscriptions = list.map((item) => {
    const request = typeof item === 'string' ? { ...options, topic: item } : item;
    return subscription({ ...options, ...request }, version);
  });
  const packet: SubscribePacket = {
    type: PacketType.Subscribe,
    packetId: 0,
    subscriptions,
  };
  addProperties(packet, options.properties, version);
  return packet;
}

function subscription(r: SubscriptionRequest, version: ProtocolVersion): Subscription {
  checkFilter(r.topic);
  const qos = r.qos ?? 0;
  checkQos(qos);
  const retainHandling = r.retainHandling ?? 0;
  if (![0, 1, 2].includes(retainHandling)) {
    throw new UsageError('INVALID_OPTION', `retainHandling ${retainHandling}`);
  }
  const noLocal = version === 5 && (r.noLocal ?? false);
  if (noLocal && isSharedSubscription(r.topic)) {
    // [MQTT-3.8.3-4] no local on a shared subscription is a protocol error.
    throw new UsageError(
      'INVALID_OPTION',
      'noLocal cannot be set on a shared subscription',
    );
  }
  return {
    topicFilter: r.topic,
    qos,
    noLocal,
    retainAsPublished: version === 5 && (r.retainAsPublished ?? false),
    retainHandling: version === 5 ? retainHandling : 0,
  };
}

export function buildUnsubscribe(
  filters: string | string[],
  properties: Properties | undefined,
  version: ProtocolVersion,
): UnsubscribePacket {
  const topicFilters = Array.isArray(filters) ? filters : [filters];
  // [MQTT-3.10.3-2] at least one filter.
  if (topicFilters.length === 0)
    throw new UsageError('INVALID_TOPIC', 'no topic filter given');
  for (const filter of topicFilters) checkFilter(filter);
  const packet: UnsubscribePacket = {
    type: PacketType.Unsubscribe,
    packetId: 0,
    topicFilters,
  };
  addProperties(packet, properties, version);
  return packet;
}

function checkFilter(filter: string): void {
  const valid =
    typeof filter === 'string' &&
    (isSharedSubscription(filter)
      ? parseSharedSubscription(filter) !== null
      : isValidTopicFilter(filter));
  if (!valid) throw new UsageError('INVALID_TOPIC', `invalid topic filter '${filter}'`);
  checkString(filter, 'topic filter');
}

function checkString(s: string, what: string): void {
  if (!isValidMqttString(s) || Buffer.byteLength(s) > 65535) {
    throw new UsageError('INVALID_TOPIC', `${what} is not a valid MQTT string`);
  }
}

function checkQos(qos: number): void {
  if (qos !== 0 && qos !== 1 && qos !== 2) {
    throw new UsageError('INVALID_QOS', `QoS must be 0, 1 or 2, not ${qos}`);
  }
}

function checkProperties(version: ProtocolVersion): void {
  if (version !== 5) {
    throw new UsageError('INVALID_OPTION', 'properties need MQTT 5 (protocolVersion: 5)');
  }
}

function addProperties(
  packet: { properties?: Properties },
  props: Properties | undefined,
  version: ProtocolVersion,
): void {
  if (!props || !hasKeys(props)) return;
  checkProperties(version);
  packet.properties = props;
}

const EMPTY = Buffer.alloc(0);

/** Refuses a publish the server's CONNACK said it cannot take. */
export function checkServerLimits(
  props: Properties | undefined,
  qos: QoS,
  retain: boolean,
): void {
  if (!props) return;
  if (props.maximumQoS !== undefined && qos > props.maximumQoS) {
    // [MQTT-3.2.2-11] no QoS above the server's maximum.
    const max = props.maximumQoS;
    throw new UsageError('QOS_NOT_SUPPORTED', `server accepts QoS ${max} at most`);
  }
  if (retain && props.retainAvailable === 0) {
    // [MQTT-3.2.2-14] no retained messages when the server has none.
    throw new UsageError('RETAIN_NOT_SUPPORTED', 'server does not support retain');
  }
}
