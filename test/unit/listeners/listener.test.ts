/**
 * A Listener in process, with a stand-in broker that records the
 * transports it is handed: what TLS, PSK and PROXY headers tell the
 * broker about a client (address, encrypted, identity), certificate
 * reloading, hosts.allow/deny and max_connections.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Broker } from '../../../src/broker/index.js';
import { defaultListenerSettings } from '../../../src/broker/options.js';
import type { Transport } from '../../../src/broker/transport.js';
import { Listener, type ListenerOptions } from '../../../src/listeners/listener.js';
import type { TlsSpec } from '../../../src/listeners/tls-options.js';
import { type Logger, LogType } from '../../../src/log/log-types.js';
import { type Certs, makeCerts, removeCerts } from '../../listeners/support.js';

let certs: Certs;
before(() => {
  certs = makeCerts();
});
after(() => removeCerts(certs));

class FakeBroker {
  readonly options = { connectTimeout: 10, connectionMessages: true };
  readonly transports: Transport[] = [];
  #waiters: Array<() => void> = [];
  accept(transport: Transport): void {
    this.transports.push(transport);
    transport.start({ onData: () => {}, onDrain: () => {}, onClose: () => {} });
    for (const wake of this.#waiters.splice(0)) wake();
  }
  async next(): Promise<Transport> {
    const count = this.transports.length;
    while (this.transports.length === count) {
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    return this.transports.at(-1)!;
  }
}

class MemoryLog implements Logger {
  readonly mask = LogType.All;
  readonly lines: string[] = [];
  write(_type: LogType, message: string): void {
    this.lines.push(message);
  }
}

async function open(
  t: { after(fn: () => unknown): void },
  options: Partial<ListenerOptions>,
): Promise<{ listener: Listener; broker: FakeBroker; log: MemoryLog }> {
  const broker = new FakeBroker();
  const log = new MemoryLog();
  const listener = new Listener(
    broker as unknown as Broker,
    { port: 0, hosts: ['127.0.0.1'], settings: defaultListenerSettings, ...options },
    log,
  );
  await listener.open();
  t.after(() => {
    // The stand-in broker never closes what it took; a real one would.
    for (const transport of broker.transports) transport.destroy();
    return listener.close();
  });
  return { listener, broker, log };
}

function tlsSpec(extra: Partial<TlsSpec> = {}): TlsSpec {
  return {
    certfile: certs.server.cert,
    keyfile: certs.server.key,
    cafile: certs.ca,
    crlfile: certs.crl,
    requireCertificate: true,
    useIdentityAsUsername: false,
    useSubjectAsUsername: false,
    disableClientCertDateChecks: false,
    ...extra,
  };
}

function tlsClient(
  t: { after(fn: () => unknown): void },
  port: number,
  pair?: { cert: string; key: string },
  socket?: Socket,
): Promise<TLSSocket> {
  const client = tlsConnect({
    ...(socket ? { socket } : { host: '127.0.0.1', port }),
    ca: readFileSync(certs.ca),
    cert: pair && readFileSync(pair.cert),
    key: pair && readFileSync(pair.key),
  });
  t.after(() => client.destroy());
  return new Promise((resolve, reject) => {
    client.once('secureConnect', () => resolve(client));
    client.once('error', reject);
  });
}

describe('TLS listener', () => {
  test('a good client certificate reaches the broker, encrypted', async (t) => {
    const { listener, broker } = await open(t, { tls: tlsSpec() });
    await tlsClient(t, listener.port, certs.good);
    const transport = await broker.next();
    assert.equal(transport.encrypted, true);
    assert.equal(transport.identity, undefined);
    assert.equal(transport.remoteAddress, '127.0.0.1');
  });

  test('use_identity_as_username gives the CN; no CN gives no username', async (t) => {
    const { listener, broker } = await open(t, {
      tls: tlsSpec({ useIdentityAsUsername: true }),
    });
    await tlsClient(t, listener.port, certs.good);
    assert.deepEqual((await broker.next()).identity, {
      username: 'client-good',
      verified: true,
    });
    await tlsClient(t, listener.port, certs.noCn);
    assert.deepEqual((await broker.next()).identity, {
      username: undefined,
      verified: true,
    });
  });

  test('use_subject_as_username gives the RFC 2253 subject', async (t) => {
    const { listener, broker } = await open(t, {
      tls: tlsSpec({ useSubjectAsUsername: true }),
    });
    await tlsClient(t, listener.port, certs.good);
    assert.equal(
      (await broker.next()).identity?.username,
      'CN=client-good,O=Midge Test,C=GB',
    );
  });

  test('no required certificate: no username from it', async (t) => {
    const { listener, broker } = await open(t, {
      tls: tlsSpec({ requireCertificate: false, useIdentityAsUsername: true }),
    });
    await tlsClient(t, listener.port);
    assert.deepEqual((await broker.next()).identity, {
      username: undefined,
      verified: true,
    });
  });

  test('revoked, expired, unknown, missing: never reach the broker', async (t) => {
    const { listener, broker, log } = await open(t, { tls: tlsSpec() });
    for (const pair of [certs.revoked, certs.expired, certs.unknown, undefined]) {
      const client = await tlsClient(t, listener.port, pair).catch(() => undefined);
      if (client) await new Promise((r) => client.once('close', r));
    }
    assert.equal(broker.transports.length, 0);
    const text = log.lines.join('\n');
    assert.match(text, /certificate verify failed \(CERT_REVOKED\)/);
    assert.match(text, /certificate verify failed \(CERT_HAS_EXPIRED\)/);
    assert.match(text, /OpenSSL Error\[0\]: peer did not return a certificate/);
    assert.equal(
      text.match(/Client <unknown> disconnected: Protocol error\./g)?.length,
      4,
    );
  });

  test('disable_client_cert_date_checks: expired in, revoked out', async (t) => {
    const { listener, broker } = await open(t, {
      tls: tlsSpec({ disableClientCertDateChecks: true }),
    });
    await tlsClient(t, listener.port, certs.expired);
    await broker.next();
    const revoked = await tlsClient(t, listener.port, certs.revoked);
    await new Promise((r) => revoked.once('close', r));
    assert.equal(broker.transports.length, 1);
  });

  test('reloadCertificates serves new files; a bad one keeps the old', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'midge-reload-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const cert = join(dir, 'server.crt');
    const key = join(dir, 'server.key');
    writeFileSync(cert, readFileSync(certs.server.cert));
    writeFileSync(key, readFileSync(certs.server.key));
    const { listener } = await open(t, {
      tls: tlsSpec({ certfile: cert, keyfile: key, requireCertificate: false }),
    });
    // Read at once: a TLS 1.3 client forgets the peer certificate when
    // the session tickets arrive.
    const subject = async () =>
      (await tlsClient(t, listener.port)).getPeerX509Certificate()?.subject;
    assert.equal(await subject(), 'CN=localhost');
    writeFileSync(cert, readFileSync(certs.server2.cert));
    writeFileSync(key, readFileSync(certs.server2.key));
    await listener.reloadCertificates();
    assert.equal(await subject(), 'O=Second\nCN=localhost');
    writeFileSync(key, 'not a key');
    await assert.rejects(listener.reloadCertificates(), /Check keyfile/);
    assert.equal(await subject(), 'O=Second\nCN=localhost');
  });

  test('bad files stop the listener from opening, naming the option', async (t) => {
    for (const [spec, pattern] of [
      [tlsSpec({ certfile: certs.ca.replace('ca.crt', 'nope.crt') }), /Check certfile/],
      [tlsSpec({ keyfile: certs.server.cert }), /Check keyfile/],
      [tlsSpec({ cafile: certs.server.key }), /Check cafile/],
      [tlsSpec({ crlfile: certs.ca }), /Check crlfile/],
      [tlsSpec({ tlsVersion: 'tlsv1.0' }), /Unsupported tls_version "tlsv1\.0"/],
      [tlsSpec({ ciphers: 'NO-SUCH-CIPHER' }), /Check cipher list "NO-SUCH-CIPHER"/],
      [tlsSpec({ keyfile: certs.good.key }), /inconsistent/],
    ] as const) {
      await assert.rejects(open(t, { tls: spec }), pattern);
    }
  });
});

describe('more TLS options', () => {
  test('capath: a folder of CA certificates verifies clients', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'midge-capath-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'a1b2c3d4.0'), readFileSync(certs.ca));
    writeFileSync(join(dir, 'README'), 'not a certificate');
    const { listener, broker } = await open(t, {
      tls: tlsSpec({ cafile: undefined, crlfile: undefined, capath: dir }),
    });
    await tlsClient(t, listener.port, certs.good);
    await broker.next();
  });

  test('ciphers_tls1.3 picks TLS 1.3 suites; ciphers leaves 1.3 on', async (t) => {
    const { listener } = await open(t, {
      tls: tlsSpec({
        requireCertificate: false,
        ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
        ciphersTls13: 'TLS_AES_128_GCM_SHA256',
      }),
    });
    const good = await tlsClient(t, listener.port);
    assert.deepEqual(
      [good.getProtocol(), good.getCipher().standardName],
      ['TLSv1.3', 'TLS_AES_128_GCM_SHA256'],
    );
    const other = tlsConnect({
      host: '127.0.0.1',
      port: listener.port,
      ca: readFileSync(certs.ca),
      ciphers: 'TLS_AES_256_GCM_SHA384',
      minVersion: 'TLSv1.3',
    });
    t.after(() => other.destroy());
    await new Promise((resolve) => other.once('error', resolve));
  });

  test('dhparamfile is read; a bad one stops the listener', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'midge-dh-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const dh = join(dir, 'dh.pem');
    execFileSync(
      'openssl',
      ['genpkey', '-genparam', '-algorithm', 'DH'].concat([
        '-pkeyopt',
        'group:ffdhe2048',
        '-out',
        dh,
      ]),
    );
    await open(t, { tls: tlsSpec({ dhparamfile: dh }) });
    writeFileSync(dh, 'nonsense');
    await assert.rejects(open(t, { tls: tlsSpec({ dhparamfile: dh }) }), /dhparamfile/);
  });

  test('http_dir that is not a folder stops the listener', async (t) => {
    await assert.rejects(
      open(t, { websockets: { httpDir: certs.ca, origins: [] } }),
      /Unable to use http_dir ".*ca\.crt": ENOTDIR\./,
    );
  });
});

/** Root CA -> intermediate CA -> client, with an empty CRL from each CA. */
function intermediateChain(dir: string) {
  const run = (args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  writeFileSync(
    join(dir, 'ca.ext'),
    'basicConstraints=critical,CA:true\nkeyUsage=keyCertSign,cRLSign\n',
  );
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'root.key',
    '-out',
    'root.crt',
    '-subj',
    '/CN=Root',
  ]);
  const sign = (name: string, ca: string, extra: string[]) => {
    run([
      'req',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    ]);
    run(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${ca}.crt`,
        '-CAkey',
        `${ca}.key`,
      ].concat(['-CAcreateserial', '-out', `${name}.crt`, '-days', '30', ...extra]),
    );
  };
  sign('inter', 'root', ['-extfile', 'ca.ext']);
  sign('leaf', 'inter', []);
  for (const ca of ['root', 'inter']) {
    writeFileSync(join(dir, `${ca}.idx`), '');
    const conf =
      `[ca]\ndefault_ca=c\n[c]\ndatabase=${ca}.idx\n` +
      'default_md=sha256\ndefault_crl_days=30\n';
    writeFileSync(join(dir, `${ca}.cnf`), conf);
    run(
      [
        'ca',
        '-config',
        `${ca}.cnf`,
        '-cert',
        `${ca}.crt`,
        '-keyfile',
        `${ca}.key`,
      ].concat(['-gencrl', '-out', `${ca}.crl`]),
    );
  }
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  writeFileSync(join(dir, 'cas.pem'), read('root.crt') + read('inter.crt'));
  writeFileSync(join(dir, 'both.crl'), read('inter.crl') + read('root.crl'));
  return { leaf: { cert: join(dir, 'leaf.crt'), key: join(dir, 'leaf.key') } };
}

describe('CRLs with an intermediate CA', () => {
  test('a crlfile holding the CRL of every CA lets a good client in', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'midge-chain-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { leaf } = intermediateChain(dir);
    const spec = (crl: string) =>
      tlsSpec({ cafile: join(dir, 'cas.pem'), crlfile: join(dir, crl) });
    const both = await open(t, { tls: spec('both.crl') });
    await tlsClient(t, both.listener.port, leaf);
    await both.broker.next();
    // LIMIT(compat), as docs/listeners.md says: Mosquitto would take this
    // one too; Node wants a CRL from the root CA as well.
    const one = await open(t, { tls: spec('inter.crl') });
    const client = await tlsClient(t, one.listener.port, leaf);
    await new Promise((r) => client.once('close', r));
    assert.match(one.log.lines.join('\n'), /UNABLE_TO_GET_CRL/);
  });
});

describe('TLS-PSK listener', () => {
  async function pskClient(
    t: { after(fn: () => unknown): void },
    options: { identity: boolean; subject: boolean },
  ): Promise<Transport> {
    const dir = mkdtempSync(join(tmpdir(), 'midge-psk-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'psk');
    writeFileSync(file, 'sensor-1:00ff10aa\n');
    const { listener, broker } = await open(t, {
      tls: {
        requireCertificate: false,
        useIdentityAsUsername: options.identity,
        useSubjectAsUsername: options.subject,
        disableClientCertDateChecks: false,
        psk: { hint: 'midge', file },
      },
    });
    const client = tlsConnect({
      host: '127.0.0.1',
      port: listener.port,
      ciphers: 'PSK-AES128-GCM-SHA256',
      maxVersion: 'TLSv1.2',
      checkServerIdentity: () => undefined,
      pskCallback: (hint) => {
        assert.equal(hint, 'midge');
        return { identity: 'sensor-1', psk: Buffer.from('00ff10aa', 'hex') };
      },
    });
    t.after(() => client.destroy());
    return broker.next();
  }

  test('use_identity_as_username: the PSK identity', async (t) => {
    const transport = await pskClient(t, { identity: true, subject: false });
    assert.deepEqual(transport.identity, { username: 'sensor-1', verified: true });
    assert.equal(transport.encrypted, true);
  });

  test('neither option: the client names itself', async (t) => {
    const transport = await pskClient(t, { identity: false, subject: false });
    assert.equal(transport.identity, undefined);
  });

  test('use_subject_as_username alone: no username, as in Mosquitto', async (t) => {
    const transport = await pskClient(t, { identity: false, subject: true });
    assert.deepEqual(transport.identity, { username: undefined, verified: true });
  });
});

describe('PROXY before TLS', () => {
  test('the address from the header follows the client through TLS', async (t) => {
    const { listener, broker } = await open(t, {
      tls: tlsSpec({ requireCertificate: false }),
      proxyProtocol: {
        version: 1,
        requireTls: false,
        requireCertificate: false,
        useIdentityAsUsername: false,
      },
    });
    const raw = netConnect(listener.port, '127.0.0.1');
    t.after(() => raw.destroy());
    await new Promise((r) => raw.once('connect', r));
    raw.write('PROXY TCP4 192.0.2.44 127.0.0.1 5555 8883\r\n');
    await tlsClient(t, listener.port, undefined, raw);
    const transport = await broker.next();
    assert.deepEqual(
      [transport.remoteAddress, transport.remotePort],
      ['192.0.2.44', 5555],
    );
    assert.equal(transport.encrypted, true);
  });
});

describe('admission', () => {
  test("hosts.deny refuses before any byte, with Mosquitto's line", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'midge-hosts-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const allowFile = join(dir, 'hosts.allow');
    const denyFile = join(dir, 'hosts.deny');
    writeFileSync(denyFile, 'midge: 127.0.0.1\n');
    const { listener, broker, log } = await open(t, {
      hostAccess: { allowFile, denyFile, daemon: 'midge' },
    });
    const refused = netConnect(listener.port, '127.0.0.1');
    t.after(() => refused.destroy());
    refused.on('error', () => {});
    await new Promise((r) => refused.once('close', r));
    assert.equal(broker.transports.length, 0);
    assert.ok(
      log.lines.includes('Client connection from 127.0.0.1 denied access by tcpd.'),
    );
    writeFileSync(allowFile, 'midge: 127.0.0.1\n');
    await new Promise((r) => setTimeout(r, 1100));
    const allowed = netConnect(listener.port, '127.0.0.1');
    t.after(() => allowed.destroy());
    await broker.next();
  });

  test('max_connections refuses the one too many; 0 means no limit', async (t) => {
    const settings = { ...defaultListenerSettings, maxConnections: 1 };
    const { listener, broker, log } = await open(t, { settings });
    const first = netConnect(listener.port, '127.0.0.1');
    t.after(() => first.destroy());
    await broker.next();
    const second = netConnect(listener.port, '127.0.0.1');
    second.on('error', () => {});
    await new Promise((r) => second.once('close', r));
    assert.ok(
      log.lines.includes(
        'Client connection from 127.0.0.1 denied: max_connections exceeded.',
      ),
    );
    const unlimited = await open(t, { settings: { ...settings, maxConnections: 0 } });
    for (let i = 0; i < 3; i++) {
      const c = netConnect(unlimited.listener.port, '127.0.0.1');
      t.after(() => c.destroy());
      await unlimited.broker.next();
    }
  });
});
