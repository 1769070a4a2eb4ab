/**
 * Turns Mosquitto-style TLS settings into node:tls options: CA files and
 * folders, the OS trust store, client certificates, --insecure (no host
 * name check, the chain is still verified), ALPN, the minimum version and
 * TLS-PSK.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { UsageError } from '../errors.js';
import type { ClientOptions, TlsVersion } from '../options.js';
import type { TlsConnectOptions } from './socket.js';

const MIN_VERSION: Record<TlsVersion, tls.SecureVersion> = {
  'tlsv1.3': 'TLSv1.3',
  'tlsv1.2': 'TLSv1.2',
  'tlsv1.1': 'TLSv1.1',
};

/** Where Linux distributions and BSDs keep the system CA bundle. */
const OS_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

export async function tlsOptions(
  o: ClientOptions,
  host: string,
): Promise<TlsConnectOptions> {
  const t = o.tls ?? {};
  const result: TlsConnectOptions = {
    minVersion: MIN_VERSION[t.version ?? 'tlsv1.2'],
    rejectUnauthorized: t.rejectUnauthorized ?? true,
  };
  if (t.version && !MIN_VERSION[t.version]) {
    throw new UsageError('INVALID_OPTION', `unknown TLS version '${t.version}'`);
  }
  const ca = await caList(t);
  if (ca.length > 0) result.ca = ca;
  const cert = t.cert ?? (t.certFile ? await readFile(t.certFile) : undefined);
  const key = t.key ?? (t.keyFile ? await readFile(t.keyFile) : undefined);
  if (cert) result.cert = cert;
  if (key) result.key = key;
  if (t.passphrase) result.passphrase = t.passphrase;
  const servername = t.servername ?? (isIP(host) ? undefined : host);
  if (servername) result.servername = servername;
  if (t.insecure) result.checkServerIdentity = () => undefined;
  if (t.alpn) result.ALPNProtocols = Array.isArray(t.alpn) ? t.alpn : [t.alpn];
  if (t.ciphers) result.ciphers = t.ciphers;
  if (t.requireOcsp) result.requestOCSP = true;
  if (o.psk) addPsk(result, o.psk.identity, o.psk.key, t.ciphers);
  return result;
}

async function caList(
  t: NonNullable<ClientOptions['tls']>,
): Promise<Array<string | Buffer>> {
  const ca: Array<string | Buffer> = [];
  if (t.ca) ca.push(...(Array.isArray(t.ca) ? t.ca : [t.ca]));
  if (t.caFile) ca.push(await readFile(t.caFile));
  if (t.caPath) ca.push(...(await readCaPath(t.caPath)));
  if (t.useOsCerts) ca.push(...(await osCertificates()));
  return ca;
}

/** Every file of the folder that holds a PEM certificate. */
async function readCaPath(dir: string): Promise<Buffer[]> {
  const found: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) continue;
    const data = await readFile(join(dir, entry.name)).catch(() => undefined);
    if (data?.includes('-----BEGIN CERTIFICATE-----')) found.push(data);
  }
  return found;
}

/**
 * The operating system's trust store, as OpenSSL's default paths give it
 * to Mosquitto (SSL_CERT_FILE first).
 */
async function osCertificates(): Promise<Array<string | Buffer>> {
  const getter = (tls as { getCACertificates?: (kind: string) => string[] })
    .getCACertificates;
  if (getter) return getter('system');
  const envFile = process.env.SSL_CERT_FILE;
  const file = [envFile, ...OS_BUNDLES].find((f) => f && existsSync(f));
  // LIMIT(portability): with no bundle file found (macOS, Windows on Node
  // 20) Node's built-in Mozilla list stands in for the OS store.
  if (!file) return [...tls.rootCertificates];
  return [await readFile(file)];
}

function addPsk(
  result: tls.ConnectionOptions,
  identity: string,
  key: string | Buffer,
  ciphers: string | undefined,
): void {
  // An odd number of hex digits reads as a number: 'abc' is 0x0abc.
  const hex = typeof key === 'string' && key.length % 2 === 1 ? `0${key}` : key;
  const psk = typeof hex === 'string' ? Buffer.from(hex, 'hex') : hex;
  result.pskCallback = () => ({ identity, psk });
  // No certificate in a PSK handshake: there is no host name to check.
  result.checkServerIdentity = () => undefined;
  // OpenSSL leaves PSK suites out of the default list.
  if (!ciphers) result.ciphers = 'PSK:ECDHE-PSK:DHE-PSK:RSA-PSK';
}
