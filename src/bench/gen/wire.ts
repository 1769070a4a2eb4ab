/**
 * The generator's view of the wire. Packets are encoded once with midge's
 * codec and then only patched (packet id, sequence number, time stamp);
 * inbound bytes go through a scanner that reads just what the generator
 * needs: fixed headers, packet ids and the 16-byte message stamp at the
 * start of each payload. It never builds packet objects and never keeps a
 * reference to a chunk (reads land in one reused buffer), so that the
 * generator stays cheaper per message than any broker it measures.
 */
import {
  encode,
  PacketType,
  type ProtocolVersion,
  publishPacketIdOffset,
  type QoS,
} from '../../protocol/index.js';

/**
 * Every payload starts with a stamp: publisher index, sequence number,
 * topic index and send time (microseconds, modulo 2^32), each a u32 LE.
 */
export const stampSize = 16;

export interface PublishTemplate {
  buf: Buffer;
  /** Offset of the packet id, or -1 at QoS 0. */
  idAt: number;
  payloadAt: number;
}

export function connectPacket(
  clientId: string,
  version: ProtocolVersion,
  keepAlive = 300,
  clean = true,
): Buffer {
  return encode(
    {
      type: PacketType.Connect,
      protocolName: version === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion: version,
      bridge: false,
      clean,
      keepAlive,
      clientId,
    },
    version,
  );
}

export function subscribePacket(
  filters: readonly string[],
  qos: QoS,
  version: ProtocolVersion,
): Buffer {
  const subscriptions = filters.map((topicFilter) => ({
    topicFilter,
    qos,
    noLocal: false,
    retainAsPublished: false,
    retainHandling: 0 as const,
  }));
  return encode({ type: PacketType.Subscribe, packetId: 1, subscriptions }, version);
}

export function disconnectPacket(version: ProtocolVersion): Buffer {
  return encode({ type: PacketType.Disconnect }, version);
}

export function publishTemplate(
  topic: string,
  qos: QoS,
  payloadSize: number,
  version: ProtocolVersion,
  retain = false,
): PublishTemplate {
  const size = Math.max(payloadSize, stampSize);
  const buf = encode(
    {
      type: PacketType.Publish,
      dup: false,
      qos,
      retain,
      topic,
      packetId: qos > 0 ? 1 : undefined,
      payload: Buffer.alloc(size),
    },
    version,
  );
  const idAt = qos > 0 ? publishPacketIdOffset(buf) : -1;
  return { buf, idAt, payloadAt: buf.length - size };
}

/** PUBACK, PUBREC, PUBREL or PUBCOMP with id 0; bytes 2-3 take the id. */
export function ackTemplate(type: AckType, version: ProtocolVersion): Buffer {
  return encode({ type, packetId: 0 } as never, version);
}

export type AckType =
  | PacketType.Puback
  | PacketType.Pubrec
  | PacketType.Pubrel
  | PacketType.Pubcomp;

/**
 * Acks for one socket, gathered while a chunk is scanned and written as one
 * buffer afterwards: one write per chunk instead of one per message.
 */
export class AckWriter {
  // Allocated on first use: idle and storm connections never need it.
  #staging = Buffer.alloc(0);
  #length = 0;

