/**
 * Packets to bytes. Every encoder measures the packet first and then writes
 * it into one buffer of exactly that size. Fields that MQTT 5 added
 * (properties, reason codes) are dropped when encoding for 3.1 or 3.1.1.
 */

import { encodeConnect, encodeSubscribe, encodeUnsubscribe } from './encode-client.js';
import { startPacket } from './encode-common.js';
import {
  type AckPacket,
  type AuthPacket,
  type ConnackPacket,
  type DisconnectPacket,
  type Packet,
  PacketType,
  type ProtocolVersion,
  PUBLISH_DUP,
  PUBLISH_RETAIN,
  type PublishPacket,
  type SubackPacket,
} from './packets.js';
import type { Properties } from './properties.js';
import { propertiesSize, writeProperties } from './property-codec.js';
import { ReasonCode, SubackFailure } from './reason-codes.js';
import { utf8Size, varintSize, type Writer } from './writer.js';

type AckType =
  | PacketType.Puback
  | PacketType.Pubrec
  | PacketType.Pubrel
  | PacketType.Pubcomp;

/**
 * Encodes `packet` for a peer speaking `version`.
 *
 * @example
 * socket.write(encode({ type: PacketType.Pingresp }, 4)); // <Buffer d0 00>
 */
export function encode(packet: Packet, version: ProtocolVersion): Buffer {
  switch (packet.type) {
    case PacketType.Connect:
      return encodeConnect(packet, version);
    case PacketType.Connack:
      return encodeConnack(packet, version);
    case PacketType.Publish:
      return encodePublish(packet, version);
    case PacketType.Puback:
    case PacketType.Pubrec:
    case PacketType.Pubrel:
    case PacketType.Pubcomp:
      return encodeAck(packet as AckPacket<AckType>, version);
    case PacketType.Subscribe:
      return encodeSubscribe(packet, version);
    case PacketType.Suback:
      return encodeSuback(packet, version);
    case PacketType.Unsubscribe:
      return encodeUnsubscribe(packet, version);
    case PacketType.Unsuback:
      return encodeIdCodes(PacketType.Unsuback, packet.packetId, packet, version);
    case PacketType.Pingreq:
      return Buffer.from([0xc0, 0x00]);
    case PacketType.Pingresp:
      return Buffer.from([0xd0, 0x00]);
    case PacketType.Disconnect:
      return encodeDisconnect(packet, version);
    case PacketType.Auth:
      return encodeAuth(packet, version);
  }
}

function encodeConnack(packet: ConnackPacket, version: ProtocolVersion): Buffer {
  const propsSize = version === 5 ? propertiesSize(packet.properties) : 0;
  const body = 2 + (version === 5 ? varintSize(propsSize) + propsSize : 0);
  const w = startPacket(0x20, body);
  // MQTT 3.1 has no session-present bit.
  w.u8(packet.sessionPresent && version > 3 ? 1 : 0);
  w.u8(packet.reasonCode);
  if (version === 5) writeProperties(w, packet.properties, propsSize);
  return w.buf;
}

function encodePublish(packet: PublishPacket, version: ProtocolVersion): Buffer {
  const w = startPublish(packet, version, false);
  w.raw(packet.payload);
  return w.buf;
}

/**
 * A PUBLISH without its payload: the bytes to send before the payload
 * when the payload goes out as a buffer of its own, so that a large one
 * is never copied into the packet. The remaining length counts it.
 *
 * @example
 * socket.cork();
 * socket.write(encodePublishHeader(p, 4));
 * socket.write(p.payload);
 * socket.uncork();
 */
export function encodePublishHeader(
  packet: PublishPacket,
  version: ProtocolVersion,
): Buffer {
  return startPublish(packet, version, true).buf;
}

function startPublish(
  packet: PublishPacket,
  version: ProtocolVersion,
  headerOnly: boolean,
): Writer {
  const { qos, payload } = packet;
  const propsSize = version === 5 ? propertiesSize(packet.properties) : 0;
  let body = utf8Size(packet.topic) + payload.length;
  if (qos > 0) body += 2;
  if (version === 5) body += varintSize(propsSize) + propsSize;
  const first =
    0x30 |
    (packet.dup ? PUBLISH_DUP : 0) |
    (qos << 1) |
    (packet.retain ? PUBLISH_RETAIN : 0);
  const w = startPacket(first, body, headerOnly ? payload.length : 0);
  w.utf8(packet.topic);
  if (qos > 0) {
    if (!packet.packetId) throw new TypeError('PUBLISH with QoS > 0 needs a packetId');
    w.u16(packet.packetId);
  }
  if (version === 5) writeProperties(w, packet.properties, propsSize);
  return w;
}

