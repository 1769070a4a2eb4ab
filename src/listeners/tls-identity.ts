/**
 * Usernames from client certificates, as Mosquitto makes them.
 *
 * use_identity_as_username takes the first commonName of the subject.
 * use_subject_as_username takes the whole subject in OpenSSL's RFC 2253
 * form: RDNs last-first, joined by ",", multi-valued RDNs joined by "+",
 * the characters , + " \ < > ; and leading # or space escaped with "\",
 * and control characters and every byte of a non-ASCII character as "\XX":
 * `CN=client one,OU=Dev,O=Midge\, Ltd,C=GB`.
 */
import type { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';

/**
 * Node prints a subject one RDN per line, first-first, with RFC 2253
 * escapes but UTF-8 kept and " + " between the parts of a multi-valued
 * RDN (OpenSSL's multi-line flags). OpenSSL's RFC 2253 form reverses the
 * attributes one by one (so inside a multi-valued RDN too) and escapes
 * the non-ASCII bytes.
 *
 * LIMIT(compat): an attribute type OpenSSL has no name for is printed as
 * its dotted OID with a text value, where Mosquitto dumps it as #hex DER.
 */
export function subjectAsUsername(cert: X509Certificate): string {
  return cert.subject
    .split('\n')
    .filter((rdn) => rdn !== '')
    .reverse()
    .map((rdn) => rdn.split(' + ').reverse().join('+'))
    .join(',')
    .replace(/[^\x00-\x7f]/gu, escapeUtf8);
}

function escapeUtf8(char: string): string {
  let out = '';
  for (const byte of Buffer.from(char, 'utf8')) {
    out += `\\${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The first commonName, or undefined when there is none or it holds a
 * NUL (which would cut the name short in C, so Mosquitto refuses it).
 */
export function commonName(cert: PeerCertificate): string | undefined {
  const cn: string | string[] | undefined = cert.subject?.CN;
  const first = Array.isArray(cn) ? cn[0] : cn;
  if (first === undefined || first.includes('\0')) return undefined;
  return first;
}
