/**
 * TLS material for the bridge tests, made with the openssl command in a
 * temporary folder: a CA, a server certificate for localhost and
 * 127.0.0.1, a client certificate, and a PSK file.
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

export interface BridgeCerts {
  dir: string;
  caFile: string;
  caPath: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Signed by the CA for other.example only: not for 127.0.0.1. */
  otherCert: string;
  otherKey: string;
  pskFile: string;
  pskIdentity: string;
  pskKey: string;
  remove(): void;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function leaf(dir: string, name: string, subject: string, ext: string): void {
  openssl(dir, [
    'req',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  ]);
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
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

export function makeBridgeCerts(): BridgeCerts {
  const dir = mkdtempSync(join(tmpdir(), 'midge-bridge-tls-'));
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
    '/CN=midge bridge test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  leaf(dir, 'server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  leaf(dir, 'client', '/CN=bridge-client', 'basicConstraints=CA:FALSE');
  leaf(dir, 'other', '/CN=other.example', 'subjectAltName=DNS:other.example');
  const caPath = join(dir, 'capath');
  mkdirSync(caPath);
  writeFileSync(join(caPath, 'ca.crt'), readFileSync(join(dir, 'ca.pem')));
  const pskIdentity = 'bridge-id';
  const pskKey = '0123456789abcdef0123456789abcdef';
  const pskFile = join(dir, 'psk.txt');
  writeFileSync(pskFile, `${pskIdentity}:${pskKey}\n`);
  // Debian's mosquitto, started as root, reads these files as the
  // mosquitto user.
  for (const folder of [dir, caPath]) {
    chmodSync(folder, 0o755);
    for (const f of readdirSync(folder)) chmodSync(join(folder, f), 0o755);
  }
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPath,
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
    otherCert: join(dir, 'other.pem'),
    otherKey: join(dir, 'other.key'),
    pskFile,
    pskIdentity,
    pskKey,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Listener lines of a broker that takes TLS bridges (mosquitto or midge). */
export function tlsListener(
  port: number,
  certs: BridgeCerts,
  requireCert = false,
): string {
  return [
    `listener ${port} 127.0.0.1`,
    `cafile ${certs.caFile}`,
    `certfile ${certs.serverCert}`,
    `keyfile ${certs.serverKey}`,
    ...(requireCert ? ['require_certificate true'] : []),
    'allow_anonymous true',
    '',
  ].join('\n');
}

/** Listener lines of a broker that takes TLS-PSK bridges. */
export function pskListener(port: number, certs: BridgeCerts): string {
  return [
    `listener ${port} 127.0.0.1`,
    'psk_hint midge-test',
    `psk_file ${certs.pskFile}`,
    'allow_anonymous true',
    '',
  ].join('\n');
}
