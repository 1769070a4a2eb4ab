/**
 * HAProxy's PROXY protocol, versions 1 (a text line) and 2 (binary), as a
 * load balancer puts it before the first byte of the client's own stream.
 * Pure parsing: bytes in, the client's address and TLS facts out. The
 * socket side is in ./proxy-reader.ts.
 *
 * Version 1: `PROXY TCP4 <src> <dst> <sport> <dport>\r\n`, at most 107
 * bytes; `PROXY UNKNOWN ...\r\n` keeps the socket's own address.
 * Version 2: a 12-byte signature, version/command, family, a 16-bit
 * length, the addresses, then type-length-value records; the SSL record
 * says whether the client used TLS, whether its certificate was verified,
 * and its certificate's common name.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface ProxyHeader {
  /** Bytes the header took; what follows belongs to the client. */
  length: number;
  /** The client's address; undefined = keep the socket's (UNKNOWN, LOCAL). */
  address?: string;
  port?: number;
  /** v2: the client reached the proxy over TLS. */
  tls: boolean;
  /** v2: the client presented a certificate the proxy verified. */
  certificate: boolean;
  commonName?: string;
  tlsVersion?: string;
  cipher?: string;
}

export type ProxyParse =
  | { kind: 'more' }
  | { kind: 'bad'; reason: string }
  | { kind: 'ok'; header: ProxyHeader };

const MORE: ProxyParse = { kind: 'more' };
const bad = (reason: string): ProxyParse => ({ kind: 'bad', reason });

// ---- version 1 -----------------------------------------------------------

const V1_PREFIX = Buffer.from('PROXY ');
/** The longest v1 line, CRLF included. */
const V1_MAX = 107;

export function parseProxyV1(buf: Buffer): ProxyParse {
  const prefix = Math.min(buf.length, V1_PREFIX.length);
  if (buf.compare(V1_PREFIX, 0, prefix, 0, prefix) !== 0) return bad('not PROXY v1');
  const end = buf.indexOf('\r\n');
  if (end < 0) return buf.length >= V1_MAX ? bad('line too long') : MORE;
  if (end + 2 > V1_MAX) return bad('line too long');
  const words = buf.toString('latin1', V1_PREFIX.length, end).split(' ');
  const length = end + 2;
  if (words[0] === 'UNKNOWN') {
    return { kind: 'ok', header: { length, tls: false, certificate: false } };
  }
  if (words.length !== 5) return bad('expected 5 fields');
  const [proto, src, dst, sport, dport] = words as [
    string,
    string,
    string,
    string,
    string,
  ];
  const isIp = proto === 'TCP4' ? isIPv4 : proto === 'TCP6' ? isIPv6 : undefined;
  if (isIp === undefined) return bad(`unknown protocol ${proto}`);
  if (!isIp(src) || !isIp(dst)) return bad('bad address');
  const port = portOf(sport);
  if (port === undefined || portOf(dport) === undefined) return bad('bad port');
  const header = { length, address: src, port, tls: false, certificate: false };
  return { kind: 'ok', header };
}

function portOf(word: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(word)) return undefined;
  const n = Number(word);
  // Mosquitto refuses port 0 as well.
  return n >= 1 && n <= 65535 ? n : undefined;
}

// ---- version 2 -----------------------------------------------------------

export const V2_SIGNATURE = Buffer.from([
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
]);
const V2_FIXED = 16;

export enum V2Command {
  Local = 0x0,
  Proxy = 0x1,
}

export enum V2Family {
  Unspec = 0x00,
  Tcp4 = 0x11,
  Tcp6 = 0x21,
  UnixStream = 0x31,
}

export enum V2Tlv {
  Ssl = 0x20,
  SslVersion = 0x21,
  SslCn = 0x22,
  SslCipher = 0x23,
}

/** Bits of the SSL record's client field. */
export enum V2Client {
  Ssl = 0x01,
  CertConn = 0x02,
  CertSess = 0x04,
}

/** Address block sizes by family. */
const ADDRESS_BYTES: Record<number, number> = {
  [V2Family.Tcp4]: 12,
  [V2Family.Tcp6]: 36,
  [V2Family.UnixStream]: 216,
};

