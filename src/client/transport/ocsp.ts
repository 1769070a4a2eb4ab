/**
 * The check behind `tls.requireOcsp` (Mosquitto's bridge_require_ocsp):
 * the server must staple an OCSP response that
 *
 *   1. parses, with status "successful" and the basic response type;
 *   2. is signed by the issuer of the server certificate, or by a
 *      responder certificate that issuer signed for OCSP signing;
 *   3. has an answer for that very certificate (issuer name hash, issuer
 *      key hash, serial number);
 *   4. says "good";
 *   5. is current: thisUpdate not in the future and nextUpdate, if given,
 *      not past, each with five minutes' grace for clocks that differ, as
 *      Mosquitto allows;
 *   6. has no critical extension that midge does not know, in the
 *      response or in that answer (RFC 6960 4.4: such a response must
 *      not be relied on).
 *
 * The reasons use Mosquitto's "OCSP: ..." wording where it has one
 * (observed with 2.0.11). Mosquitto does not check step 3: it accepts a
 * good response for another certificate of the same issuer; midge does not.
 */
import { createHash, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { DerError } from './der.js';
import {
  type BasicResponse,
  type CertFields,
  certFields,
  parseOcspResponse,
  RESPONSE_STATUS,
  type SingleResponse,
} from './ocsp-parse.js';

/** Clock difference tolerated between this host and the responder. */
const GRACE_MS = 5 * 60 * 1000;

const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/**
 * Extensions understood, so harmless even when critical: the nonce only
 * matters to a client that sent one, and a stapling client cannot.
 */
const KNOWN_EXTENSIONS = new Set(['1.3.6.1.5.5.7.48.1.2']);

/** CertID hash algorithms. */
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Signature algorithms: the hash crypto.verify takes (null: none). */
const SIGNATURES: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
  '1.3.101.113': null,
};
// LIMIT(feature): RSASSA-PSS signatures (their parameters name the hash)
// are not understood, so a response signed that way is refused.

const CRL_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'unused',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

export interface OcspSubject {
  /** The stapled response; undefined when none came. */
  response: Buffer | undefined;
  /** The server certificate, DER; undefined when none came (PSK). */
  cert: Buffer | undefined;
  /** Its issuer's certificate, DER; undefined when unknown. */
  issuer: Buffer | undefined;
  /** For tests: the time to judge by, ms since the epoch. */
  now?: number;
}

/** Null when the stapled response vouches for the certificate, else why not. */
export function ocspProblem(subject: OcspSubject): string | null {
  const { response, cert, issuer } = subject;
  if (response === undefined || response.length === 0) {
    return 'OCSP: no response';
  }
  if (cert === undefined) return 'OCSP: the server sent no certificate';
  if (issuer === undefined)
    return 'OCSP: the issuer of the server certificate is unknown';
  try {
    const parsed = parseOcspResponse(response);
    if (parsed.basic === undefined) {
      const name = RESPONSE_STATUS[parsed.status] ?? 'unknown';
      return `OCSP: invalid status: ${name} (${parsed.status})`;
    }
    return check(parsed.basic, cert, issuer, subject.now ?? Date.now());
  } catch (error) {
    if (error instanceof DerError) return `OCSP: invalid response (${error.message})`;
    throw error;
  }
}

function check(basic: BasicResponse, cert: Buffer, issuer: Buffer, now: number) {
  const issuerCert = new X509Certificate(issuer);
  if (!trustedSigner(basic, issuerCert, now)) {
    return 'OCSP: response verification failed';
  }
  const ours = certFields(cert);
  const single = basic.responses.find((r) => names(r, ours, issuer));
  if (single === undefined) return 'OCSP: no response for the server certificate';
  const unknown = [...basic.critical, ...single.critical].find(
    (id) => !KNOWN_EXTENSIONS.has(id),
  );
  if (unknown !== undefined) return `OCSP: unsupported critical extension ${unknown}`;
  if (single.status === 'revoked') {
    const code = single.revocationReason;
    const name = code === undefined ? '' : (CRL_REASONS[code] ?? 'unknown');
    const reason = code === undefined ? '' : `, revocation reason: ${name} (${code})`;
    return `OCSP: SSL certificate status: revoked (1)${reason}`;
  }
  if (single.status === 'unknown') return 'OCSP: SSL certificate status: unknown (2)';
  if (single.thisUpdate.getTime() > now + GRACE_MS) {
    return 'OCSP: OCSP response is not yet valid';
  }
  const next = single.nextUpdate?.getTime();
  if (next !== undefined && next < now - GRACE_MS) {
    return 'OCSP: OCSP response has expired';
  }
  return null;
}

/** The issuer signed the response, or a responder it delegated to did. */
function trustedSigner(basic: BasicResponse, issuer: X509Certificate, now: number) {
  if (signedBy(basic, issuer.publicKey)) return true;
  return basic.certs.some((der) => {
    const responder = readCert(der);
    return (
      responder !== null &&
      delegated(responder, issuer, now) &&
      signedBy(basic, responder.publicKey)
    );
  });
}

/** Issued by `issuer`, for OCSP signing, and valid now. */
function delegated(responder: X509Certificate, issuer: X509Certificate, now: number) {
  // Node lists the extended key usages under the name keyUsage.
  const usages: string[] = responder.keyUsage ?? [];
  return (
    responder.checkIssued(issuer) &&
    responder.verify(issuer.publicKey) &&
    usages.includes(OCSP_SIGNING) &&
    Date.parse(responder.validFrom) <= now &&
    now <= Date.parse(responder.validTo)
  );
}

function signedBy(basic: BasicResponse, key: KeyObject): boolean {
  const hash = SIGNATURES[basic.signatureAlgorithm];
  if (hash === undefined) return false;
  try {
    return verify(hash, basic.tbs, key, basic.signature);
  } catch {
    // A key of another type than the signature's: not this signer.
    return false;
  }
}

function readCert(der: Buffer): X509Certificate | null {
  try {
    return new X509Certificate(der);
  } catch {
    return null;
  }
}

/** The single response's CertID names our certificate. */
function names(single: SingleResponse, ours: CertFields, issuer: Buffer): boolean {
  const id = single.certId;
  const hash = HASHES[id.hashAlgorithm];
  if (hash === undefined || !id.serial.equals(ours.serial)) return false;
  const digest = (data: Buffer) => createHash(hash).update(data).digest();
  return (
    id.issuerNameHash.equals(digest(ours.issuerName)) &&
    id.issuerKeyHash.equals(digest(certFields(issuer).publicKey))
  );
}
