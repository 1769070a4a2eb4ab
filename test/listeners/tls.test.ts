/**
 * TLS listeners of the built midge, used by Debian's mosquitto_pub and
 * mosquitto_sub: server certificate only, client certificates required
 * (good, revoked with a CRL, expired, unknown, missing), usernames from
 * certificates, tls_version, and a plain listener beside the TLS ones.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { freePort, type RunningBroker } from '../helpers/broker.js';
import {
  type Certs,
  makeCerts,
  pubArgs,
  removeCerts,
  runTool,
  startListening,
  type ToolResult,
} from './support.js';

let certs: Certs;
let broker: RunningBroker;
let tlsPort: number;
let mtlsPort: number;
let identityPort: number;
let subjectPort: number;
let tls13Port: number;

before(async () => {
  certs = makeCerts();
  [tlsPort, mtlsPort, identityPort, subjectPort, tls13Port] = await Promise.all(
    [1, 2, 3, 4, 5].map(() => freePort()),
  );
  const tls = (port: number, extra = '') =>
    `listener ${port} 127.0.0.1\ncafile ${certs.ca}\ncertfile ${certs.server.cert}\n` +
    `keyfile ${certs.server.key}\n${extra}`;
  const mtls = `require_certificate true\ncrlfile ${certs.crl}\n`;
  broker = await startListening({
    rawConfig: (port) =>
      `log_type all\nallow_anonymous true\nlistener ${port} 127.0.0.1\n` +
      tls(tlsPort) +
      tls(mtlsPort, mtls) +
      tls(identityPort, `${mtls}use_identity_as_username true\n`) +
      tls(subjectPort, `${mtls}use_subject_as_username true\n`) +
      tls(tls13Port, 'tls_version tlsv1.3\n'),
  });
});
after(async () => {
  await broker?.stop();
  removeCerts(certs);
});

const ca = () => ['--cafile', certs.ca];
const withCert = (pair: { cert: string; key: string }) => [
  ...ca(),
  '--cert',
  pair.cert,
  '--key',
  pair.key,
];

function publish(port: number, id: string, extra: string[]): Promise<ToolResult> {
  return runTool('mosquitto_pub', pubArgs(port, id, extra));
}

describe('TLS listener', () => {
  test('a client checking the server certificate publishes and subscribes', async () => {
    const sub = runTool('mosquitto_sub', [
      ...['-h', '127.0.0.1', '-p', String(tlsPort), '-t', 'test/t', '-C', '1', '-W', '5'],
      ...['-i', 'tls-sub', ...ca()],
    ]);
    await broker.waitForOutput('Received SUBSCRIBE from tls-sub');
    const pub = await publish(tlsPort, 'tls-pub', ca());
    assert.equal(pub.code, 0, pub.stderr);
    const got = await sub;
    assert.equal(got.stdout, 'hello\n');
  });

  test('the plain listener beside it still speaks plain MQTT', async () => {
    const pub = await publish(broker.port, 'plain-pub', []);
    assert.equal(pub.code, 0, pub.stderr);
  });

  test('a plain MQTT client on the TLS port gets nowhere', async () => {
    const pub = await runTool('mosquitto_pub', pubArgs(tlsPort, 'no-tls'), 3000);
    assert.notEqual(pub.code, 0);
    assert.doesNotMatch(broker.output(), /as no-tls/);
  });
});

describe('require_certificate', () => {
  test('a client certificate signed by the CA is let in', async () => {
    const pub = await publish(mtlsPort, 'cert-good', withCert(certs.good));
    assert.equal(pub.code, 0, pub.stderr);
    await broker.waitForOutput(/New client connected from 127\.0\.0\.1:\d+ as cert-good/);
  });

  for (const name of ['revoked', 'expired', 'unknown'] as const) {
    test(`a ${name} client certificate is refused, with a log line`, async () => {
      const pub = await publish(mtlsPort, `cert-${name}`, withCert(certs[name]));
      assert.notEqual(pub.code, 0);
      assert.doesNotMatch(broker.output(), new RegExp(`as cert-${name}`));
    });
  }

  test('the log says why, as Mosquitto words it', async () => {
    await broker.waitForOutput(
      'OpenSSL Error[0]: certificate verify failed (CERT_REVOKED)',
    );
    await broker.waitForOutput('certificate verify failed (CERT_HAS_EXPIRED)');
    await broker.waitForOutput('Client <unknown> disconnected: Protocol error.');
  });

  test('a client without a certificate is refused', async () => {
    const pub = await publish(mtlsPort, 'cert-none', ca());
    assert.notEqual(pub.code, 0);
    await broker.waitForOutput('OpenSSL Error[0]: peer did not return a certificate');
    assert.doesNotMatch(broker.output(), /as cert-none/);
  });
});

describe('usernames from certificates', () => {
  test('use_identity_as_username: the CN is the username', async () => {
    const pub = await publish(identityPort, 'ident', [
      ...withCert(certs.good),
      ...['-u', 'ignored', '-P', 'ignored'],
    ]);
    assert.equal(pub.code, 0, pub.stderr);
    await broker.waitForOutput(/as ident \(p2, c1, k60, u'client-good'\)/, 2000);
  });

  test('use_subject_as_username: the whole subject', async () => {
    const pub = await publish(subjectPort, 'subj', withCert(certs.good));
    assert.equal(pub.code, 0, pub.stderr);
    await broker.waitForOutput("u'CN=client-good,O=Midge Test,C=GB'", 2000);
  });

  test('use_identity_as_username: no CN, no entry', async () => {
    const pub = await publish(identityPort, 'no-cn', withCert(certs.noCn));
    assert.notEqual(pub.code, 0);
    assert.doesNotMatch(broker.output(), /as no-cn/);
  });
});

describe('tls_version', () => {
  test('tlsv1.3 refuses a TLS 1.2 client and takes a TLS 1.3 one', async () => {
    // mosquitto_pub's --tls-version is a minimum too, so node:tls plays
    // the client that stops at TLS 1.2.
    const old = tlsConnect({
      host: '127.0.0.1',
      port: tls13Port,
      ca: readFileSync(certs.ca),
      maxVersion: 'TLSv1.2',
    });
    const error = await new Promise<Error>((resolve) => old.once('error', resolve));
    assert.match(error.message, /protocol version|alert/i);
    await broker.waitForOutput(
      /OpenSSL Error\[0\]: error:[0-9A-F]+:SSL routines::unsupported protocol/,
    );
    const pub = await publish(tls13Port, 'tls13', [...ca(), '--tls-version', 'tlsv1.3']);
    assert.equal(pub.code, 0, pub.stderr);
  });

  test('the default takes TLS 1.2', async () => {
    const pub = await publish(tlsPort, 'tls12-ok', [...ca(), '--tls-version', 'tlsv1.2']);
    assert.equal(pub.code, 0, pub.stderr);
  });
});

describe('--tls-keylog', () => {
  test('writes the session keys of TLS clients to the file', async (t) => {
    const port = await freePort();
    const keylog = join(certs.dir, 'keys.log');
    const logged = await startListening({
      rawConfig: (main) =>
        `listener ${main} 127.0.0.1\nallow_anonymous true\nlistener ${port} 127.0.0.1\n` +
        `certfile ${certs.server.cert}\nkeyfile ${certs.server.key}\n`,
      args: ['--tls-keylog', keylog],
    });
    t.after(() => logged.stop());
    const pub = await publish(port, 'keylog-pub', ca());
    assert.equal(pub.code, 0, pub.stderr);
    await logged.stop();
    assert.match(
      readFileSync(keylog, 'utf8'),
      /^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]+ [0-9a-f]+$/m,
    );
  });
});
