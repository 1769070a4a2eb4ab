/**
 * The certificates the collection's files name under `@DIR@/certs/`, made
 * with the openssl command when the test starts (no private key is kept
 * in the repository): a site CA, a server certificate for 127.0.0.1 and
 * localhost, client certificates for a device and for a bridge, a revoked
 * device with the CA's CRL, a capath folder and Diffie-Hellman parameters.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function signed(dir: string, name: string, subject: string, extra: string[] = []) {
  openssl(
    dir,
    [
      'req',
      ...EC,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ].concat(extra),
  );
  openssl(
    dir,
    ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key'].concat(
      ['-in', `${name}.csr`, '-out', `${name}.crt`, '-notext'],
    ),
  );
}

/** Makes the set in a new temporary folder; the caller removes it. */
export function makeCerts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'midge-cc-certs-'));
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  openssl(
    dir,
    ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30'].concat([
      '-subj',
      '/O=Site A/CN=Site A CA',
    ]),
  );
  signed(dir, 'server', '/O=Site A/CN=localhost', [
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  signed(dir, 'sensor-01', '/O=Site A/CN=sensor-01');
  signed(dir, 'stolen-02', '/O=Site A/CN=stolen-02');
  signed(dir, 'edge-bridge', '/O=Site B/CN=edge-bridge');
  const ca = ['-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key'];
  openssl(dir, ['ca', ...ca, '-revoke', 'stolen-02.crt']);
  openssl(dir, ['ca', ...ca, '-gencrl', '-out', 'crl.pem']);
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
