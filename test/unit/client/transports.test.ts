/**
 * The other transports: WebSocket (ws and wss) against a `ws` server, a
 * Unix socket, a SOCKS5 proxy, and DNS SRV lookup against a DNS server
 * the test runs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
import { WebSocketServer } from 'ws';
import {
  type ClientOptions,
  MqttClient,
  TransportError,
} from '../../../src/client/index.js';
import { PacketType } from '../../../src/protocol/index.js';
import { type Certs, makeCerts } from '../../helpers/certs.js';
import { DnsServer } from '../../helpers/dns-server.js';
import { connectOrError, FakeServer, listen, socketPipe, wsPipe } from './fake-server.js';
import { startSocksProxy } from './test-servers.js';

let certs: Certs;
before(() => {
  certs = makeCerts();
});
after(() => certs.remove());

/** A round trip: subscribe, and receive a message the peer sends. */
async function roundTrip(client: MqttClient, fake: FakeServer): Promise<void> {
  const peer = fake.peers.at(-1)!;
  const subscribing = client.subscribe('x');
  const sub = await peer.expect(PacketType.Subscribe);
  peer.send({ type: PacketType.Suback, packetId: sub.packetId, reasonCodes: [0] });
  await subscribing;
  const got = new Promise<string>((resolve) =>
    client.once('message', (m) => resolve(m.payload.toString())),
  );
  peer.send({
    type: PacketType.Publish,
    dup: false,
    qos: 0,
    retain: false,
    topic: 'x',
    payload: Buffer.alloc(70_000, 'w'),
  });
  assert.equal((await got).length, 70_000);
}

async function wsServer(t: TestContext, secure: boolean) {
  const fake = new FakeServer();
  fake.autoHandshake = true;
  const requests: IncomingMessage[] = [];
  const http = secure
    ? createHttpsServer({ cert: certs.serverCert, key: certs.serverKey })
    : createHttpServer();
  const wss = new WebSocketServer({
    server: http,
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
  });
  wss.on('connection', (ws, request) => {
    requests.push(request);
    fake.add(wsPipe(ws));
  });
  t.after(() => wss.close());
  const port = await listen(t, http as unknown as import('node:net').Server);
  return Object.assign(fake, { port, requests });
}

test('transport - ws: MQTT over WebSocket with sub-protocol mqtt', async (t) => {
  const fake = await wsServer(t, false);
  const client = await connectOrError(t, {
    host: '127.0.0.1',
    port: fake.port,
    transport: 'ws',
    websocket: { path: '/mqtt/ws', headers: { 'x-test': '1' } },
  });
  assert.ok(client instanceof MqttClient, String(client));
  assert.equal(fake.requests[0]?.url, '/mqtt/ws');
  assert.equal(fake.requests[0]?.headers['sec-websocket-protocol'], 'mqtt');
  assert.equal(fake.requests[0]?.headers['x-test'], '1');
  await roundTrip(client, fake);
});

test('transport - wss: WebSocket over TLS checks the certificate', async (t) => {
  const fake = await wsServer(t, true);
  const options: ClientOptions = { host: 'localhost', port: fake.port, transport: 'wss' };
  const unknown = await connectOrError(t, options);
  assert.ok(unknown instanceof TransportError);
  assert.equal(unknown.code, 'TLS_FAILED');
  const client = await connectOrError(t, { ...options, tls: { ca: certs.ca } });
  assert.ok(client instanceof MqttClient, String(client));
  assert.equal(fake.requests[0]?.url, '/mqtt');
  await roundTrip(client, fake);
});

test('transport - ws: an HTTP error is WEBSOCKET_FAILED', async (t) => {
  const http = createHttpServer((_req, res) => res.writeHead(404).end());
  const port = await listen(t, http as unknown as import('node:net').Server);
  const err = await connectOrError(t, { host: '127.0.0.1', port, transport: 'ws' });
  assert.ok(err instanceof TransportError);
  assert.equal(err.code, 'WEBSOCKET_FAILED');
  assert.match(err.message, /404/);
});

