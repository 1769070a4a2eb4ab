/**
 * MQTT 5 properties on the wire (section 2.2.2): which identifier carries
 * which type, in which packets it may appear, and the value rules the spec
 * attaches to each one.
 */
import { malformed, protocolError } from './errors.js';
import { PacketType } from './packets.js';
import { type Properties, PropertyId } from './properties.js';
import type { Reader } from './reader.js';
import { isValidTopicName } from './topics.js';
import { binarySize, utf8Size, varintSize, type Writer } from './writer.js';

const BYTE = 0;
const U16 = 1;
const U32 = 2;
const VARINT = 3;
const STRING = 4;
const BINARY = 5;
const PAIR = 6;

/** Where a property may appear: `1 << PacketType`, and bit 0 for a Will. */
export const WILL_PROPS = 1;
const CONNECT = 1 << PacketType.Connect;
const CONNACK = 1 << PacketType.Connack;
const PUBLISH = 1 << PacketType.Publish;
const PUB_ACKS =
  (1 << PacketType.Puback) |
  (1 << PacketType.Pubrec) |
  (1 << PacketType.Pubrel) |
  (1 << PacketType.Pubcomp);
const SUBSCRIBE = 1 << PacketType.Subscribe;
const SUBACK = 1 << PacketType.Suback;
const UNSUBACK = 1 << PacketType.Unsuback;
const DISCONNECT = 1 << PacketType.Disconnect;
const AUTH = 1 << PacketType.Auth;
const MESSAGE = PUBLISH | WILL_PROPS;
const REASON_STRING = CONNACK | PUB_ACKS | SUBACK | UNSUBACK | DISCONNECT | AUTH;
const ALL = 0xfffe | WILL_PROPS;

interface Spec {
  key: keyof Properties;
  kind: number;
  where: number;
}

const SPECS: Array<Spec | undefined> = [];
const ID_BY_KEY: Record<string, number> = Object.create(null);

function def(id: PropertyId, key: keyof Properties, kind: number, where: number): void {
  SPECS[id] = { key, kind, where };
  ID_BY_KEY[key] = id;
}

def(PropertyId.PayloadFormatIndicator, 'payloadFormatIndicator', BYTE, MESSAGE);
def(PropertyId.MessageExpiryInterval, 'messageExpiryInterval', U32, MESSAGE);
def(PropertyId.ContentType, 'contentType', STRING, MESSAGE);
def(PropertyId.ResponseTopic, 'responseTopic', STRING, MESSAGE);
def(PropertyId.CorrelationData, 'correlationData', BINARY, MESSAGE);
def(
  PropertyId.SubscriptionIdentifier,
  'subscriptionIdentifiers',
  VARINT,
  PUBLISH | SUBSCRIBE,
);
def(
  PropertyId.SessionExpiryInterval,
  'sessionExpiryInterval',
  U32,
  CONNECT | CONNACK | DISCONNECT,
);
def(PropertyId.AssignedClientIdentifier, 'assignedClientIdentifier', STRING, CONNACK);
def(PropertyId.ServerKeepAlive, 'serverKeepAlive', U16, CONNACK);
def(
  PropertyId.AuthenticationMethod,
  'authenticationMethod',
  STRING,
  CONNECT | CONNACK | AUTH,
);
def(
  PropertyId.AuthenticationData,
  'authenticationData',
  BINARY,
  CONNECT | CONNACK | AUTH,
);
def(PropertyId.RequestProblemInformation, 'requestProblemInformation', BYTE, CONNECT);
def(PropertyId.WillDelayInterval, 'willDelayInterval', U32, WILL_PROPS);
def(PropertyId.RequestResponseInformation, 'requestResponseInformation', BYTE, CONNECT);
def(PropertyId.ResponseInformation, 'responseInformation', STRING, CONNACK);
def(PropertyId.ServerReference, 'serverReference', STRING, CONNACK | DISCONNECT);
def(PropertyId.ReasonString, 'reasonString', STRING, REASON_STRING);
def(PropertyId.ReceiveMaximum, 'receiveMaximum', U16, CONNECT | CONNACK);
def(PropertyId.TopicAliasMaximum, 'topicAliasMaximum', U16, CONNECT | CONNACK);
def(PropertyId.TopicAlias, 'topicAlias', U16, PUBLISH);
def(PropertyId.MaximumQoS, 'maximumQoS', BYTE, CONNACK);
def(PropertyId.RetainAvailable, 'retainAvailable', BYTE, CONNACK);
def(PropertyId.UserProperty, 'userProperties', PAIR, ALL);
def(PropertyId.MaximumPacketSize, 'maximumPacketSize', U32, CONNECT | CONNACK);
def(
  PropertyId.WildcardSubscriptionAvailable,
  'wildcardSubscriptionAvailable',
  BYTE,
  CONNACK,
);
def(
  PropertyId.SubscriptionIdentifiersAvailable,
  'subscriptionIdentifiersAvailable',
  BYTE,
  CONNACK,
);
def(PropertyId.SharedSubscriptionAvailable, 'sharedSubscriptionAvailable', BYTE, CONNACK);

/**
 * Reads a property length and the properties after it. `where` is the
 * packet's bit (or WILL_PROPS); `fromServer` allows the repeated
 * Subscription Identifiers a server puts in PUBLISH. Returns undefined for
 * an empty property list, so packets without properties stay small.
 */
