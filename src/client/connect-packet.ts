/** Builds the CONNECT packet from resolved options. */
import {
  type ConnectPacket,
  PacketType,
  type Properties,
  type Will,
} from '../protocol/index.js';
import type { ResolvedOptions } from './options.js';

/** `clientId` may differ from the options: one the server assigned. */
export function connectPacket(o: ResolvedOptions, clientId: string): ConnectPacket {
  const version = o.protocolVersion;
  const packet: ConnectPacket = {
    type: PacketType.Connect,
    protocolName: version === 3 ? 'MQIsdp' : 'MQTT',
    protocolVersion: version,
    bridge: o.bridge ?? false,
    clean: o.clean,
    keepAlive: o.keepalive,
    clientId,
  };
  if (o.username !== undefined) packet.username = o.username;
  if (o.password !== undefined) packet.password = toBuffer(o.password);
  if (o.will) packet.will = willOf(o.will);
  if (version === 5 && o.properties && hasKeys(o.properties)) {
    packet.properties = o.properties;
  }
  return packet;
}

function willOf(w: NonNullable<ResolvedOptions['will']>): Will {
  const will: Will = {
    topic: w.topic,
    payload: toBuffer(w.payload ?? ''),
    qos: w.qos ?? 0,
    retain: w.retain ?? false,
  };
  if (w.properties && hasKeys(w.properties)) will.properties = w.properties;
  return will;
}

export function toBuffer(data: string | Buffer | Uint8Array): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Buffer.isBuffer(data)) return data;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function hasKeys(props: Properties): boolean {
  for (const _ in props) return true;
  return false;
}
