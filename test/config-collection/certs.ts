/**
 * The certificates the collection's files name under `@DIR@/certs/`, made
 * with the openssl command when the test starts (no private key is kept
 * in the repository): a site CA, a server certificate for 127.0.0.1 and
 * localhost, client certificates for a device and for a bridge, a revoked
 * device with the CA's CRL, a capath folder and Diffie-Hellman parameters.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caCommand, caDatabase, caIssue, openssl, selfSigned } from '../helpers/certs.js';

const CA_CONFIG = `[ca]
default_ca = site_ca
[site_ca]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
default_crl_days = 30
default_days = 30
unique_subject = no
[any]
commonName = supplied
organizationName = optional
`;

/** Makes the set in a new temporary folder; the caller removes it. */
export function makeCerts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'midge-cc-certs-'));
  caDatabase(dir, CA_CONFIG);
  selfSigned(dir, 'ca', '/O=Site A/CN=Site A CA', ['-days', '30']);
  caIssue(dir, 'server', '/O=Site A/CN=localhost', [
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  caIssue(dir, 'sensor-01', '/O=Site A/CN=sensor-01');
  caIssue(dir, 'stolen-02', '/O=Site A/CN=stolen-02');
  caIssue(dir, 'edge-bridge', '/O=Site B/CN=edge-bridge');
  caCommand(dir, ['-revoke', 'stolen-02.crt']);
  caCommand(dir, ['-gencrl', '-out', 'crl.pem']);
  // A named group: no slow prime search.
  openssl(
    dir,
    ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt'].concat([
      'group:ffdhe2048',
      '-out',
      'dhparam.pem',
    ]),
  );
  mkdirSync(join(dir, 'capath'));
  copyFileSync(join(dir, 'ca.crt'), join(dir, 'capath', 'site-a-ca.pem'));
  openssl(dir, ['rehash', 'capath']);
  return dir;
}

export function removeCerts(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