export function parseProxyV2(buf: Buffer): ProxyParse {
  const prefix = Math.min(buf.length, V2_SIGNATURE.length);
  if (buf.compare(V2_SIGNATURE, 0, prefix, 0, prefix) !== 0) return bad('not PROXY v2');
  if (buf.length < V2_FIXED) return MORE;
  const version = buf[12]! >> 4;
  const command = buf[12]! & 0x0f;
  const family = buf[13]!;
  const length = V2_FIXED + buf.readUInt16BE(14);
  if (version !== 2) return bad(`version ${version}`);
  if (command !== V2Command.Local && command !== V2Command.Proxy) {
    return bad(`command ${command}`);
  }
  if (buf.length < length) return MORE;
  // LOCAL: the proxy's own connection (a health check); the spec says to
  // use the real endpoints and ignore the rest of the block.
  if (command === V2Command.Local) {
    return { kind: 'ok', header: { length, tls: false, certificate: false } };
  }
  const addressBytes = ADDRESS_BYTES[family];
  if (addressBytes === undefined) return bad(`family 0x${family.toString(16)}`);
  if (length - V2_FIXED < addressBytes) return bad('address block too short');
  const header: ProxyHeader = { length, tls: false, certificate: false };
  readAddress(buf.subarray(V2_FIXED), family, header);
  const tlvError = readTlvs(buf.subarray(V2_FIXED + addressBytes, length), header);
  return tlvError ? bad(tlvError) : { kind: 'ok', header };
}

function readAddress(block: Buffer, family: number, header: ProxyHeader): void {
  if (family === V2Family.Tcp4) {
    header.address = [...block.subarray(0, 4)].join('.');
    header.port = block.readUInt16BE(8);
  } else if (family === V2Family.Tcp6) {
    header.address = ipv6Text(block.subarray(0, 16));
    header.port = block.readUInt16BE(32);
  } else {
    const path = block.subarray(0, 108);
    const nul = path.indexOf(0);
    header.address = path.toString('utf8', 0, nul < 0 ? 108 : nul);
    header.port = 0;
  }
}

/** Compressed IPv6 text, as inet_ntop writes it. */
function ipv6Text(bytes: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
  // The longest run of two or more zero groups becomes "::".
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  const head = hex.slice(0, bestAt).join(':');
  const tail = hex.slice(bestAt + bestLen).join(':');
  return `${head}::${tail}`;
}

/** Walks type-length-value records; returns an error text or undefined. */
function readTlvs(tlvs: Buffer, header: ProxyHeader): string | undefined {
  let at = 0;
  while (at < tlvs.length) {
    if (tlvs.length - at < 3) return 'truncated TLV';
    const type = tlvs[at]!;
    const len = tlvs.readUInt16BE(at + 1);
    const value = tlvs.subarray(at + 3, at + 3 + len);
    if (value.length < len) return 'TLV longer than the header';
    if (type === V2Tlv.Ssl) {
      const error = readSsl(value, header);
      if (error) return error;
    }
    at += 3 + len;
  }
  return undefined;
}

function readSsl(value: Buffer, header: ProxyHeader): string | undefined {
  if (value.length < 5) return 'SSL TLV too short';
  const client = value[0]!;
  const verify = value.readUInt32BE(1);
  header.tls = (client & V2Client.Ssl) !== 0;
  const presented = (client & (V2Client.CertConn | V2Client.CertSess)) !== 0;
  // verify is 0 when the proxy verified the certificate successfully.
  header.certificate = header.tls && presented && verify === 0;
  const subs: ProxyHeader = { length: 0, tls: false, certificate: false };
  let at = 5;
  while (at < value.length) {
    if (value.length - at < 3) return 'truncated SSL sub-TLV';
    const type = value[at]!;
    const len = value.readUInt16BE(at + 1);
    const text = value.subarray(at + 3, at + 3 + len);
    if (text.length < len) return 'SSL sub-TLV longer than its record';
    if (type === V2Tlv.SslVersion) subs.tlsVersion = text.toString('utf8');
    else if (type === V2Tlv.SslCn) subs.commonName = text.toString('utf8');
    else if (type === V2Tlv.SslCipher) subs.cipher = text.toString('utf8');
    at += 3 + len;
  }
  header.tlsVersion = subs.tlsVersion;
  header.commonName = subs.commonName;
  header.cipher = subs.cipher;
  return undefined;
}
