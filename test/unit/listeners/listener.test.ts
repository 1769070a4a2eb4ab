/**
 * A Listener in process, with a stand-in broker that records the
 * transports it is handed: CRLs with intermediate CAs, what TLS-PSK and
 * PROXY headers tell the broker, hosts.allow/deny and max_connections.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { defaultListenerSettings } from '../../../src/broker/options.js';
import type { Transport } from '../../../src/broker/transport.js';
import { openssl, request, selfSigned, signX509 } from '../../helpers/certs.js';
import { open, tlsClient, tlsSpec } from './in-process.js';

function intermediateChain(dir: string) {
  writeFileSync(
    join(dir, 'ca.ext'),
    'basicConstraints=critical,CA:true\nkeyUsage=keyCertSign,cRLSign\n',
  );
  selfSigned(dir, 'root', '/CN=Root', []);
  const sign = (name: string, ca: string, extra: string[]) => {
    request(dir, name, `/CN=${name}`);
    signX509(dir, name, ca, ['-days', '30', ...extra]);
  };
  sign('inter', 'root', ['-extfile', 'ca.ext']);
  sign('leaf', 'inter', []);
  for (const ca of ['root', 'inter']) {
    writeFileSync(join(dir, `${ca}.idx`), '');
    const conf =
      `[ca]\ndefault_ca=c\n[c]\ndatabase=${ca}.idx\n` +
      'default_md=sha256\ndefault_crl_days=30\n';
    writeFileSync(join(dir, `${ca}.cnf`), conf);
    const files = ['-config', `${ca}.cnf`, '-cert', `${ca}.crt`, '-keyfile', `${ca}.key`];
    openssl(dir, ['ca', ...files, '-gencrl', '-out', `${ca}.crl`]);
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
