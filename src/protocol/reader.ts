/**
 * A cursor over one packet's bytes. The decoder keeps one Reader and resets
 * it per packet, so reading a field allocates nothing but the value itself.
 * Every read is bounds-checked against the packet's end: a field that runs
 * past the remaining length is a Malformed Packet.
 */
import { malformed, protocolError } from './errors.js';
import { isValidMqttUtf8 } from './utf8.js';

const EMPTY = Buffer.alloc(0);

export class Reader {
  buf: Buffer = EMPTY;
  pos = 0;
  end = 0;

  reset(buf: Buffer, pos: number, end: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  get left(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos >= this.end) throw truncated();
    return this.buf[this.pos++]!;
  }

  u16(): number {
    const p = this.pos;
    if (p + 2 > this.end) throw truncated();
    this.pos = p + 2;
    return (this.buf[p]! << 8) | this.buf[p + 1]!;
  }

  u32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw truncated();
    this.pos = p + 4;
    return this.buf.readUInt32BE(p);
  }

  /** A Packet Identifier: never 0 in a packet that carries one [MQTT-2.2.1-3]. */
  packetId(): number {
    const id = this.u16();
    if (id === 0)
      throw protocolError('PACKET_ID_ZERO', 'packet identifier 0 [MQTT-2.2.1-3]');
    return id;
  }

  /** Variable Byte Integer, at most four bytes [MQTT-1.5.5-1]. */
  varint(): number {
    let value = 0;
    let mult = 1;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      value += (b & 0x7f) * mult;
      if ((b & 0x80) === 0) return value;
      mult *= 128;
    }
    throw malformed('MALFORMED_VARIABLE_INTEGER', 'variable byte integer over 4 bytes');
  }

  /** Length of a two-byte-prefixed field; leaves pos at its first byte. */
  fieldLength(): number {
    const len = this.u16();
    if (this.pos + len > this.end) throw truncated();
    return len;
  }

  /** UTF-8 Encoded String, validated the way Mosquitto does (see utf8.ts). */
  utf8(): string {
    const len = this.fieldLength();
    const start = this.pos;
    const end = start + len;
    if (!isValidMqttUtf8(this.buf, start, end)) {
      throw malformed('INVALID_UTF8', 'string is not valid MQTT UTF-8');
    }
    this.pos = end;
    return this.buf.toString('utf8', start, end);
  }

  /** Binary Data: a view into the packet, not a copy. */
  binary(): Buffer {
    const len = this.fieldLength();
    const start = this.pos;
    this.pos = start + len;
    return this.buf.subarray(start, start + len);
  }

  /** The rest of the packet, as a view. */
  rest(): Buffer {
    const start = this.pos;
    this.pos = this.end;
    return this.buf.subarray(start, this.end);
  }

  /** Extra bytes after the declared content are malformed. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) {
      throw malformed(
        'TRAILING_BYTES',
        `${this.end - this.pos} extra bytes after ${what}`,
      );
    }
  }
}

function truncated(): Error {
  return malformed('TRUNCATED_PACKET', 'field runs past the end of the packet');
}