test('transport - unix socket', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-client-unix-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'mqtt.sock');
  const fake = new FakeServer();
  fake.autoHandshake = true;
  await listen(
    t,
    createServer((s) => fake.add(socketPipe(s))),
    path,
  );
  const client = await connectOrError(t, { transport: 'unix', path });
  assert.ok(client instanceof MqttClient, String(client));
  await roundTrip(client, fake);
});

test('transport - SOCKS5 proxy with remote DNS and credentials', async (t) => {
  const fake = await FakeServer.tcp(t);
  fake.autoHandshake = true;
  const proxy = await startSocksProxy(t, fake.port, {
    username: 'u s',
    password: 'p@ss',
  });
  const client = await connectOrError(t, {
    host: 'broker.invalid',
    port: 1234,
    proxy: `socks5h://u%20s:p%40ss@127.0.0.1:${proxy.port}`,
  });
  assert.ok(client instanceof MqttClient, String(client));
  assert.deepEqual(proxy.requests, [
    { atyp: 3, host: 'broker.invalid', port: 1234, username: 'u s', password: 'p@ss' },
  ]);
  await roundTrip(client, fake);
});

test('transport - SOCKS5 without auth, IP target, refused credentials', async (t) => {
  const fake = await FakeServer.tcp(t);
  fake.autoHandshake = true;
  const open = await startSocksProxy(t, fake.port);
  const client = await connectOrError(t, {
    host: '127.0.0.1',
    port: 1883,
    proxy: `socks5h://127.0.0.1:${open.port}`,
  });
  assert.ok(client instanceof MqttClient, String(client));
  const v6 = await connectOrError(t, {
    host: '::ffff:10.0.0.1',
    port: 1883,
    proxy: `socks5h://127.0.0.1:${open.port}`,
  });
  assert.ok(v6 instanceof MqttClient, String(v6));
  assert.deepEqual(open.requests, [
    { atyp: 1, host: '127.0.0.1', port: 1883 },
    { atyp: 4, host: '00000000000000000000ffff0a000001', port: 1883 },
  ]);
  const guarded = await startSocksProxy(t, fake.port, { username: 'a', password: 'b' });
  const noAuth = await connectOrError(t, {
    host: 'h',
    proxy: `socks5h://127.0.0.1:${guarded.port}`,
  });
  assert.ok(noAuth instanceof TransportError);
  assert.equal(noAuth.code, 'PROXY_FAILED');
  const badAuth = await connectOrError(t, {
    host: 'h',
    proxy: `socks5h://a:wrong@127.0.0.1:${guarded.port}`,
  });
  assert.ok(badAuth instanceof TransportError);
  assert.match(badAuth.message, /refused/);
});

test('transport - SRV lookup picks targets by priority and falls back', async (t) => {
  const second = await FakeServer.tcp(t);
  const third = await FakeServer.tcp(t);
  second.autoHandshake = true;
  third.autoHandshake = true;
  const closed = createServer();
  const closedPort = await listen(t, closed);
  closed.close();
  const dns = await DnsServer.forTest(t, {
    '_mqtt._tcp.example.test': [
      { priority: 30, weight: 0, port: third.port, target: 'localhost' },
      { priority: 20, weight: 0, port: second.port, target: 'localhost' },
      { priority: 10, weight: 5, port: closedPort, target: 'localhost' },
    ],
  });
  const client = await connectOrError(t, {
    host: 'example.test',
    srv: true,
    dnsServers: [dns.address],
  });
  assert.ok(client instanceof MqttClient, String(client));
  assert.deepEqual(dns.questions, ['_mqtt._tcp.example.test']);
  assert.equal(third.peers.length, 0);
  await roundTrip(client, second);
});

test('transport - SRV for TLS asks _secure-mqtt; a missing record fails', async (t) => {
  const dns = await DnsServer.forTest(t, {});
  const err = await connectOrError(t, {
    host: 'nowhere.test',
    srv: true,
    transport: 'tls',
    dnsServers: [dns.address],
  });
  assert.ok(err instanceof TransportError);
  assert.equal(err.code, 'SRV_LOOKUP_FAILED');
  assert.deepEqual(dns.questions, ['_secure-mqtt._tcp.nowhere.test']);
});