export function readProperties(
  r: Reader,
  where: number,
  fromServer: boolean,
): Properties | undefined {
  const len = r.varint();
  if (len === 0) return undefined;
  const end = r.pos + len;
  if (end > r.end)
    throw malformed('BAD_PROPERTY_LENGTH', 'property length past packet end');
  const props: Properties = {};
  while (r.pos < end) {
    const id = r.varint();
    const spec = SPECS[id];
    // [MQTT-2.2.2-2] an identifier not valid for the packet is malformed.
    if (spec === undefined || (spec.where & where) === 0) {
      throw malformed(
        'INVALID_PROPERTY',
        `property 0x${id.toString(16)} not allowed here`,
      );
    }
    readValue(r, props, id, spec, where, fromServer);
  }
  if (r.pos !== end)
    throw malformed('BAD_PROPERTY_LENGTH', 'property overruns its length');
  return props;
}

function readValue(
  r: Reader,
  props: Properties,
  id: number,
  spec: Spec,
  where: number,
  fromServer: boolean,
): void {
  switch (spec.kind) {
    case PAIR:
      if (props.userProperties === undefined) props.userProperties = [];
      props.userProperties.push([r.utf8(), r.utf8()]);
      return;
    case VARINT:
      readSubscriptionId(r, props, where, fromServer);
      return;
  }
  if (props[spec.key] !== undefined) {
    throw protocolError('DUPLICATE_PROPERTY', `property ${spec.key} appears twice`);
  }
  let value: number | string | Buffer;
  if (spec.kind === BYTE) value = r.u8();
  else if (spec.kind === U16) value = r.u16();
  else if (spec.kind === U32) value = r.u32();
  else if (spec.kind === STRING) value = r.utf8();
  else value = r.binary();
  checkValue(id, value);
  (props as Record<string, unknown>)[spec.key] = value;
}

function readSubscriptionId(
  r: Reader,
  props: Properties,
  where: number,
  fromServer: boolean,
): void {
  const value = r.varint();
  if (value === 0) {
    throw protocolError('INVALID_PROPERTY_VALUE', 'subscription identifier 0');
  }
  if (where === PUBLISH && !fromServer) {
    // [MQTT-3.3.4-6] only a server puts Subscription Identifiers in PUBLISH.
    throw protocolError('INVALID_PROPERTY', 'subscription identifier from a client');
  }
  if (props.subscriptionIdentifiers === undefined) props.subscriptionIdentifiers = [];
  const ids = props.subscriptionIdentifiers;
  if (where === SUBSCRIBE && ids.length > 0) {
    throw protocolError('DUPLICATE_PROPERTY', 'two subscription identifiers');
  }
  ids.push(value);
}

/** Value rules of section 3: each is a Protocol Error when broken. */
function checkValue(id: number, value: number | string | Buffer): void {
  switch (id) {
    case PropertyId.PayloadFormatIndicator:
    case PropertyId.RequestProblemInformation:
    case PropertyId.RequestResponseInformation:
    case PropertyId.MaximumQoS:
    case PropertyId.RetainAvailable:
    case PropertyId.WildcardSubscriptionAvailable:
    case PropertyId.SubscriptionIdentifiersAvailable:
    case PropertyId.SharedSubscriptionAvailable:
      if (value !== 0 && value !== 1) throw badValue(id, value);
      return;
    case PropertyId.ReceiveMaximum:
    case PropertyId.MaximumPacketSize:
    case PropertyId.TopicAlias:
      if (value === 0) throw badValue(id, value);
      return;
    case PropertyId.ResponseTopic:
      // [MQTT-3.3.2-14] a Response Topic is a topic name: no wildcards.
      if (!isValidTopicName(value as string)) throw badValue(id, value);
      return;
  }
}

function badValue(id: number, value: unknown): Error {
  const key = SPECS[id]!.key;
  return protocolError('INVALID_PROPERTY_VALUE', `${key} may not be ${String(value)}`);
}

/** Bytes of the property list itself, without its length prefix. */
export function propertiesSize(props: Properties | undefined): number {
  if (props === undefined) return 0;
  let size = 0;
  for (const key in props) {
    const value = props[key as keyof Properties];
    if (value === undefined) continue;
    const spec = specOf(key);
    switch (spec.kind) {
      case BYTE:
        size += 2;
        break;
      case U16:
        size += 3;
        break;
      case U32:
        size += 5;
        break;
      case STRING:
        size += 1 + utf8Size(value as string);
        break;
      case BINARY:
        size += 1 + binarySize(value as Buffer);
        break;
      case VARINT:
        for (const v of value as number[]) size += 1 + varintSize(v);
        break;
      default:
        for (const [k, v] of value as Array<[string, string]>) {
          size += 1 + utf8Size(k) + utf8Size(v);
        }
    }
  }
  return size;
}

/** Writes the property length and then the properties, in key order. */
export function writeProperties(
  w: Writer,
  props: Properties | undefined,
  size: number,
): void {
  w.varint(size);
  if (props === undefined) return;
  for (const key in props) {
    const value = props[key as keyof Properties];
    if (value === undefined) continue;
    const id = ID_BY_KEY[key]!;
    const kind = SPECS[id]!.kind;
    if (kind === VARINT) {
      for (const v of value as number[]) {
        w.u8(id);
        w.varint(v);
      }
    } else if (kind === PAIR) {
      for (const [k, v] of value as Array<[string, string]>) {
        w.u8(id);
        w.utf8(k);
        w.utf8(v);
      }
    } else {
      w.u8(id);
      writeScalar(w, kind, value as number | string | Buffer);
    }
  }
}

function writeScalar(w: Writer, kind: number, value: number | string | Buffer): void {
  if (kind === BYTE) w.u8(value as number);
  else if (kind === U16) w.u16(value as number);
  else if (kind === U32) w.u32(value as number);
  else if (kind === STRING) w.utf8(value as string);
  else w.binary(value as Buffer);
}

function specOf(key: string): Spec {
  const id = ID_BY_KEY[key];
  if (id === undefined) throw new TypeError(`unknown MQTT property '${key}'`);
  return SPECS[id]!;
}
