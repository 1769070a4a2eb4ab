/**
 * Fixed-header checks and the bodies of every packet but CONNECT/CONNACK.
 * Each decoder reads straight from the packet's bytes through one shared
 * Reader and ends by refusing bytes left over after the declared content.
 */
import { decodeConnack, decodeConnect, type VersionHolder } from './decode-connect.js';
import {
  decodeSuback,
  decodeSubscribe,
  decodeUnsuback,
  decodeUnsubscribe,
} from './decode-subscribe.js';
import { malformed, ProtocolError, protocolError } from './errors.js';
import {
  type AckPacket,
  type AuthPacket,
  type DisconnectPacket,
  type Packet,
  PacketType,
  type ProtocolVersion,
  PUBLISH_DUP,
  PUBLISH_RETAIN,
  type PublishPacket,
  type QoS,
} from './packets.js';
import { readProperties } from './property-codec.js';
import type { Reader } from './reader.js';
import { ReasonCode } from './reason-codes.js';
import { MAX_TOPIC_LEVELS } from './topics.js';
import { isValidMqttUtf8 } from './utf8.js';
import { isValidReasonCode } from './valid-reason-codes.js';

export type Side = 'server' | 'client';

/** Packet types each side may receive, as bit masks of 1 << type. */
const TO_SERVER =
  bits(PacketType.Connect, PacketType.Publish, PacketType.Puback, PacketType.Pubrec) |
  bits(PacketType.Pubrel, PacketType.Pubcomp, PacketType.Subscribe) |
  bits(
    PacketType.Unsubscribe,
    PacketType.Pingreq,
    PacketType.Disconnect,
    PacketType.Auth,
  );
const TO_CLIENT =
  bits(PacketType.Connack, PacketType.Publish, PacketType.Puback, PacketType.Pubrec) |
  bits(PacketType.Pubrel, PacketType.Pubcomp, PacketType.Suback, PacketType.Unsuback) |
  bits(PacketType.Pingresp, PacketType.Disconnect, PacketType.Auth);
/** Types whose fixed-header flags must be 0b0010; all others but PUBLISH 0. */
const FLAGS_0010 = bits(PacketType.Pubrel, PacketType.Subscribe, PacketType.Unsubscribe);

function bits(...types: PacketType[]): number {
  let mask = 0;
  for (const t of types) mask |= 1 << t;
  return mask;
}

/**
 * Checks the first byte before the body is even buffered: type allowed in
 * this direction and version, reserved flags as the spec fixes them.
 */
export function checkFixedHeader(
  first: number,
  version: ProtocolVersion,
  side: Side,
): void {
  const type = first >> 4;
  const flags = first & 0x0f;
  if (type === 0) throw malformed('RESERVED_PACKET_TYPE', 'packet type 0 is reserved');
  const allowed = side === 'server' ? TO_SERVER : TO_CLIENT;
  const v5only =
    type === PacketType.Auth || (type === PacketType.Disconnect && side === 'client');
  if ((allowed & (1 << type)) === 0 || (v5only && version < 5)) {
    throw protocolError(
      'UNEXPECTED_PACKET_TYPE',
      `${PacketType[type]} not allowed to a ${side}`,
    );
  }
  if (type === PacketType.Publish) {
    checkPublishFlags(flags);
    return;
  }
  // MQTT 3.1 let DUP/QoS bits vary on these packets and Mosquitto does not
  // check them for 3.1 clients; 3.1.1 and 5.0 fix them [MQTT-2.2.2-2].
  if (version === 3) return;
  const expected = (FLAGS_0010 & (1 << type)) !== 0 ? 0x02 : 0x00;
  if (flags !== expected) {
    throw malformed('INVALID_HEADER_FLAGS', `bad flags ${flags} for ${PacketType[type]}`);
  }
}

