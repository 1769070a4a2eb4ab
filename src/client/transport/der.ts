/**
 * A small reader of DER (the binary encoding of X.509 and OCSP): just
 * enough to walk an OCSP response and the few certificate fields its
 * check needs. It copies nothing: every element is a view into the input.
 * Anything malformed (a length past the end, an indefinite length, an
 * unexpected tag) throws DerError, so a hostile server's bytes can only
 * make the check fail.
 */

export class DerError extends Error {}

/** One element: its identifier octet, its whole encoding and its value. */
export interface Der {
  tag: number;
  /** Tag, length and value: what a signature covers. */
  bytes: Buffer;
  content: Buffer;
}

export const Tag = {
  Boolean: 0x01,
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Enumerated: 0x0a,
  UtcTime: 0x17,
  GeneralizedTime: 0x18,
  Sequence: 0x30,
} as const;

/** [n] of a constructed (EXPLICIT or SEQUENCE-like) context tag. */
export const context = (n: number): number => 0xa0 | n;
/** [n] of a primitive (IMPLICIT over a primitive type) context tag. */
export const contextPrimitive = (n: number): number => 0x80 | n;

/** The element at `offset` of `buf`. */
export function readDer(buf: Buffer, offset = 0): Der {
  if (offset + 2 > buf.length) throw new DerError('truncated element');
  const tag = buf[offset]!;
  // High tag numbers (0x1f) never occur in the structures read here.
  if ((tag & 0x1f) === 0x1f) throw new DerError('unsupported tag');
  let length = buf[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    // DER forbids the indefinite form (0x80); 4 octets are plenty here.
    if (octets === 0 || octets > 4) throw new DerError('bad length');
    if (start + octets > buf.length) throw new DerError('truncated length');
    length = buf.readUIntBE(start, octets);
    start += octets;
  }
  const end = start + length;
  if (end > buf.length) throw new DerError('element past the end');
  return { tag, bytes: buf.subarray(offset, end), content: buf.subarray(start, end) };
}

/** The element `buf` holds, which must fill it exactly. */
export function readWhole(buf: Buffer, tag: number): Der {
  const der = expect(readDer(buf), tag);
  if (der.bytes.length !== buf.length) throw new DerError('bytes after the element');
  return der;
}

/** The elements inside a constructed element, in order. */
export function children(der: Der): Der[] {
  if ((der.tag & 0x20) === 0) throw new DerError('not a constructed element');
  const out: Der[] = [];
  let offset = 0;
  while (offset < der.content.length) {
    const child = readDer(der.content, offset);
    out.push(child);
    offset += child.bytes.length;
  }
  return out;
}

/** `der`, after checking its tag. */
export function expect(der: Der | undefined, tag: number): Der {
  if (der === undefined) throw new DerError('missing element');
  if (der.tag !== tag) {
    throw new DerError(`tag 0x${der.tag.toString(16)} where 0x${tag.toString(16)}`);
  }
  return der;
}

/** Dotted text of an OBJECT IDENTIFIER. */
export function oid(der: Der): string {
  const bytes = expect(der, Tag.Oid).content;
  if (bytes.length === 0) throw new DerError('empty OID');
  const first = bytes[0]!;
  const parts: number[] = [Math.min(2, Math.floor(first / 40))];
  parts.push(first - parts[0]! * 40);
  let value = 0;
  for (let i = 1; i < bytes.length; i++) {
    const b = bytes[i]!;
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** A small non-negative INTEGER or ENUMERATED. */
export function smallInt(der: Der): number {
  const bytes = der.content;
  if (bytes.length === 0 || bytes.length > 4) throw new DerError('bad integer');
  return bytes.readUIntBE(0, bytes.length);
}

/** GeneralizedTime (YYYYMMDDHHMMSSZ) or UTCTime (YYMMDDHHMMSSZ), as UTC. */
export function time(der: Der | undefined): Date {
  // A hostile response may leave the time out: refuse it as malformed.
  if (der === undefined) throw new DerError('missing time');
  const utc = der.tag === Tag.UtcTime;
  if (!utc && der.tag !== Tag.GeneralizedTime) throw new DerError('not a time');
  const text = der.content.toString('latin1');
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text);
  if (m === null || m[1]!.length !== (utc ? 2 : 4)) {
    throw new DerError(`bad time ${JSON.stringify(text)}`);
  }
  let year = Number(m[1]);
  // X.509's rule for two-digit years: 50-99 are the 1900s.
  if (utc) year += year >= 50 ? 1900 : 2000;
  const [month, day, h, min, s] = m.slice(2, 7).map(Number) as number[];
  return new Date(Date.UTC(year, month! - 1, day, h, min, s));
}
