/**
 * The examples of docs/client.md: each lives in test/client/examples/,
 * appears in the document word for word (the import path aside), and runs
 * here against a real broker or, where a broker cannot play the other
 * side (enhanced authentication), against the fake server.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import { PacketType, ReasonCode } from '../../src/protocol/index.js';
import { type Certs, makeCerts } from '../helpers/certs.js';
import { fileBroker, unique } from '../helpers/conformance.js';
import { FakeServer, listen, socketPipe } from '../unit/client/fake-server.js';
import { authenticate } from './examples/enhanced-auth.js';
import { diagnose } from './examples/errors.js';
import { longRunning } from './examples/long-running.js';
import { catchUp } from './examples/persistent-session.js';
import { quickStart } from './examples/quick-start.js';
import { requestResponse } from './examples/request-response.js';
import { overTls } from './examples/tls.js';
import { open } from './helpers.js';

const examplesDir = new URL('./examples/', import.meta.url);
const docsFile = new URL('../../docs/client.md', import.meta.url);
const broker = fileBroker();
const host = '127.0.0.1';

test('examples - every example file is in docs/client.md word for word', () => {
  const docs = readFileSync(docsFile, 'utf8');
  const blocks = new Map<string, string>();
  const marker = /<!-- example: ([\w-]+\.ts) -->\n```ts\n([\s\S]*?)```/g;
  for (const [, name, code] of docs.matchAll(marker)) blocks.set(name!, code!);
  const files = readdirSync(examplesDir).filter((f) => f.endsWith('.ts'));
  assert.deepEqual([...blocks.keys()].sort(), files.sort());
  for (const file of files) {
    const source = readFileSync(new URL(file, examplesDir), 'utf8');
    const shown = source.replaceAll("'../../../src/client/index.js'", "'midge/client'");
    assert.equal(blocks.get(file), shown, `docs/client.md shows ${file} differently`);
  }
});

test('examples - quick start', async () => {
  assert.equal(await quickStart(host, broker.port), 'hello');
});

test('examples - persistent session catches up', async (t) => {
  const clientId = unique('orders');
  const first = await catchUp(host, broker.port, clientId);
  assert.deepEqual(first, { sessionPresent: false, topics: [] });
  const publisher = await open(t, broker.port);
  await publisher.publish('orders/42', 'new order', { qos: 1 });
  const second = await catchUp(host, broker.port, clientId);
  assert.deepEqual(second, { sessionPresent: true, topics: ['orders/42'] });
  const cleaner = await open(t, broker.port, { clientId, clean: true });
  await cleaner.disconnect();
});

test('examples - request/response', async () => {
  assert.equal(await requestResponse(host, broker.port), 'sum=5');
});

test('examples - error diagnosis', async () => {
  assert.equal(await diagnose(host, broker.port, 'ok/topic'), 'published');
  assert.equal(await diagnose(host, broker.port, 'bad/#'), 'INVALID_TOPIC');
});

test('examples - error diagnosis of an unreachable server', async (t) => {
  const server = createServer();
  const port = await listen(t, server);
  await new Promise((resolve) => server.close(resolve));
  assert.equal(await diagnose(host, port, 'x'), 'network: CONNECT_FAILED');
});

test('examples - error diagnosis of a refused connection', async (t) => {
  const fake = await FakeServer.tcp(t);
  const diagnosis = diagnose(host, fake.port, 'x');
  const peer = await fake.accept();
  await peer.handshake({ reasonCode: ReasonCode.NotAuthorized });
  assert.equal(await diagnosis, 'not allowed');
});

test('examples - long-running client events', async () => {
  assert.deepEqual(await longRunning(host, broker.port), [
    'connect false',
    'close by us',
    'end',
  ]);
});

test('examples - enhanced authentication against a challenging server', async (t) => {
  const fake = await FakeServer.tcp(t);
  const secret = 's3cret';
  const done = authenticate(host, fake.port, secret);
  const peer = await fake.accept();
  const connect = await peer.expect(PacketType.Connect);
  assert.equal(connect.properties?.authenticationMethod, 'HMAC-DEMO');
  const challenge = async (nonce: string) => {
    peer.send({
      type: PacketType.Auth,
      reasonCode: ReasonCode.ContinueAuthentication,
      properties: {
        authenticationMethod: 'HMAC-DEMO',
        authenticationData: Buffer.from(nonce),
      },
    });
    const answer = await peer.expect(PacketType.Auth);
    const expected = createHmac('sha256', secret).update(nonce).digest();
    assert.deepEqual(answer.properties?.authenticationData, expected);
  };
  await challenge('nonce-1');
  peer.send({ type: PacketType.Connack, sessionPresent: false, reasonCode: 0 });
  const reauth = await peer.expect(PacketType.Auth);
  assert.equal(reauth.reasonCode, ReasonCode.ReAuthenticate);
  await challenge('nonce-2');
  peer.send({ type: PacketType.Auth, reasonCode: ReasonCode.Success });
  await peer.expect(PacketType.Disconnect);
  assert.equal(await done, ReasonCode.Success);
});

let certs: Certs;
before(() => {
  certs = makeCerts();
});
after(() => certs.remove());

test('examples - TLS with a client certificate', async (t) => {
  const fake = new FakeServer();
  const server = createTlsServer(
    {
      cert: certs.serverCert,
      key: certs.serverKey,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => fake.add(socketPipe(socket)),
  );
  const port = await listen(t, server);
  const files = {
    ca: certs.caFile,
    cert: certs.clientCertFile,
    key: certs.clientKeyFile,
  };
  const state = overTls('localhost', port, files);
  const peer = await fake.accept();
  await peer.handshake();
  const publish = await peer.expect(PacketType.Publish);
  assert.equal(publish.payload.toString(), 'over TLS');
  peer.send({ type: PacketType.Puback, packetId: publish.packetId! });
  assert.equal(await state, 'closed');
});
