/**
 * Writes one packet into a buffer allocated at its exact final size: the
 * encoder measures first, then writes, so no packet is ever copied.
 */
export class Writer {
  readonly buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v & 0xff;
  }

  u32(v: number): void {
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  varint(v: number): void {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) b |= 0x80;
      this.buf[this.pos++] = b;
    } while (v > 0);
  }

  /** Two-byte length, then the UTF-8 bytes. */
  utf8(s: string): void {
    const n = this.buf.write(s, this.pos + 2, 'utf8');
    this.u16(n);
    this.pos += n;
  }

  binary(b: Uint8Array): void {
    this.u16(b.length);
    this.raw(b);
  }

  raw(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

/** Largest Variable Byte Integer, and so the largest remaining length. */
export const MAX_VARINT = 268_435_455;

export function varintSize(v: number): number {
  if (v < 128) return 1;
  if (v < 16_384) return 2;
  if (v < 2_097_152) return 3;
  if (v <= MAX_VARINT) return 4;
  throw new RangeError(`${v} does not fit a variable byte integer`);
}

/** Size of a UTF-8 Encoded String field; refuses strings over 65535 bytes. */
export function utf8Size(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  if (n > 0xffff) throw new RangeError('MQTT string longer than 65535 bytes');
  return 2 + n;
}

export function binarySize(b: Uint8Array): number {
  if (b.length > 0xffff) throw new RangeError('MQTT binary field over 65535 bytes');
  return 2 + b.length;
}
