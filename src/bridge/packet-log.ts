/**
 * Debug log lines for the packets a bridge exchanges with its remote
 * broker, worded as Mosquitto words them, so logs of a midge bridge read
 * like logs of a Mosquitto bridge. Mosquitto names the connection by the
 * bridge's local client id in every line but the CONNECT one.
 */
import { type Packet, PacketType, type PublishPacket } from '../protocol/index.js';

function name(p: Packet): string {
  return PacketType[p.type].toUpperCase();
}

function publishSummary(p: PublishPacket): string {
  const flags = `d${p.dup ? 1 : 0}, q${p.qos}, r${p.retain ? 1 : 0}, m${p.packetId ?? 0}`;
  return `(${flags}, '${p.topic}', ... (${p.payload.length} bytes))`;
}

/** The line for a packet the bridge sent, or undefined for none. */
export function sentLine(
  p: Packet,
  localId: string,
  remoteId: string,
): string | undefined {
  switch (p.type) {
    case PacketType.Connect:
      return `Bridge ${remoteId} sending CONNECT`;
    case PacketType.Publish:
      return `Sending PUBLISH to ${localId} ${publishSummary(p)}`;
    case PacketType.Puback:
    case PacketType.Pubrec:
      return `Sending ${name(p)} to ${localId} (m${p.packetId}, rc${p.reasonCode ?? 0})`;
    case PacketType.Pubrel:
    case PacketType.Pubcomp:
      return `Sending ${name(p)} to ${localId} (m${p.packetId})`;
    case PacketType.Subscribe:
      return p.subscriptions
        .map((s) => {
          const options =
            (s.noLocal ? 0x04 : 0) |
            (s.retainAsPublished ? 0x08 : 0) |
            (s.retainHandling << 4);
          const hex = `0x${options.toString(16).padStart(2, '0')}`;
          return (
            `Bridge ${localId} sending SUBSCRIBE (Mid: ${p.packetId}, ` +
            `Topic: ${s.topicFilter}, QoS: ${s.qos}, Options: ${hex})`
          );
        })
        .join('\n');
    case PacketType.Unsubscribe:
      return p.topicFilters
        .map(
          (f) =>
            `Bridge ${localId} sending UNSUBSCRIBE (Mid: ${p.packetId}, Topic: ${f})`,
        )
        .join('\n');
    case PacketType.Pingreq:
      return `Sending PINGREQ to ${localId}`;
    case PacketType.Disconnect:
      return `Sending DISCONNECT to ${localId}`;
    default:
      return undefined;
  }
}

/** The line for a packet the bridge received, or undefined for none. */
export function receivedLine(p: Packet, localId: string): string | undefined {
  switch (p.type) {
    case PacketType.Connack:
      return `Received CONNACK on connection ${localId}.`;
    case PacketType.Publish:
      return `Received PUBLISH from ${localId} ${publishSummary(p)}`;
    case PacketType.Puback:
    case PacketType.Pubcomp:
      return (
        `Received ${name(p)} from ${localId} ` +
        `(Mid: ${p.packetId}, RC:${p.reasonCode ?? 0})`
      );
    case PacketType.Pubrec:
    case PacketType.Pubrel:
      return `Received ${name(p)} from ${localId} (Mid: ${p.packetId})`;
    case PacketType.Suback:
    case PacketType.Unsuback:
      return `Received ${name(p)} from ${localId}`;
    case PacketType.Pingresp:
      return `Received PINGRESP from ${localId}`;
    case PacketType.Disconnect:
      return `Received DISCONNECT from ${localId}`;
    default:
      return undefined;
  }
}
