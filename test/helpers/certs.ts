/**
 * Certificates for the TLS tests, made with the openssl command in a
 * temporary folder when a test starts (no private key is kept in the
 * repository). makeCerts() gives the common set; the steps it is built
 * from (a key and request, a self-signed certificate, a signature with
 * `openssl x509` or with an `openssl ca` database) serve the tests that
 * need more: CRLs, expired certificates, odd subjects, intermediate CAs.
 * Every certificate is <name>.crt beside its key <name>.key.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new P-256 key, unencrypted: fast to make, and every tool reads it. */
const P256 = 'ec_paramgen_curve:prime256v1';
export const EC_KEY = ['-newkey', 'ec', '-pkeyopt', P256, '-nodes'];

/** Runs openssl in `dir`; its error output is in the thrown error. */
export function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A new key and a request for `subject`: <name>.key and <name>.csr. */
export function request(
  dir: string,
  name: string,
  subject: string,
  extra: string[] = [],
) {
  const files = ['-keyout', `${name}.key`, '-out', `${name}.csr`];
  openssl(dir, ['req', ...EC_KEY, ...files, '-subj', subject, ...extra]);
}

/** A self-signed certificate and its new key (a CA, or one no CA signed). */
export function selfSigned(dir: string, name: string, subject: string, extra: string[]) {
  const files = ['-keyout', `${name}.key`, '-out', `${name}.crt`];
  openssl(dir, ['req', '-x509', ...EC_KEY, ...files, '-subj', subject, ...extra]);
}

/** Signs <name>.csr with the CA <ca>.crt and <ca>.key, as `openssl x509` does. */
export function signX509(dir: string, name: string, ca: string, extra: string[]) {
  const files = ['-in', `${name}.csr`, '-out', `${name}.crt`];
  const issuer = ['-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial'];
  openssl(dir, ['x509', '-req', ...files, ...issuer, ...extra]);
}

/**
 * An `openssl ca` database for the CA ca.crt/ca.key of `dir`, with the
 * configuration text `config` (ca.cnf). `openssl ca`, unlike `openssl
 * x509`, keeps the index that revocation and CRLs need.
 */
export function caDatabase(dir: string, config: string): void {
  writeFileSync(join(dir, 'ca.cnf'), config);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
}

/** `openssl ca` with the folder's database: `-revoke`, `-gencrl` and the like. */
export function caCommand(dir: string, args: string[]): void {
  const ca = ['-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key'];
  openssl(dir, ['ca', ...ca, ...args]);
}

/** Signs <name>.csr into <name>.crt with the folder's `openssl ca` database. */
export function caSign(dir: string, name: string, extra: string[] = []): void {
  const files = ['-in', `${name}.csr`, '-out', `${name}.crt`];
  caCommand(dir, ['-batch', ...files, '-notext', ...extra]);
}

/** A new key and a certificate for `subject` from the `openssl ca` database. */
export function caIssue(
  dir: string,
  name: string,
  subject: string,
  extra: string[] = [],
) {
  request(dir, name, subject, extra);
  caSign(dir, name);
}

export interface Certs {
  dir: string;
  caFile: string;
  /** A folder holding only the CA certificate (for caPath). */
  caPath: string;
  ca: Buffer;
  /** For localhost and 127.0.0.1. */
  serverCert: Buffer;
  serverKey: Buffer;
  serverCertFile: string;
  serverKeyFile: string;
  /** Signed by the CA but for 'other.example' only. */
  otherCert: Buffer;
  otherKey: Buffer;
  otherCertFile: string;
  otherKeyFile: string;
  /** CN test-client. */
  clientCertFile: string;
  clientKeyFile: string;
  /** Self-signed, not from the CA. */
  strangerCertFile: string;
  strangerKeyFile: string;
  remove(): void;
}

/** A certificate signed by the CA, valid for two days, with one extension. */
function leaf(dir: string, name: string, cn: string, extension: string): void {
  request(dir, name, `/CN=${cn}`);
  writeFileSync(join(dir, `${name}.ext`), `${extension}\n`);
  signX509(dir, name, 'ca', ['-days', '2', '-extfile', `${name}.ext`]);
}

/**
 * A CA, a server certificate for localhost/127.0.0.1, a server certificate
 * for another name, a client certificate and a self-signed stranger, in a
 * new temporary folder that remove() deletes.
 */
export function makeCerts(): Certs {
  const dir = mkdtempSync(join(tmpdir(), 'midge-tls-'));
  selfSigned(dir, 'ca', '/CN=midge test CA', [
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  leaf(dir, 'server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  leaf(dir, 'other', 'other.example', 'subjectAltName=DNS:other.example');
  leaf(dir, 'client', 'test-client', 'basicConstraints=CA:FALSE');
  selfSigned(dir, 'stranger', '/CN=stranger', ['-days', '2']);
  const caPath = join(dir, 'capath');
  mkdirSync(caPath);
  writeFileSync(join(caPath, 'ca.crt'), readFileSync(join(dir, 'ca.crt')));
  // Debian's mosquitto, started as root, reads these files as the
  // mosquitto user.
  for (const folder of [dir, caPath]) {
    chmodSync(folder, 0o755);
    for (const f of readdirSync(folder)) chmodSync(join(folder, f), 0o755);
  }
  const path = (f: string) => join(dir, f);
  const read = (f: string) => readFileSync(path(f));
  return {
    dir,
    caFile: path('ca.crt'),
    caPath,
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    serverCertFile: path('server.crt'),
    serverKeyFile: path('server.key'),
    otherCert: read('other.crt'),
    otherKey: read('other.key'),
    otherCertFile: path('other.crt'),
    otherKeyFile: path('other.key'),
    clientCertFile: path('client.crt'),
    clientKeyFile: path('client.key'),
    strangerCertFile: path('stranger.crt'),
    strangerKeyFile: path('stranger.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
