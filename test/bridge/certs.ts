/**
 * TLS settings for the bridge tests: the shared certificates of
 * test/helpers/certs.ts plus a PSK file, and the listener lines of a broker
 * (mosquitto or midge) that takes TLS or TLS-PSK bridges.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Certs, makeCerts } from '../helpers/certs.js';

export interface BridgeCerts extends Certs {
  pskFile: string;
  pskIdentity: string;
  pskKey: string;
}

export function makeBridgeCerts(): BridgeCerts {
  const certs = makeCerts();
  const pskIdentity = 'bridge-id';
  const pskKey = '0123456789abcdef0123456789abcdef';
  const pskFile = join(certs.dir, 'psk.txt');
  writeFileSync(pskFile, `${pskIdentity}:${pskKey}\n`);
  // Read by Debian's mosquitto as the mosquitto user, as the certificates.
  chmodSync(pskFile, 0o755);
  return { ...certs, pskFile, pskIdentity, pskKey };
}

/** Listener lines of a broker that takes TLS bridges (mosquitto or midge). */
export function tlsListener(port: number, certs: Certs, requireCert = false): string {
  return [
    `listener ${port} 127.0.0.1`,
    `cafile ${certs.caFile}`,
    `certfile ${certs.serverCertFile}`,
    `keyfile ${certs.serverKeyFile}`,
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