function checkPublishFlags(flags: number): void {
  const qos = (flags >> 1) & 0x03;
  if (qos === 3) throw malformed('INVALID_QOS', 'PUBLISH with QoS 3 [MQTT-3.3.1-4]');
  // [MQTT-3.3.1-2] binds the sender: DUP must be 0 at QoS 0. Mosquitto
  // 2.0.11 accepts such a PUBLISH from 3.1.1 and 5.0 clients alike
  // (observed), so clients that work with it keep working with midge.
}

/** Decodes the body of a packet whose fixed header passed the checks. */
export function decodeBody(
  r: Reader,
  first: number,
  side: Side,
  holder: VersionHolder,
): Packet {
  const version = holder.version;
  const type = first >> 4;
  switch (type) {
    case PacketType.Connect:
      return decodeConnect(r, holder);
    case PacketType.Connack:
      return decodeConnack(r, version);
    case PacketType.Publish:
      return decodePublish(r, first, version, side);
    case PacketType.Puback:
    case PacketType.Pubrec:
    case PacketType.Pubrel:
    case PacketType.Pubcomp:
      return decodePubAck(r, type, version);
    case PacketType.Subscribe:
      return decodeSubscribe(r, version);
    case PacketType.Suback:
      return decodeSuback(r, version);
    case PacketType.Unsubscribe:
      return decodeUnsubscribe(r, version);
    case PacketType.Unsuback:
      return decodeUnsuback(r, version);
    case PacketType.Pingreq:
    case PacketType.Pingresp:
      r.expectEnd(PacketType[type]);
      return { type };
    case PacketType.Disconnect:
      return decodeDisconnect(r, version);
    default:
      return decodeAuth(r);
  }
}

const WILDCARD_PLUS = 0x2b;
const WILDCARD_HASH = 0x23;

function decodePublish(
  r: Reader,
  first: number,
  version: ProtocolVersion,
  side: Side,
): PublishPacket {
  const qos = ((first >> 1) & 0x03) as QoS;
  const topic = readTopicName(r);
  const packet: PublishPacket = {
    type: PacketType.Publish,
    dup: (first & PUBLISH_DUP) !== 0,
    qos,
    retain: (first & PUBLISH_RETAIN) !== 0,
    topic,
    payload: r.buf,
  };
  if (qos > 0) packet.packetId = r.packetId();
  if (version === 5) {
    const props = readProperties(r, 1 << PacketType.Publish, side === 'client');
    if (props !== undefined) packet.properties = props;
  }
  if (topic.length === 0) checkEmptyTopic(packet, version);
  packet.payload = r.rest();
  return packet;
}

const SLASH = 0x2f;

/**
 * The last topic name decoded, as bytes and as the string made of them.
 * A publisher mostly sends one topic again and again: the same bytes need
 * neither checking nor decoding twice, and the same string keeps its hash
 * for the lookups that follow. Only short names are kept.
 */
const TOPIC_CACHE_BYTES = 64;
const cachedBytes = Buffer.alloc(TOPIC_CACHE_BYTES);
let cachedLength = -1;
let cachedTopic = '';

function isCachedTopic(buf: Buffer, start: number, len: number): boolean {
  if (len !== cachedLength) return false;
  // From the end: names that differ mostly share a prefix.
  for (let i = len - 1; i >= 0; i--) {
    if (buf[start + i] !== cachedBytes[i]) return false;
  }
  return true;
}

/** Short names are copied byte by byte: cheaper than a call into Buffer.copy. */
function cacheTopic(buf: Buffer, start: number, len: number, topic: string): void {
  for (let i = 0; i < len; i++) cachedBytes[i] = buf[start + i] as number;
  cachedLength = len;
  cachedTopic = topic;
}

