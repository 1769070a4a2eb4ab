/**
 * CONNECT (section 3.1) and CONNACK (3.2) bodies. CONNECT is the one packet
 * whose layout depends on a version it announces itself, so it is decoded
 * with the level it carries, not with the decoder's current version.
 */
import { malformed, ProtocolError, protocolError } from './errors.js';
import {
  type ConnackPacket,
  type ConnectPacket,
  PacketType,
  type ProtocolVersion,
  type QoS,
  type Will,
} from './packets.js';
import type { Properties } from './properties.js';
import { readProperties, WILL_PROPS } from './property-codec.js';
import type { Reader } from './reader.js';
import { ReasonCode } from './reason-codes.js';
import { isValidTopicName } from './topics.js';
import { isValidReasonCode } from './valid-reason-codes.js';

const CONNECT_PROPS = 1 << PacketType.Connect;
const CONNACK_PROPS = 1 << PacketType.Connack;

/** What decodeConnect reports back: the version a refusal must use. */
export interface VersionHolder {
  version: ProtocolVersion;
}

export function decodeConnect(r: Reader, holder: VersionHolder): ConnectPacket {
  const protocolName = readProtocolName(r);
  const level = r.u8();
  const version = checkLevel(protocolName, level & 0x7f, holder);
  // From here on, a refusal is answered in the CONNECT's own version.
  holder.version = version;
  const flags = r.u8();
  checkConnectFlags(flags, version);
  const keepAlive = r.u16();
  const properties = version === 5 ? readProperties(r, CONNECT_PROPS, false) : undefined;
  checkAuthProperties(properties);
  const packet: ConnectPacket = {
    type: PacketType.Connect,
    protocolName,
    protocolVersion: version,
    bridge: (level & 0x80) !== 0,
    clean: (flags & 0x02) !== 0,
    keepAlive,
    clientId: r.utf8(),
  };
  if (flags & 0x04) packet.will = readWill(r, flags, version);
  if (flags & 0x80) packet.username = r.utf8();
  if (flags & 0x40) packet.password = r.binary();
  if (properties !== undefined) packet.properties = properties;
  r.expectEnd('CONNECT payload');
  return packet;
}

function readProtocolName(r: Reader): string {
  const len = r.fieldLength();
  const name = r.buf.toString('latin1', r.pos, r.pos + len);
  r.pos += len;
  return name;
}

/**
 * 'MQIsdp' level 3 is MQTT 3.1; 'MQTT' level 4 or 5 is 3.1.1 or 5.0. Any
 * other level under a known name gets CONNACK 0x01 (3.x) or 0x84 (5.0)
 * [MQTT-3.1.2-2], so the holder learns which form to answer in. An unknown
 * name is refused too [MQTT-3.1.2-1]; Mosquitto 2.0.11 closes the
 * connection without a CONNACK then (observed), hence the separate code.
 */
function checkLevel(name: string, level: number, holder: VersionHolder): ProtocolVersion {
  if (name === 'MQTT' && (level === 4 || level === 5)) return level;
  if (name === 'MQIsdp' && level === 3) return 3;
  holder.version = level === 5 ? 5 : 4;
  if (name === 'MQTT' || name === 'MQIsdp') {
    throw new ProtocolError(
      ReasonCode.UnsupportedProtocolVersion,
      'UNSUPPORTED_PROTOCOL_VERSION',
      `unsupported protocol level ${level} for ${name}`,
      level,
    );
  }
  throw new ProtocolError(
    ReasonCode.UnsupportedProtocolVersion,
    'UNSUPPORTED_PROTOCOL_NAME',
    `unknown protocol name '${name}'`,
    name,
  );
}

function checkConnectFlags(flags: number, version: ProtocolVersion): void {
  if (flags & 0x01) {
    throw malformed('CONNECT_RESERVED_FLAG', 'reserved CONNECT flag set [MQTT-3.1.2-3]');
  }
  const willQos = (flags >> 3) & 0x03;
  if (willQos === 3) {
    throw malformed('INVALID_WILL_QOS', 'will QoS 3 [MQTT-3.1.2-12]');
  }
  if ((flags & 0x04) === 0 && (willQos !== 0 || (flags & 0x20) !== 0)) {
    throw malformed(
      'INVALID_WILL_FLAGS',
      'will QoS or retain without will flag [MQTT-3.1.2-11] [MQTT-3.1.2-13]',
    );
  }
  if (version < 5 && (flags & 0x40) !== 0 && (flags & 0x80) === 0) {
    // MQTT 3.1.1 [MQTT-3.1.2-22]; MQTT 5 allows a password alone.
    throw malformed('PASSWORD_WITHOUT_USERNAME', 'password flag without username flag');
  }
}

function readWill(r: Reader, flags: number, version: ProtocolVersion): Will {
  const properties = version === 5 ? readProperties(r, WILL_PROPS, false) : undefined;
  const topic = r.utf8();
  if (!isValidTopicName(topic)) {
    throw new ProtocolError(
      ReasonCode.TopicNameInvalid,
      'INVALID_WILL_TOPIC',
      'will topic is empty or has a wildcard [MQTT-3.1.3-11]',
    );
  }
  const will: Will = {
    topic,
    payload: r.binary(),
    qos: ((flags >> 3) & 0x03) as QoS,
    retain: (flags & 0x20) !== 0,
  };
  if (properties !== undefined) will.properties = properties;
  return will;
}

/** Authentication Data without a method is a Protocol Error (3.1.2.11.10). */
export function checkAuthProperties(props: Properties | undefined): void {
  if (
    props?.authenticationData !== undefined &&
    props.authenticationMethod === undefined
  ) {
    throw protocolError('AUTH_DATA_WITHOUT_METHOD', 'authentication data without method');
  }
}

export function decodeConnack(r: Reader, version: ProtocolVersion): ConnackPacket {
  const flags = r.u8();
  const reasonCode = r.u8();
  // MQTT 3.1 has no session-present bit: the whole byte is reserved.
  const reserved = version === 3 ? 0xff : 0xfe;
  if (flags & reserved) {
    throw malformed('CONNACK_RESERVED_FLAG', 'reserved CONNACK flag set [MQTT-3.2.2-1]');
  }
  // A 5.0 client refused by a 3.1.1-only server gets a 2-byte CONNACK with
  // a 3.1.1 return code (1: unacceptable protocol version).
  const v5 = version === 5 && r.left > 0;
  const valid = v5 ? isValidReasonCode(PacketType.Connack, reasonCode) : reasonCode <= 5;
  if (!valid) throw malformed('INVALID_REASON_CODE', `CONNACK code ${reasonCode}`);
  const packet: ConnackPacket = {
    type: PacketType.Connack,
    sessionPresent: (flags & 0x01) !== 0,
    reasonCode,
  };
  if (v5) {
    const properties = readProperties(r, CONNACK_PROPS, true);
    checkAuthProperties(properties);
    if (properties !== undefined) packet.properties = properties;
  }
  r.expectEnd('CONNACK');
  return packet;
}
