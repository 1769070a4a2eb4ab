/**
 * OCSP responses for the stapling tests, made by `openssl ocsp` from an
 * index.txt beside the certificates of makeCerts(), and a TLS server that
 * staples one of them in front of a plain MQTT port.
 *
 * `openssl ocsp` always dates a response from now, so the expired one is
 * a good response with its times moved two days back and signed again.
 */
import { sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { children, readDer, Tag } from '../../src/client/transport/der.js';
import { type Certs, openssl, request, signX509 } from './certs.js';

export interface OcspResponses {
  good: Buffer;
  revoked: Buffer;
  /** Good, but for the certificate of other.example. */
  otherCert: Buffer;
  /** Good, but signed by the stranger's key, not the CA's. */
  wrongKey: Buffer;
  /** Good, signed by a responder the CA made for OCSP signing. */
  delegated: Buffer;
  /** Good, signed by a CA-issued certificate without the OCSP-signing EKU. */
  notDelegated: Buffer;
  /** Good, but its nextUpdate was yesterday. */
  expired: Buffer;
}

const serialOf = (dir: string, name: string): string => {
  const out = join(dir, `${name}.serial`);
  openssl(dir, ['x509', '-in', `${name}.crt`, '-noout', '-serial', '-out', out]);
  return readFileSync(out, 'latin1').trim().split('=')[1]!;
};

/** An index.txt line: V (valid) or R (revoked, for key compromise). */
function indexLine(dir: string, name: string, revoked: boolean): string {
  const state = revoked ? 'R' : 'V';
  const when = revoked ? '240101000000Z,keyCompromise' : '';
  return `${state}\t301231000000Z\t${when}\t${serialOf(dir, name)}\tunknown\t/CN=${name}\n`;
}

/** `openssl ocsp` answering for <cert>.crt, signed by <signer>.crt/key. */
function respond(dir: string, index: string, cert: string, signer: string): Buffer {
  writeFileSync(join(dir, 'index.txt'), index);
  const out = `ocsp-${cert}-${signer}.der`;
  openssl(dir, [
    'ocsp',
    ...['-index', 'index.txt', '-CA', 'ca.crt', '-issuer', 'ca.crt'],
    ...['-rsigner', `${signer}.crt`, '-rkey', `${signer}.key`],
    ...['-cert', `${cert}.crt`, '-respout', out, '-ndays', '1'],
  ]);
  return readFileSync(join(dir, out));
}

/** A certificate from the CA with one extension line (for responders). */
function issue(dir: string, name: string, extension: string): void {
  request(dir, name, `/CN=${name}`);
  writeFileSync(join(dir, `${name}.ext`), `${extension}\n`);
  signX509(dir, name, 'ca', ['-days', '2', '-extfile', `${name}.ext`]);
}

export function makeOcspResponses(certs: Certs): OcspResponses {
  const dir = certs.dir;
  issue(dir, 'responder', 'extendedKeyUsage=OCSPSigning');
  issue(dir, 'plain', 'basicConstraints=CA:FALSE');
  const good = indexLine(dir, 'server', false);
  const goodResponse = respond(dir, good, 'server', 'ca');
  return {
    good: goodResponse,
    revoked: respond(dir, indexLine(dir, 'server', true), 'server', 'ca'),
    otherCert: respond(dir, indexLine(dir, 'other', false), 'other', 'ca'),
    wrongKey: respond(dir, good, 'server', 'stranger'),
    delegated: respond(dir, good, 'server', 'responder'),
    notDelegated: respond(dir, good, 'server', 'plain'),
    expired: redate(goodResponse, readFileSync(join(dir, 'ca.key'))),
  };
}

/** DER tag-length-value. */
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : lengthOf(n);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

function lengthOf(n: number): Buffer {
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `response` with every time two days earlier, signed again with `key`. */
function redate(response: Buffer, key: Buffer): Buffer {
  const [, wrapped] = children(readDer(response));
  const [responseBytes] = children(wrapped!);
  const [, octets] = children(responseBytes!);
  const [tbs] = children(readDer(octets!.content));
  const newTbs = Buffer.from(tbs!.bytes);
  const text = newTbs.toString('latin1');
  // GeneralizedTime: tag 0x18, length 15, YYYYMMDDHHMMSSZ.
  for (const m of text.matchAll(/\x18\x0f(\d{14})Z/g)) {
    const old = m[1]!;
    const iso = `${old.slice(0, 4)}-${old.slice(4, 6)}-${old.slice(6, 8)}T${old.slice(8, 10)}:${old.slice(10, 12)}:${old.slice(12, 14)}Z`;
    const earlier = new Date(Date.parse(iso) - 2 * DAY_MS).toISOString();
    const digits = earlier.replace(/[-:T]/g, '').slice(0, 14);
    newTbs.write(digits, m.index! + 2, 'latin1');
  }
  return signAgain(response, newTbs, key);
}

/** `response` with `tbs` for its ResponseData, signed with `key` (sha256). */
function signAgain(response: Buffer, tbs: Buffer, key: Buffer): Buffer {
  const [status, wrapped] = children(readDer(response));
  const [responseBytes] = children(wrapped!);
  const [type, octets] = children(responseBytes!);
  const [, sigAlg, , certs] = children(readDer(octets!.content));
  const signature = sign('sha256', tbs, key);
  const basic = tlv(
    Tag.Sequence,
    Buffer.concat([
      tbs,
      sigAlg!.bytes,
      tlv(Tag.BitString, Buffer.concat([Buffer.from([0]), signature])),
      ...(certs === undefined ? [] : [certs.bytes]),
    ]),
  );
  const inner = tlv(
    Tag.Sequence,
    Buffer.concat([type!.bytes, tlv(Tag.OctetString, basic)]),
  );
  return tlv(Tag.Sequence, Buffer.concat([status!.bytes, tlv(0xa0, inner)]));
}

/**
 * The encoded fields of a ResponseData and of each of its
 * SingleResponses, for a test to change before editResponse() signs them
 * again.
 */
export interface ResponseFields {
  /** Without the list of responses: [version?], responderID, producedAt... */
  tbs: Buffer[];
  /** Where the list of responses goes back among `tbs`. */
  at: number;
  singles: Buffer[][];
}

/** `response` changed by `edit` and signed again with `key`. */
export function editResponse(
  response: Buffer,
  key: Buffer,
  edit: (fields: ResponseFields) => void,
): Buffer {
  const [, wrapped] = children(readDer(response));
  const [responseBytes] = children(wrapped!);
  const [, octets] = children(responseBytes!);
  const [tbs] = children(readDer(octets!.content));
  const tbsFields = children(tbs!).map((f) => Buffer.from(f.bytes));
  const at = tbs!.content[0] === 0xa0 ? 3 : 2;
  const list = readDer(tbsFields[at]!);
  const fields: ResponseFields = {
    tbs: tbsFields.filter((_, i) => i !== at),
    at,
    singles: children(list).map((s) => children(s).map((f) => Buffer.from(f.bytes))),
  };
  edit(fields);
  const singles = fields.singles.map((f) => tlv(Tag.Sequence, Buffer.concat(f)));
  const all = [...fields.tbs];
  all.splice(fields.at, 0, tlv(Tag.Sequence, Buffer.concat(singles)));
  return signAgain(response, tlv(Tag.Sequence, Buffer.concat(all)), key);
}

/** DER tag-length-value, for tests that build fields. */
export { tlv };

/**
 * A TLS server with the server certificate of `certs` that staples
 * `staple()` (nothing when it returns null) and relays each connection
 * to the plain MQTT port `target` of 127.0.0.1.
 */
export async function staplingFront(
  certs: Certs,
  target: number,
  staple: () => Buffer | null,
): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const server = createServer({ cert: certs.serverCert, key: certs.serverKey }, (s) => {
    const upstream = netConnect(target, '127.0.0.1');
    s.on('error', () => upstream.destroy());
    upstream.on('error', () => s.destroy());
    s.pipe(upstream).pipe(s);
  });
  server.on('OCSPRequest', (_cert, _issuer, done) => done(null, staple()));
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { port, server, close };
}