  push(type: AckType, packetId: number): void {
    if (this.#length + 4 > this.#staging.length) this.#grow();
    const buf = this.#staging;
    const at = this.#length;
    // A success ack without properties is 4 bytes in every version.
    buf[at] = (type << 4) | (type === PacketType.Pubrel ? 0x02 : 0);
    buf[at + 1] = 2;
    buf[at + 2] = packetId >>> 8;
    buf[at + 3] = packetId & 0xff;
    this.#length = at + 4;
  }

  /** The gathered acks as a fresh buffer (the socket may hold it), or null. */
  take(): Buffer | null {
    if (this.#length === 0) return null;
    const out = Buffer.allocUnsafe(this.#length);
    this.#staging.copy(out, 0, 0, this.#length);
    this.#length = 0;
    return out;
  }

  #grow(): void {
    const bigger = Buffer.allocUnsafe(Math.max(4096, this.#staging.length * 2));
    this.#staging.copy(bigger, 0, 0, this.#length);
    this.#staging = bigger;
  }
}

/** What the scanner reports; one object per connection, no closures. */
export interface FrameSink {
  /** A PUBLISH; its stamp is readable at `buf[at .. at + 16)`. */
  onPublish(flags: number, packetId: number, buf: Buffer, at: number): void;
  /** PUBACK, PUBREC, PUBREL or PUBCOMP. */
  onAck(type: number, packetId: number): void;
  /** Any other packet, body included (CONNACK, SUBACK, DISCONNECT...). */
  onControl(type: number, body: Buffer): void;
}

const publishType = 3;

/**
 * Splits a byte stream into MQTT packets. A PUBLISH is reported as soon
 * as its stamp has arrived; the rest of its payload is skipped without
 * copying. Only a header cut by a chunk boundary is carried over.
 */
export class FrameScanner {
  readonly #sink: FrameSink;
  readonly #v5: boolean;
  #carry: Buffer | null = null;
  #skip = 0;

  constructor(sink: FrameSink, version: ProtocolVersion) {
    this.#sink = sink;
    this.#v5 = version === 5;
  }

  feed(chunk: Buffer): void {
    let buf = chunk;
    let pos = 0;
    if (this.#carry !== null) {
      buf = Buffer.concat([this.#carry, chunk]);
      this.#carry = null;
    } else if (this.#skip > 0) {
      pos = Math.min(this.#skip, buf.length);
      this.#skip -= pos;
    }
    while (pos < buf.length) {
      const used = this.#packet(buf, pos);
      if (used === 0) {
        // A copy: the chunk's memory is reused for the next read.
        this.#carry = Buffer.from(buf.subarray(pos));
        return;
      }
      pos += used;
    }
  }

  /** Handles the packet at `pos`; returns bytes consumed, 0 if incomplete. */
  #packet(buf: Buffer, pos: number): number {
    const avail = buf.length - pos;
    let rem = 0;
    let mult = 1;
    let hdr = 1;
    for (;;) {
      if (hdr >= avail || hdr > 4) return 0;
      const byte = buf[pos + hdr++]!;
      rem += (byte & 0x7f) * mult;
      if ((byte & 0x80) === 0) break;
      mult *= 128;
    }
    const total = hdr + rem;
    const first = buf[pos]!;
    const type = first >> 4;
    if (type === publishType) return this.#publish(buf, pos, avail, hdr, total);
    if (avail < total) return 0;
    if (type >= 4 && type <= 7) {
      this.#sink.onAck(type, (buf[pos + hdr]! << 8) | buf[pos + hdr + 1]!);
    } else {
      this.#sink.onControl(type, buf.subarray(pos + hdr, pos + total));
    }
    return total;
  }

  #publish(buf: Buffer, pos: number, avail: number, hdr: number, total: number): number {
    const flags = buf[pos]! & 0x0f;
    let at = pos + hdr;
    if (avail < hdr + 2) return 0;
    at += 2 + ((buf[at]! << 8) | buf[at + 1]!);
    let packetId = 0;
    if ((flags & 0x06) !== 0) {
      if (at + 2 > buf.length) return 0;
      packetId = (buf[at]! << 8) | buf[at + 1]!;
      at += 2;
    }
    if (this.#v5) {
      let propsLen = 0;
      let mult = 1;
      for (;;) {
        if (at >= buf.length) return 0;
        const byte = buf[at++]!;
        propsLen += (byte & 0x7f) * mult;
        if ((byte & 0x80) === 0) break;
        mult *= 128;
      }
      at += propsLen;
    }
    const need = at - pos + stampSize;
    if (need > total) {
      // Not one of ours (no stamp): hand it over whole.
      if (avail < total) return 0;
      this.#sink.onControl(publishType, buf.subarray(pos + hdr, pos + total));
      return total;
    }
    if (avail < need) return 0;
    this.#sink.onPublish(flags, packetId, buf, at);
    if (avail >= total) return total;
    this.#skip = total - avail;
    return avail;
  }
}
