/**
 * A listener's TLS settings, and the node:tls options made from them.
 *
 * Files are read here, at start and on reloadCertificates(), and each is
 * checked on its own so a bad one is named in the error, in Mosquitto's
 * words ("Unable to load server certificate ... Check certfile.").
 *
 * Client certificates are requested (require_certificate) but not checked
 * by node:tls itself: Node only decides after the handshake anyway, and
 * deciding here lets the listener log why and honour
 * disable_client_cert_date_checks. No public root CA is ever trusted for
 * client certificates: only cafile and capath.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, DEFAULT_CIPHERS, type TlsOptions } from 'node:tls';

export interface TlsSpec {
  certfile?: string;
  keyfile?: string;
  cafile?: string;
  capath?: string;
  /** Cipher list for TLS 1.2 and older (and PSK). */
  ciphers?: string;
  /** TLS 1.3 cipher suites. */
  ciphersTls13?: string;
  crlfile?: string;
  dhparamfile?: string;
  /** tls_version: the lowest version allowed; default tlsv1.2. */
  tlsVersion?: string;
  requireCertificate: boolean;
  useIdentityAsUsername: boolean;
  useSubjectAsUsername: boolean;
  disableClientCertDateChecks: boolean;
  /** TLS-PSK in place of certificates (psk_hint). */
  psk?: { hint: string; file?: string };
  /** tls_engine and friends: not supported, refused at start. */
  engine?: string;
}

export class TlsConfigError extends Error {}

const VERSIONS: Readonly<Record<string, TlsOptions['minVersion']>> = {
  'tlsv1.3': 'TLSv1.3',
  'tlsv1.2': 'TLSv1.2',
  // LIMIT(compat): OpenSSL 3 refuses TLS 1.1 at its default security
  // level; a cipher list ending in ":@SECLEVEL=0" lets it through.
  'tlsv1.1': 'TLSv1.1',
};

/** OpenSSL's TLS 1.3 suites, used when only `ciphers` is given. */
const TLS13_DEFAULT =
  'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';
/** Node's TLS 1.2 list; it leaves PSK out, so PSK listeners use OpenSSL's. */
const TLS12_DEFAULT = DEFAULT_CIPHERS.split(':')
  .filter((c) => !c.startsWith('TLS_'))
  .join(':');
const PSK_DEFAULT = 'DEFAULT:!aNULL:!eNULL:!LOW:!EXPORT:!SSLv2:@STRENGTH';

/**
 * Reads every file the settings name and returns the options for
 * tls.createServer / setSecureContext. Throws TlsConfigError.
 */
export function serverTlsOptions(spec: TlsSpec): TlsOptions {
  if (spec.engine !== undefined) {
    throw new TlsConfigError(`tls_engine "${spec.engine}" is not supported by midge.`);
  }
  const minVersion = VERSIONS[spec.tlsVersion ?? 'tlsv1.2'];
  if (minVersion === undefined) {
    throw new TlsConfigError(`Unsupported tls_version "${spec.tlsVersion}".`);
  }
  const options: TlsOptions = {
    minVersion,
    maxVersion: 'TLSv1.3',
    ciphers: cipherString(spec),
    honorCipherOrder: true,
    requestCert: spec.psk === undefined && spec.requireCertificate,
    rejectUnauthorized: false,
    ca: caCertificates(spec),
  };
  const list = spec.ciphers ?? spec.ciphersTls13;
  checkPart(
    { ciphers: options.ciphers },
    `Unable to set TLS ciphers. Check cipher list "${list}".`,
  );
  if (spec.psk === undefined) Object.assign(options, certificateFiles(spec));
  const crl = revocationLists(spec);
  if (crl.length > 0) options.crl = crl;
  if (spec.dhparamfile !== undefined) options.dhparam = dhParams(spec.dhparamfile);
  checkPart(options, 'Server certificate/key are inconsistent.');
  return options;
}

function cipherString(spec: TlsSpec): string {
  // Node takes one list for both; a list without TLS 1.3 suites would turn
  // TLS 1.3 off, where Mosquitto's `ciphers` leaves TLS 1.3 alone.
  const tls12 = spec.ciphers ?? (spec.psk ? PSK_DEFAULT : TLS12_DEFAULT);
  return `${spec.ciphersTls13 ?? TLS13_DEFAULT}:${tls12}`;
}

