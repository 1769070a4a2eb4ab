/** Helpers shared by the packet encoders. */
import type { ProtocolVersion } from './packets.js';
import type { Properties } from './properties.js';
import { propertiesSize } from './property-codec.js';
import { varintSize, Writer } from './writer.js';

/**
 * Starts a packet: allocates fixed header plus body and writes the header.
 * `body` is the remaining length; the last `omit` bytes of it are not
 * allocated, for a payload sent as a buffer of its own.
 */
export function startPacket(first: number, body: number, omit = 0): Writer {
  const w = new Writer(1 + varintSize(body) + body - omit);
  w.u8(first);
  w.varint(body);
  return w;
}

/** Property length prefix plus properties, or 0 below MQTT 5. */
export function propsFieldSize(
  props: Properties | undefined,
  version: ProtocolVersion,
): number {
  if (version < 5) return 0;
  const size = propertiesSize(props);
  return varintSize(size) + size;
}
