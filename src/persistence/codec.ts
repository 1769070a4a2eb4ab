/**
 * Values stored as blobs or text: MQTT 5 message properties are kept as
 * an MQTT property block (a length, then the properties as on the wire),
 * which is also how Mosquitto stores them in mosquitto.db; subscription
 * identifiers as a comma-separated list.
 */
import { PacketType, type Properties } from '../protocol/index.js';
import {
  propertiesSize,
  readProperties,
  writeProperties,
} from '../protocol/property-codec.js';
import { Reader } from '../protocol/reader.js';
import { varintSize, Writer } from '../protocol/writer.js';

const PUBLISH = 1 << PacketType.Publish;

export function encodeProperties(p: Properties | undefined): Buffer | null {
  if (p === undefined) return null;
  const size = propertiesSize(p);
  if (size === 0) return null;
  const w = new Writer(varintSize(size) + size);
  writeProperties(w, p, size);
  return w.buf;
}

/** Reads a property block as found in a PUBLISH; throws if malformed. */
export function decodeProperties(b: Buffer | null | undefined): Properties | undefined {
  if (b === null || b === undefined || b.length === 0) return undefined;
  const r = new Reader();
  r.reset(b, 0, b.length);
  const props = readProperties(r, PUBLISH, true);
  if (r.pos !== b.length) throw new Error('bytes after the property block');
  return props;
}

/**
 * The properties a stored message keeps: those forwarded unchanged to
 * subscribers [MQTT-3.3.2-15]. Expiry is kept as a time, aliases and
 * subscription identifiers are per delivery.
 */
export function forwardedOnly(p: Properties | undefined): Properties | undefined {
  if (p === undefined) return undefined;
  const out: Properties = {};
  if (p.payloadFormatIndicator !== undefined) {
    out.payloadFormatIndicator = p.payloadFormatIndicator;
  }
  if (p.contentType !== undefined) out.contentType = p.contentType;
  if (p.responseTopic !== undefined) out.responseTopic = p.responseTopic;
  if (p.correlationData !== undefined) out.correlationData = p.correlationData;
  if (p.userProperties !== undefined) out.userProperties = p.userProperties;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function encodeIds(ids: number[] | undefined): string | null {
  return ids === undefined || ids.length === 0 ? null : ids.join(',');
}

export function decodeIds(text: string | null | undefined): number[] | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  return text.split(',').map(Number);
}
