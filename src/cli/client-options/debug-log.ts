/**
 * -d: one line per packet sent or received, in libmosquitto's words
 * ("Client <id> sending PUBLISH (d0, q1, r0, m1, 'a/b', ... (5 bytes))"),
 * on stdout as Mosquitto's tools print them. Until the broker assigns an
 * id, a client without one shows as "(null)".
 *
 * libmosquitto numbers every message it sends, QoS 0 publishes included,
 * from one counter its packet identifiers also come from; a QoS 0 PUBLISH
 * carries no identifier, so the trace numbers it as that counter would:
 * one past the last id sent (m1, m2... for midge_pub; m2 after the
 * SUBSCRIBE with id 1 for midge_rr).
 */
import type { MqttClient } from '../../client/index.js';
import { type Packet, PacketType, type Subscription } from '../../protocol/index.js';

function flag(b: boolean): number {
  return b ? 1 : 0;
}

function options(sub: Subscription): string {
  const bits =
    (sub.noLocal ? 0x04 : 0) |
    (sub.retainAsPublished ? 0x08 : 0) |
    (sub.retainHandling << 4);
  return `0x${bits.toString(16).padStart(2, '0')}`;
}

/** The trace's message counter, as libmosquitto keeps it per client. */
class MessageNumbers {
  #last = 0;

  /** The number a PUBLISH is shown with; a resend takes no new one. */
  publish(packetId: number | undefined, dup: boolean): number {
    if (packetId === undefined) this.#last = (this.#last % 65535) + 1;
    else if (!dup) this.#last = packetId;
    return packetId ?? this.#last;
  }

  /** A SUBSCRIBE or UNSUBSCRIBE took `packetId`. */
  took(packetId: number): void {
    this.#last = packetId;
  }
}

function sentLines(p: Packet, numbers: MessageNumbers): string[] {
  switch (p.type) {
    case PacketType.Connect:
      return ['sending CONNECT'];
    case PacketType.Publish:
      return [
        `sending PUBLISH (d${flag(p.dup)}, q${p.qos}, r${flag(p.retain)}, ` +
          `m${numbers.publish(p.packetId, p.dup)}, '${p.topic}', ... ` +
          `(${p.payload.length} bytes))`,
      ];
    case PacketType.Puback:
      return [`sending PUBACK (m${p.packetId}, rc${p.reasonCode ?? 0})`];
    case PacketType.Pubrec:
      return [`sending PUBREC (m${p.packetId}, rc${p.reasonCode ?? 0})`];
    case PacketType.Pubrel:
      return [`sending PUBREL (m${p.packetId})`];
    case PacketType.Pubcomp:
      return [`sending PUBCOMP (m${p.packetId})`];
    case PacketType.Subscribe:
      numbers.took(p.packetId);
      return p.subscriptions.map(
        (s) =>
          `sending SUBSCRIBE (Mid: ${p.packetId}, Topic: ${s.topicFilter}, ` +
          `QoS: ${s.qos}, Options: ${options(s)})`,
      );
    case PacketType.Unsubscribe:
      numbers.took(p.packetId);
      return p.topicFilters.map(
        (t) => `sending UNSUBSCRIBE (Mid: ${p.packetId}, Topic: ${t})`,
      );
    default:
      return [`sending ${PacketType[p.type].toUpperCase()}`];
  }
}

function receivedLine(p: Packet): string {
  switch (p.type) {
    case PacketType.Connack:
      return `received CONNACK (${p.reasonCode})`;
    case PacketType.Publish:
      return (
        `received PUBLISH (d${flag(p.dup)}, q${p.qos}, r${flag(p.retain)}, ` +
        `m${p.packetId ?? 0}, '${p.topic}', ... (${p.payload.length} bytes))`
      );
    case PacketType.Puback:
    case PacketType.Pubcomp: {
      const name = p.type === PacketType.Puback ? 'PUBACK' : 'PUBCOMP';
      return `received ${name} (Mid: ${p.packetId}, RC:${p.reasonCode ?? 0})`;
    }
    case PacketType.Pubrec:
      return `received PUBREC (Mid: ${p.packetId})`;
    case PacketType.Pubrel:
      return `received PUBREL (Mid: ${p.packetId})`;
    default:
      return `received ${PacketType[p.type].toUpperCase()}`;
  }
}

/** Prints the packet trace of `client` through `write`. */
export function traceClient(client: MqttClient, write: (line: string) => void): void {
  const name = () => client.clientId || '(null)';
  const numbers = new MessageNumbers();
  client.on('packetsend', (packet) => {
    for (const line of sentLines(packet, numbers)) write(`Client ${name()} ${line}\n`);
  });
  client.on('packetreceive', (packet) => {
    if (packet.type === PacketType.Disconnect) {
      write(`Received DISCONNECT (${packet.reasonCode ?? 0})\n`);
      return;
    }
    // libmosquitto takes the id the broker assigns before it logs the CONNACK.
    const assigned =
      packet.type === PacketType.Connack
        ? packet.properties?.assignedClientIdentifier
        : undefined;
    write(`Client ${assigned ?? name()} ${receivedLine(packet)}\n`);
  });
}
