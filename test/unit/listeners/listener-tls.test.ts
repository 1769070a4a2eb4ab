/**
 * TLS on a Listener in process: what the broker is told about a client
 * (encrypted, username from the certificate), which certificates are
 * refused and how that is logged, reloading, and the TLS options.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { open, testCerts, tlsClient, tlsSpec } from './in-process.js';

const certs = testCerts();

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