function certificateFiles(spec: TlsSpec): { cert: Buffer; key: Buffer } {
  const certError = unableToLoad('server certificate', spec.certfile, 'certfile');
  const keyError = unableToLoad('server key file', spec.keyfile, 'keyfile');
  const cert = readOrThrow(spec.certfile, certError);
  const key = readOrThrow(spec.keyfile, keyError);
  attempt(() => new X509Certificate(cert), certError);
  attempt(() => createPrivateKey(key), keyError);
  return { cert, key };
}

function caCertificates(spec: TlsSpec): Buffer[] {
  const ca: Buffer[] = [];
  if (spec.cafile !== undefined) {
    const message = `Unable to load CA certificates. Check cafile "${spec.cafile}".`;
    const pem = readOrThrow(spec.cafile, message);
    // Node takes a file without any certificate in silence; OpenSSL not.
    attempt(() => new X509Certificate(pem), message);
    checkPart({ ca: [pem] }, message);
    ca.push(pem);
  }
  if (spec.capath !== undefined) {
    ca.push(...pemFilesIn(spec.capath, 'CERTIFICATE', 'capath'));
  }
  return ca;
}

function revocationLists(spec: TlsSpec): Buffer[] {
  const crl: Buffer[] = [];
  if (spec.crlfile !== undefined) {
    const message = unableToLoad('certificate revocation file', spec.crlfile, 'crlfile');
    const blocks = pemBlocks(readOrThrow(spec.crlfile, message), 'X509 CRL');
    if (blocks.length === 0) throw new TlsConfigError(message);
    checkPart({ crl: blocks }, message);
    crl.push(...blocks);
  }
  // OpenSSL's hashed folders hold CRLs beside the certificates.
  if (spec.capath !== undefined) {
    for (const file of pemFilesIn(spec.capath, 'X509 CRL', 'capath')) {
      crl.push(...pemBlocks(file, 'X509 CRL'));
    }
  }
  return crl;
}

function dhParams(file: string): Buffer {
  const message = `Unable to load dhparamfile "${file}".`;
  const pem = readOrThrow(file, message);
  // Node drops parameters it cannot read in silence; OpenSSL would not.
  if (!/-----BEGIN (X9\.42 )?DH PARAMETERS-----/.test(pem.toString('latin1'))) {
    throw new TlsConfigError(message);
  }
  checkPart({ dhparam: pem }, message);
  return pem;
}

/**
 * Every PEM block of one kind in the regular files of a folder (what
 * `openssl rehash` leaves there: certificates and CRLs, under hashed
 * names or not). Node has no hashed-folder lookup, so all are loaded.
 */
function pemFilesIn(dir: string, kind: string, option: string): Buffer[] {
  const message = `Unable to load CA certificates. Check ${option} "${dir}".`;
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    throw new TlsConfigError(message);
  }
  const out: Buffer[] = [];
  const seen = new Set<string>();
  const begin = `-----BEGIN ${kind}-----`;
  for (const name of names) {
    const path = join(dir, name);
    let text: string;
    try {
      if (!statSync(path).isFile()) continue;
      text = readFileSync(path, 'latin1');
    } catch {
      continue;
    }
    if (!text.includes(begin) || seen.has(text)) continue;
    seen.add(text);
    out.push(Buffer.from(text, 'latin1'));
  }
  return out;
}

/** Mosquitto's words for a file it could not use. */
function unableToLoad(what: string, file: string | undefined, option: string): string {
  return `Unable to load ${what} "${file}". Check ${option}.`;
}

/**
 * The PEM blocks of one kind in a file, each on its own: Node reads one
 * CRL per buffer, where OpenSSL reads every CRL of a file.
 */
function pemBlocks(pem: Buffer, kind: string): Buffer[] {
  const pattern = new RegExp(`-----BEGIN ${kind}-----[^-]+-----END ${kind}-----`, 'g');
  return (pem.toString('latin1').match(pattern) ?? []).map((b) => Buffer.from(`${b}\n`));
}

function readOrThrow(file: string | undefined, message: string): Buffer {
  if (file === undefined) throw new TlsConfigError(message);
  try {
    return readFileSync(file);
  } catch {
    throw new TlsConfigError(message);
  }
}

function checkPart(options: TlsOptions, message: string): void {
  attempt(() => createSecureContext(options), message);
}

function attempt(fn: () => unknown, message: string): void {
  try {
    fn();
  } catch (error) {
    throw new TlsConfigError(`${message} (${(error as Error).message})`);
  }
}