/** Reads a topic name; wildcards are TopicNameInvalid [MQTT-3.3.2-2]. */
function readTopicName(r: Reader): string {
  const len = r.fieldLength();
  const buf = r.buf;
  const start = r.pos;
  const end = start + len;
  if (isCachedTopic(buf, start, len)) {
    r.pos = end;
    return cachedTopic;
  }
  if (!isValidMqttUtf8(buf, start, end)) {
    throw malformed('INVALID_UTF8', 'PUBLISH topic is not valid MQTT UTF-8');
  }
  // '+', '#' and '/' bytes never occur inside a multi-byte UTF-8 sequence.
  let levels = 1;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b === WILDCARD_PLUS || b === WILDCARD_HASH) {
      throw new ProtocolError(
        ReasonCode.TopicNameInvalid,
        'INVALID_TOPIC_NAME',
        'PUBLISH topic contains a wildcard [MQTT-3.3.2-2]',
      );
    }
    if (b === SLASH && ++levels > MAX_TOPIC_LEVELS) {
      // Mosquitto answers a topic this deep as a protocol error.
      throw protocolError(
        'TOPIC_TOO_DEEP',
        `PUBLISH topic has over ${MAX_TOPIC_LEVELS} levels`,
      );
    }
  }
  r.pos = end;
  const topic = buf.toString('utf8', start, end);
  if (len <= TOPIC_CACHE_BYTES) cacheTopic(buf, start, len, topic);
  return topic;
}

function checkEmptyTopic(packet: PublishPacket, version: ProtocolVersion): void {
  if (version === 5) {
    // 3.3.2.1: an empty topic needs a Topic Alias to stand for it.
    if (packet.properties?.topicAlias !== undefined) return;
    throw protocolError('EMPTY_TOPIC', 'empty PUBLISH topic without topic alias');
  }
  throw new ProtocolError(
    ReasonCode.TopicNameInvalid,
    'INVALID_TOPIC_NAME',
    'empty PUBLISH topic [MQTT-4.7.3-1]',
  );
}

type AckType =
  | PacketType.Puback
  | PacketType.Pubrec
  | PacketType.Pubrel
  | PacketType.Pubcomp;

function decodePubAck(
  r: Reader,
  type: AckType,
  version: ProtocolVersion,
): AckPacket<AckType> {
  const packetId = r.packetId();
  if (version < 5) {
    r.expectEnd(PacketType[type]);
    return { type, packetId };
  }
  // 3.4.2.1: remaining length 2 means Success and no properties.
  const reasonCode = r.left > 0 ? readReasonCode(r, type) : ReasonCode.Success;
  const packet: AckPacket<AckType> = { type, packetId, reasonCode };
  if (r.left > 0) {
    const props = readProperties(r, 1 << type, false);
    if (props !== undefined) packet.properties = props;
  }
  r.expectEnd(PacketType[type]);
  return packet;
}

export function readReasonCode(r: Reader, type: PacketType): number {
  const code = r.u8();
  if (!isValidReasonCode(type, code)) {
    throw malformed('INVALID_REASON_CODE', `reason code ${code} in ${PacketType[type]}`);
  }
  return code;
}

function decodeDisconnect(r: Reader, version: ProtocolVersion): DisconnectPacket {
  const packet: DisconnectPacket = { type: PacketType.Disconnect };
  if (version === 5) decodeReasonAndProps(r, packet, PacketType.Disconnect);
  r.expectEnd('DISCONNECT');
  return packet;
}

function decodeAuth(r: Reader): AuthPacket {
  const packet: AuthPacket = { type: PacketType.Auth, reasonCode: ReasonCode.Success };
  decodeReasonAndProps(r, packet, PacketType.Auth);
  r.expectEnd('AUTH');
  return packet;
}

/** DISCONNECT and AUTH: remaining length 0 means Success, no properties. */
function decodeReasonAndProps(
  r: Reader,
  packet: DisconnectPacket | AuthPacket,
  type: PacketType,
): void {
  packet.reasonCode = r.left > 0 ? readReasonCode(r, type) : ReasonCode.Success;
  if (r.left === 0) return;
  const props = readProperties(r, 1 << type, false);
  if (props !== undefined) packet.properties = props;
}
