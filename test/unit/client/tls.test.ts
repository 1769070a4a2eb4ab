/**
 * TLS transport against a node:tls fake server with certificates made by
 * openssl: the CA check (file, folder, PEM text), client certificates,
 * --insecure (host name not checked, chain still checked), ALPN, the
 * minimum TLS version, and TLS-PSK.
 */
import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import * as tls from 'node:tls';
import { createServer, type TLSSocket, type TlsOptions } from 'node:tls';
import {
  type ClientOptions,
  MqttClient,
  type MqttError,
  TransportError,
} from '../../../src/client/index.js';
import { type Certs, makeCerts } from '../../helpers/certs.js';
import { connectOrError, FakeServer, listen, socketPipe } from './fake-server.js';

let certs: Certs;
before(() => {
  certs = makeCerts();
});
after(() => certs.remove());

async function tlsServer(t: TestContext, options: TlsOptions) {
  const fake = new FakeServer();
  const sockets: TLSSocket[] = [];
  const server = createServer(options, (socket) => {
    sockets.push(socket);
    fake.add(socketPipe(socket));
  });
  server.on('tlsClientError', () => {});
  fake.autoHandshake = true;
  const port = await listen(t, server);
  return Object.assign(fake, { port, sockets });
}

function serverOptions(extra: TlsOptions = {}): TlsOptions {
  return { cert: certs.serverCert, key: certs.serverKey, ...extra };
}

/** Connects through TLS; resolves with the client or the error. */
function attempt(
  t: TestContext,
  server: FakeServer & { port: number },
  options: ClientOptions,
): Promise<MqttClient | MqttError> {
  return connectOrError(t, { port: server.port, transport: 'tls', ...options });
}

test('tls - the server certificate is checked against caFile', async (t) => {
  const server = await tlsServer(t, serverOptions());
  const ok = await attempt(t, server, {
    host: 'localhost',
    tls: { caFile: certs.caFile },
  });
  assert.ok(ok instanceof MqttClient, String(ok));
  const byIp = await attempt(t, server, { host: '127.0.0.1', tls: { ca: certs.ca } });
  assert.ok(byIp instanceof MqttClient, String(byIp));
  const viaPath = await attempt(t, server, {
    host: 'localhost',
    tls: { caPath: certs.caPath },
  });
  assert.ok(viaPath instanceof MqttClient, String(viaPath));
});

test('tls - an unknown CA fails with TLS_FAILED', async (t) => {
  const server = await tlsServer(t, serverOptions());
  const err = await attempt(t, server, { host: 'localhost', tls: {} });
  assert.ok(err instanceof TransportError);
  assert.equal(err.code, 'TLS_FAILED');
  assert.match(err.message, /unable to verify|self-signed|local issuer/i);
});

test('tls - insecure skips the host name check but not the chain', async (t) => {
  const server = await tlsServer(t, { cert: certs.otherCert, key: certs.otherKey });
  const strict = await attempt(t, server, { host: 'localhost', tls: { ca: certs.ca } });
  assert.ok(strict instanceof TransportError);
  assert.match(strict.message, /other\.example/);
  const insecure = await attempt(t, server, {
    host: 'localhost',
    tls: { ca: certs.ca, insecure: true },
  });
  assert.ok(insecure instanceof MqttClient, String(insecure));
  const noCa = await attempt(t, server, { host: 'localhost', tls: { insecure: true } });
  assert.ok(noCa instanceof TransportError);
  assert.equal(noCa.code, 'TLS_FAILED');
});

test('tls - a client certificate from files, required by the server', async (t) => {
  const server = await tlsServer(
    t,
    serverOptions({ ca: certs.ca, requestCert: true, rejectUnauthorized: true }),
  );
  const tls = { caFile: certs.caFile };
  const without = await attempt(t, server, { host: 'localhost', tls });
  assert.ok(without instanceof TransportError, String(without));
  const stranger = await attempt(t, server, {
    host: 'localhost',
    tls: { ...tls, certFile: certs.strangerCertFile, keyFile: certs.strangerKeyFile },
  });
  assert.ok(stranger instanceof TransportError, String(stranger));
  const withCert = await attempt(t, server, {
    host: 'localhost',
    tls: { ...tls, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile },
  });
  assert.ok(withCert instanceof MqttClient, String(withCert));
  const accepted = server.sockets.at(-1)!;
  assert.equal(accepted.getPeerCertificate().subject.CN, 'test-client');
});

test('tls - ALPN protocols are offered', async (t) => {
  const server = await tlsServer(t, serverOptions({ ALPNProtocols: ['mqtt'] }));
  const client = await attempt(t, server, {
    host: 'localhost',
    tls: { ca: certs.ca, alpn: ['x-other', 'mqtt'] },
  });
  assert.ok(client instanceof MqttClient, String(client));
  assert.equal(server.sockets.at(-1)!.alpnProtocol, 'mqtt');
});

test('tls - version sets the minimum TLS version', async (t) => {
  const server = await tlsServer(t, serverOptions({ maxVersion: 'TLSv1.2' }));
  const tls13 = await attempt(t, server, {
    host: 'localhost',
    tls: { ca: certs.ca, version: 'tlsv1.3' },
  });
  assert.ok(tls13 instanceof TransportError, String(tls13));
  const tls12 = await attempt(t, server, {
    host: 'localhost',
    tls: { ca: certs.ca, version: 'tlsv1.2' },
  });
  assert.ok(tls12 instanceof MqttClient, String(tls12));
  assert.equal(server.sockets.at(-1)!.getProtocol(), 'TLSv1.2');
});

test('tls - PSK with identity and hex key', async (t) => {
  const key = Buffer.from('c0ffee42', 'hex');
  const identities: string[] = [];
  const server = await tlsServer(t, {
    ciphers: 'PSK',
    pskCallback: (_socket, identity) => {
      identities.push(identity);
      return identity === 'me' ? key : null;
    },
  });
  const good = await attempt(t, server, {
    host: '127.0.0.1',
    psk: { identity: 'me', key: 'c0ffee42' },
  });
  assert.ok(good instanceof MqttClient, String(good));
  const wrongKey = await attempt(t, server, {
    host: '127.0.0.1',
    psk: { identity: 'me', key: '0bad' },
  });
  assert.ok(wrongKey instanceof TransportError);
  assert.equal(wrongKey.code, 'TLS_FAILED');
  assert.deepEqual(identities, ['me', 'me']);
  assert.throws(
    () => new MqttClient({ psk: { identity: 'me', key: 'zz' }, transport: 'tls' }),
    /hex/,
  );
});

test('tls - useOsCerts reads the system bundle (SSL_CERT_FILE first)', {
  skip: 'getCACertificates' in tls ? 'Node reads the OS store itself' : false,
}, async (t) => {
  const server = await tlsServer(t, serverOptions());
  const saved = process.env.SSL_CERT_FILE;
  process.env.SSL_CERT_FILE = certs.caFile;
  t.after(() => {
    if (saved === undefined) delete process.env.SSL_CERT_FILE;
    else process.env.SSL_CERT_FILE = saved;
  });
  const client = await attempt(t, server, {
    host: 'localhost',
    tls: { useOsCerts: true },
  });
  assert.ok(client instanceof MqttClient, String(client));
});
