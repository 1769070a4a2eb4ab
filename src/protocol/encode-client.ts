/**
 * The packets only a client sends: CONNECT, SUBSCRIBE and UNSUBSCRIBE.
 * midge encodes them for its client library, bridges and tests.
 */
import { propsFieldSize, startPacket } from './encode-common.js';
import type {
  ConnectPacket,
  ProtocolVersion,
  SubscribePacket,
  UnsubscribePacket,
} from './packets.js';
import { propertiesSize, writeProperties } from './property-codec.js';
import { binarySize, utf8Size, type Writer } from './writer.js';

const PROTOCOL_NAMES = ['', '', '', 'MQIsdp', 'MQTT', 'MQTT'];

/** The protocol name follows `version`; `packet.protocolName` is ignored. */
export function encodeConnect(packet: ConnectPacket, version: ProtocolVersion): Buffer {
  const name = PROTOCOL_NAMES[version]!;
  const { will, username, password } = packet;
  let body = utf8Size(name) + 4 + utf8Size(packet.clientId);
  body += propsFieldSize(packet.properties, version);
  if (will) {
    body += propsFieldSize(will.properties, version);
    body += utf8Size(will.topic) + binarySize(will.payload);
  }
  if (username !== undefined) body += utf8Size(username);
  if (password !== undefined) body += binarySize(password);
  const w = startPacket(0x10, body);
  w.utf8(name);
  w.u8(version | (packet.bridge ? 0x80 : 0));
  w.u8(connectFlags(packet));
  w.u16(packet.keepAlive);
  writeVersionProps(w, packet.properties, version);
  w.utf8(packet.clientId);
  if (will) {
    writeVersionProps(w, will.properties, version);
    w.utf8(will.topic);
    w.binary(will.payload);
  }
  if (username !== undefined) w.utf8(username);
  if (password !== undefined) w.binary(password);
  return w.buf;
}

function connectFlags(packet: ConnectPacket): number {
  let flags = packet.clean ? 0x02 : 0;
  if (packet.will) {
    flags |= 0x04 | (packet.will.qos << 3) | (packet.will.retain ? 0x20 : 0);
  }
  if (packet.password !== undefined) flags |= 0x40;
  if (packet.username !== undefined) flags |= 0x80;
  return flags;
}

function writeVersionProps(
  w: Writer,
  props: ConnectPacket['properties'],
  version: ProtocolVersion,
): void {
  if (version === 5) writeProperties(w, props, propertiesSize(props));
}

export function encodeSubscribe(
  packet: SubscribePacket,
  version: ProtocolVersion,
): Buffer {
  let body = 2 + propsFieldSize(packet.properties, version);
  for (const sub of packet.subscriptions) body += utf8Size(sub.topicFilter) + 1;
  const w = startPacket(0x82, body);
  w.u16(packet.packetId);
  writeVersionProps(w, packet.properties, version);
  for (const sub of packet.subscriptions) {
    w.utf8(sub.topicFilter);
    let options = sub.qos;
    if (version === 5) {
      options |= (sub.noLocal ? 0x04 : 0) | (sub.retainAsPublished ? 0x08 : 0);
      options |= sub.retainHandling << 4;
    }
    w.u8(options);
  }
  return w.buf;
}

export function encodeUnsubscribe(
  packet: UnsubscribePacket,
  version: ProtocolVersion,
): Buffer {
  let body = 2 + propsFieldSize(packet.properties, version);
  for (const filter of packet.topicFilters) body += utf8Size(filter);
  const w = startPacket(0xa2, body);
  w.u16(packet.packetId);
  writeVersionProps(w, packet.properties, version);
  for (const filter of packet.topicFilters) w.utf8(filter);
  return w.buf;
}
