/**
 * Shared by the listener tests: certificates made with openssl (a CA, a
 * server certificate for 127.0.0.1, and client certificates: good,
 * revoked with a CRL, expired, from an unknown CA), and a runner for
 * Debian's mosquitto_pub / mosquitto_sub with a time limit.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningBroker, type StartOptions, startBroker } from '../helpers/broker.js';
import {
  caCommand,
  caDatabase,
  caIssue,
  caSign,
  request,
  selfSigned,
  signX509,
} from '../helpers/certs.js';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface Certs {
  dir: string;
  ca: string;
  crl: string;
  server: KeyPair;
  good: KeyPair;
  revoked: KeyPair;
  expired: KeyPair;
  /** Self-signed: its issuer is no CA the broker knows. */
  unknown: KeyPair;
  /** A subject with escapes, UTF-8 and a multi-valued RDN. */
  fancy: KeyPair;
  /** Signed by the CA but with no commonName. */
  noCn: KeyPair;
  /** A second CA-signed server certificate, for reload tests. */
  server2: KeyPair;
}

const CA_CONFIG = `[ca]
default_ca = test_ca
[test_ca]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
preserve = yes
copy_extensions = copy
default_crl_days = 30
default_days = 30
unique_subject = no
[any]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
`;

/** Makes every certificate in a new temporary folder (about 0.2 s). */
export function makeCerts(): Certs {
  const dir = mkdtempSync(join(tmpdir(), 'midge-certs-'));
  const pair = (name: string): KeyPair => ({
    cert: join(dir, `${name}.crt`),
    key: join(dir, `${name}.key`),
  });
  selfSigned(dir, 'ca', '/CN=Midge Test CA', ['-days', '30']);
  caDatabase(dir, CA_CONFIG);
  const san = ['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'];
  caIssue(dir, 'server', '/CN=localhost', san);
  caIssue(dir, 'server2', '/O=Second/CN=localhost', san);
  caIssue(dir, 'good', '/C=GB/O=Midge Test/CN=client-good');
  caIssue(dir, 'revoked', '/C=GB/O=Midge Test/CN=client-revoked');
  caIssue(dir, 'noCn', '/C=GB/O=Midge Test/OU=no name');
  request(dir, 'expired', '/CN=client-expired');
  caSign(dir, 'expired', [
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200201000000Z',
  ]);
  caCommand(dir, ['-revoke', 'revoked.crt']);
  caCommand(dir, ['-gencrl', '-out', 'ca.crl']);
  selfSigned(dir, 'unknown', '/CN=client-good', ['-days', '30']);
  // x509 -req keeps the subject as written (ca would apply its policy).
  request(dir, 'fancy', FANCY_SUBJECT, ['-utf8', '-multivalue-rdn']);
  signX509(dir, 'fancy', 'ca', ['-days', '30']);
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    crl: join(dir, 'ca.crl'),
    server: pair('server'),
    server2: pair('server2'),
    good: pair('good'),
    revoked: pair('revoked'),
    expired: pair('expired'),
    unknown: pair('unknown'),
    fancy: pair('fancy'),
    noCn: pair('noCn'),
  };
}

/** Commas, quotes, a "+", UTF-8 and a multi-valued RDN (OU + CN). */
export const FANCY_SUBJECT =
  '/C=GB/ST=Some State/O=Midge\\, Ltd "quoted"' +
  '/OU=Dev=Ops+CN=Zoë <x>;y/emailAddress=a@b.c';

/** The subject as `openssl x509 -nameopt RFC2253` prints it. */
export function opensslSubject(cert: string): string {
  const out = execFileSync(
    'openssl',
    ['x509', '-in', cert, '-noout', '-subject'].concat(['-nameopt', 'RFC2253']),
  );
  return out
    .toString('utf8')
    .trim()
    .replace(/^subject=/, '');
}

export function removeCerts(certs: Certs): void {
  rmSync(certs.dir, { recursive: true, force: true });
}

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a client tool; kills it after `ms` (code null then). The tools
 * print errors on stderr and exit non-zero when a connection fails.
 */
export function runTool(cmd: string, args: string[], ms = 5000): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** mosquitto_pub's arguments to publish one message and quit. */
export function pubArgs(port: number, id: string, extra: string[] = []): string[] {
  return [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-t',
    'test/t',
    '-m',
    'hello',
    '-i',
    id,
  ].concat(extra);
}

/**
 * Starts the broker and waits until every listener is open: the helper
 * only waits for the first port, and the others open after it.
 */
export async function startListening(options: StartOptions): Promise<RunningBroker> {
  const broker = await startBroker(options);
  await broker.waitForOutput(/version \S+ running/);
  return broker;
}
