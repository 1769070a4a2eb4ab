/**
 * The parts of an OCSP response (RFC 6960) and of X.509 certificates that
 * the stapling check needs, read with the DER reader. Only the "basic"
 * response type exists in practice, so only it is read.
 *
 *   OCSPResponse  = SEQ { status ENUMERATED, [0] { SEQ { type OID,
 *                         response OCTET STRING (BasicOCSPResponse) } } }
 *   Basic         = SEQ { tbs ResponseData, sigAlg, signature BIT STRING,
 *                         [0] SEQ OF Certificate (optional) }
 *   ResponseData  = SEQ { [0] version?, responderID, producedAt,
 *                         SEQ OF SingleResponse, [1] extensions? }
 *   Single        = SEQ { CertID, status, thisUpdate, [0] nextUpdate?,
 *                         [1] extensions? }
 *   Extensions    = SEQ OF SEQ { id OID, critical BOOLEAN?, value }
 *   CertID        = SEQ { hashAlg, issuerNameHash, issuerKeyHash, serial }
 */
import {
  children,
  context,
  contextPrimitive,
  type Der,
  DerError,
  expect,
  oid,
  readWhole,
  smallInt,
  Tag,
  time,
} from './der.js';

const BASIC_RESPONSE = '1.3.6.1.5.5.7.48.1.1';

/** The response status of a reply that carries no answer. */
export const RESPONSE_STATUS: Record<number, string> = {
  0: 'successful',
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

export interface CertId {
  /** The OID of the hash of the two issuer fields. */
  hashAlgorithm: string;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  /** The INTEGER's content octets. */
  serial: Buffer;
}

export interface SingleResponse {
  certId: CertId;
  status: 'good' | 'revoked' | 'unknown';
  /** CRLReason of a revoked certificate, when the response gives one. */
  revocationReason?: number;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** OIDs of the extensions of this answer marked critical. */
  critical: string[];
}

export interface BasicResponse {
  /** The signed bytes: ResponseData, tag and length included. */
  tbs: Buffer;
  signatureAlgorithm: string;
  signature: Buffer;
  /** DER certificates sent along (a delegated responder's). */
  certs: Buffer[];
  responses: SingleResponse[];
  /** OIDs of the response's own extensions marked critical. */
  critical: string[];
}

export type ParsedResponse =
  | { status: 0; basic: BasicResponse }
  | { status: number; basic?: undefined };

/** Reads a whole OCSPResponse; throws DerError if it is malformed. */
export function parseOcspResponse(bytes: Buffer): ParsedResponse {
  const [status, wrapped] = children(readWhole(bytes, Tag.Sequence));
  const code = smallInt(expect(status, Tag.Enumerated));
  if (code !== 0) return { status: code };
  const [responseBytes] = children(expect(wrapped, context(0)));
  const [type, octets] = children(expect(responseBytes, Tag.Sequence));
  if (oid(type!) !== BASIC_RESPONSE) throw new DerError('not a basic OCSP response');
  const inner = expect(octets, Tag.OctetString).content;
  return { status: 0, basic: parseBasic(readWhole(inner, Tag.Sequence)) };
}

function parseBasic(der: Der): BasicResponse {
  const [tbs, sigAlg, signature, certs] = children(der);
  const bits = expect(signature, Tag.BitString).content;
  // The first octet counts the unused bits of the last one: always 0 here.
  if (bits[0] !== 0) throw new DerError('signature is not whole octets');
  const list = certs === undefined ? [] : children(expect(certs, context(0)));
  return {
    tbs: expect(tbs, Tag.Sequence).bytes,
    signatureAlgorithm: algorithm(sigAlg),
    signature: bits.subarray(1),
    certs:
      list.length === 0
        ? []
        : children(expect(list[0], Tag.Sequence)).map((c) => c.bytes),
    ...responseList(tbs),
  };
}

function responseList(tbs: Der) {
  let fields = children(tbs);
  if (fields[0]?.tag === context(0)) fields = fields.slice(1);
  // responderID, producedAt, the responses, then the extensions if any.
  return {
    responses: children(expect(fields[2], Tag.Sequence)).map(parseSingle),
    critical: criticalExtensions(fields[3]),
  };
}

/** The OIDs of the critical extensions in a [1] EXPLICIT Extensions. */
function criticalExtensions(der: Der | undefined): string[] {
  if (der === undefined) return [];
  const [list] = children(expect(der, context(1)));
  return children(expect(list, Tag.Sequence))
    .map((ext) => children(expect(ext, Tag.Sequence)))
    .filter(([, flag]) => flag?.tag === Tag.Boolean && flag.content[0] !== 0)
    .map(([id]) => oid(expect(id, Tag.Oid)));
}

function parseSingle(der: Der): SingleResponse {
  const fields = children(expect(der, Tag.Sequence));
  const [certId, status, thisUpdate, next] = fields;
  const single: SingleResponse = {
    certId: parseCertId(certId),
    status: 'unknown',
    thisUpdate: time(thisUpdate),
    critical: criticalExtensions(fields.slice(3).find((f) => f.tag === context(1))),
  };
  if (status?.tag === contextPrimitive(0)) single.status = 'good';
  else if (status?.tag === context(1)) {
    single.status = 'revoked';
    const [, reason] = children(status);
    if (reason?.tag === context(0)) {
      single.revocationReason = smallInt(expect(children(reason)[0], Tag.Enumerated));
    }
  } else expect(status, contextPrimitive(2));
  if (next?.tag === context(0)) single.nextUpdate = time(children(next)[0]);
  return single;
}

function parseCertId(der: Der | undefined): CertId {
  const [alg, nameHash, keyHash, serial] = children(expect(der, Tag.Sequence));
  return {
    hashAlgorithm: algorithm(alg),
    issuerNameHash: expect(nameHash, Tag.OctetString).content,
    issuerKeyHash: expect(keyHash, Tag.OctetString).content,
    serial: expect(serial, Tag.Integer).content,
  };
}

/** The OID of an AlgorithmIdentifier. */
function algorithm(der: Der | undefined): string {
  return oid(children(expect(der, Tag.Sequence))[0]!);
}

/** What a CertID is computed from, taken from certificates. */
export interface CertFields {
  serial: Buffer;
  /** The issuer Name, whole (tag and length too), as CertID hashes it. */
  issuerName: Buffer;
  /** The subjectPublicKey bits, without the unused-bits octet. */
  publicKey: Buffer;
}

/** Serial, issuer name and public key of a DER certificate. */
export function certFields(cert: Buffer): CertFields {
  const [tbs] = children(readWhole(cert, Tag.Sequence));
  let fields = children(expect(tbs, Tag.Sequence));
  if (fields[0]?.tag === context(0)) fields = fields.slice(1);
  // serial, signature, issuer, validity, subject, subjectPublicKeyInfo
  const spki = children(expect(fields[5], Tag.Sequence));
  return {
    serial: expect(fields[0], Tag.Integer).content,
    issuerName: expect(fields[2], Tag.Sequence).bytes,
    publicKey: expect(spki[1], Tag.BitString).content.subarray(1),
  };
}