/**
 * Byte offset of the packet identifier in an encoded QoS 1/2 PUBLISH, so
 * one encoding can be shared by many subscribers and only the id patched.
 *
 * @example
 * const copy = Buffer.from(shared);
 * copy.writeUInt16BE(id, publishPacketIdOffset(copy));
 */
export function publishPacketIdOffset(buf: Buffer): number {
  let pos = 1;
  while ((buf[pos++]! & 0x80) !== 0);
  return pos + 2 + ((buf[pos]! << 8) | buf[pos + 1]!);
}

/**
 * PUBACK, PUBREC, PUBREL, PUBCOMP. Like Mosquitto 2.0, a Success without
 * properties is sent as the packet identifier alone (3.4.2.1), and an error
 * without properties omits the property length.
 */
function encodeAck(packet: AckPacket<AckType>, version: ProtocolVersion): Buffer {
  const first = (packet.type << 4) | (packet.type === PacketType.Pubrel ? 0x02 : 0);
  const code = packet.reasonCode ?? ReasonCode.Success;
  const propsSize = version === 5 ? propertiesSize(packet.properties) : 0;
  let body = 2;
  if (version === 5 && (code !== ReasonCode.Success || propsSize > 0)) body = 3;
  if (version === 5 && propsSize > 0) body += varintSize(propsSize) + propsSize;
  const w = startPacket(first, body);
  w.u16(packet.packetId);
  if (body > 2) w.u8(code);
  if (body > 3) writeProperties(w, packet.properties, propsSize);
  return w.buf;
}

function encodeSuback(packet: SubackPacket, version: ProtocolVersion): Buffer {
  const w = encodeIdCodesStart(PacketType.Suback, packet.packetId, packet, version);
  for (const code of packet.reasonCodes) {
    // 3.1.1 knows one failure code; 3.1 none, but its clients take 0x80.
    w.u8(version < 5 && code >= 0x80 ? SubackFailure : code);
  }
  return w.buf;
}

/** UNSUBACK: packet id, and in 5.0 properties and one code per filter. */
function encodeIdCodes(
  type: PacketType,
  packetId: number,
  packet: { reasonCodes?: number[]; properties?: Properties },
  version: ProtocolVersion,
): Buffer {
  const w = encodeIdCodesStart(type, packetId, packet, version);
  if (version === 5) for (const code of packet.reasonCodes ?? []) w.u8(code);
  return w.buf;
}

function encodeIdCodesStart(
  type: PacketType,
  packetId: number,
  packet: { reasonCodes?: number[]; properties?: Properties },
  version: ProtocolVersion,
): Writer {
  const codes =
    type === PacketType.Suback || version === 5 ? packet.reasonCodes : undefined;
  const propsSize = version === 5 ? propertiesSize(packet.properties) : 0;
  let body = 2 + (codes?.length ?? 0);
  if (version === 5) body += varintSize(propsSize) + propsSize;
  const w = startPacket(type << 4, body);
  w.u16(packetId);
  if (version === 5) writeProperties(w, packet.properties, propsSize);
  return w;
}

/** MQTT 5 only; a Success without properties is an empty body (3.14.2.1). */
function encodeDisconnect(packet: DisconnectPacket, version: ProtocolVersion): Buffer {
  if (version < 5) return Buffer.from([0xe0, 0x00]);
  return encodeReasonAndProps(0xe0, packet);
}

/**
 * AUTH always carries its reason code and property length, as Mosquitto
 * sends it: the spec lets a Success without properties be empty
 * (3.15.2.1), but mqtt-packet 9 (MQTT.js) refuses an empty AUTH.
 */
function encodeAuth(packet: AuthPacket, version: ProtocolVersion): Buffer {
  if (version < 5) throw new TypeError('AUTH exists only in MQTT 5');
  const propsSize = propertiesSize(packet.properties);
  const w = startPacket(0xf0, 1 + varintSize(propsSize) + propsSize);
  w.u8(packet.reasonCode);
  writeProperties(w, packet.properties, propsSize);
  return w.buf;
}

function encodeReasonAndProps(
  first: number,
  packet: DisconnectPacket | AuthPacket,
): Buffer {
  const code = packet.reasonCode ?? ReasonCode.Success;
  const propsSize = propertiesSize(packet.properties);
  let body = 0;
  if (code !== ReasonCode.Success || propsSize > 0) body = 1;
  if (propsSize > 0) body += varintSize(propsSize) + propsSize;
  const w = startPacket(first, body);
  if (body > 0) w.u8(code);
  if (body > 1) writeProperties(w, packet.properties, propsSize);
  return w.buf;
}
