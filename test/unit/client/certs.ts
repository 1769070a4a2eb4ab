/**
 * Certificates for TLS tests, made with the openssl command line in a
 * temporary folder: a CA, a server certificate for localhost/127.0.0.1,
 * a server certificate for another name, and a client certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certs {
  dir: string;
  caFile: string;
  /** A folder holding only the CA certificate (for caPath). */
  caPath: string;
  ca: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  serverCertFile: string;
  serverKeyFile: string;
  /** Signed by the CA but for 'other.example' only. */
  otherCert: Buffer;
  otherKey: Buffer;
  clientCertFile: string;
  clientKeyFile: string;
  /** Self-signed, not from the CA. */
  strangerCertFile: string;
  strangerKeyFile: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function leaf(dir: string, name: string, cn: string, san?: string): void {
  openssl(dir, [
    'req',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  ]);
  const ext = san ? `subjectAltName=${san}\n` : 'basicConstraints=CA:FALSE\n';
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    `${name}.pem`,
    '-extfile',
    `${name}.ext`,
  ]);
}

export function makeCerts(): Certs {
  const dir = mkdtempSync(join(tmpdir(), 'midge-client-tls-'));
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=midge test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  leaf(dir, 'server', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  leaf(dir, 'other', 'other.example', 'DNS:other.example');
  leaf(dir, 'client', 'test-client');
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    'stranger.key',
    '-out',
    'stranger.pem',
    '-days',
    '2',
    '-subj',
    '/CN=stranger',
  ]);
  const caPath = join(dir, 'capath');
  mkdirSync(caPath);
  writeFileSync(join(caPath, 'ca.pem'), readFileSync(join(dir, 'ca.pem')));
  const read = (f: string) => readFileSync(join(dir, f));
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPath,
    ca: read('ca.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server.key'),
    serverCertFile: join(dir, 'server.pem'),
    serverKeyFile: join(dir, 'server.key'),
    otherCert: read('other.pem'),
    otherKey: read('other.key'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client.key'),
    strangerCertFile: join(dir, 'stranger.pem'),
    strangerKeyFile: join(dir, 'stranger.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
