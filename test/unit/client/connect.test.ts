/**
 * Connecting: the CONNECT the client sends for each version and option,
 * the ConnectResult from CONNACK, refusals and failures as typed errors.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import {
  ConnectionRefusedError,
  ConnectReturnCode,
  connect,
  MqttClient,
  ProtocolViolationError,
  ReasonCode,
  TransportError,
  UsageError,
} from '../../../src/client/index.js';
import { PacketType } from '../../../src/protocol/index.js';
import { FakeServer, listen } from './fake-server.js';

test('connect - 3.1.1 CONNECT: id, keepalive, credentials, will', async (t) => {
  const server = await FakeServer.tcp(t);
  const clientP = connect({
    host: '127.0.0.1',
    port: server.port,
    clientId: 'c1',
    keepalive: 30,
    clean: false,
    username: 'u',
    password: 'p',
    will: { topic: 'w/t', payload: 'gone', qos: 1, retain: true },
  });
  const peer = await server.accept();
  const connect4 = await peer.handshake({ sessionPresent: true });
  const client = await clientP;
  t.after(() => client.end());
  assert.equal(connect4.protocolVersion, 4);
  assert.equal(connect4.protocolName, 'MQTT');
  assert.equal(connect4.clientId, 'c1');
  assert.equal(connect4.keepAlive, 30);
  assert.equal(connect4.clean, false);
  assert.equal(connect4.username, 'u');
  assert.equal(connect4.password?.toString(), 'p');
  assert.equal(connect4.will?.topic, 'w/t');
  assert.equal(connect4.will?.payload.toString(), 'gone');
  assert.equal(connect4.will?.qos, 1);
  assert.equal(connect4.will?.retain, true);
  assert.equal(client.connectResult?.sessionPresent, true);
  assert.equal(client.state, 'connected');
});

test('connect - MQTT 3.1 sends MQIsdp and a generated 23-character id', async (t) => {
  const server = await FakeServer.tcp(t);
  const clientP = connect({ host: '127.0.0.1', port: server.port, protocolVersion: 3 });
  const peer = await server.accept();
  const packet = await peer.handshake();
  const client = await clientP;
  t.after(() => client.end());
  assert.equal(packet.protocolName, 'MQIsdp');
  assert.equal(packet.protocolVersion, 3);
  assert.match(packet.clientId, /^midge-[A-Za-z0-9]{17}$/);
});

test('connect - MQTT 5 properties go out, CONNACK properties come back', async (t) => {
  const server = await FakeServer.tcp(t);
  const clientP = connect({
    host: '127.0.0.1',
    port: server.port,
    protocolVersion: 5,
    properties: {
      sessionExpiryInterval: 120,
      receiveMaximum: 10,
      maximumPacketSize: 1000,
      topicAliasMaximum: 5,
      requestResponseInformation: 1,
      userProperties: [['a', 'b']],
    },
    will: { topic: 'w', payload: 'x', properties: { willDelayInterval: 9 } },
  });
  const peer = await server.accept();
  const packet = await peer.handshake({
    properties: { assignedClientIdentifier: 'auto-1', responseInformation: 'r/' },
  });
  const client = await clientP;
  t.after(() => client.end());
  assert.equal(packet.protocolVersion, 5);
  assert.equal(packet.clientId, '');
  assert.deepEqual(packet.properties, {
    sessionExpiryInterval: 120,
    receiveMaximum: 10,
    maximumPacketSize: 1000,
    topicAliasMaximum: 5,
    requestResponseInformation: 1,
    userProperties: [['a', 'b']],
  });
  assert.equal(packet.will?.properties?.willDelayInterval, 9);
  assert.equal(client.clientId, 'auto-1');
  assert.equal(client.connectResult?.properties?.responseInformation, 'r/');
});

test('connect - 3.1.1 refusal: ConnectionRefusedError, return code', async (t) => {
  const server = await FakeServer.tcp(t);
  const clientP = connect({ host: '127.0.0.1', port: server.port });
  const peer = await server.accept();
  await peer.handshake({ reasonCode: ConnectReturnCode.NotAuthorized });
  const err = await clientP.catch((e) => e);
  assert.ok(err instanceof ConnectionRefusedError);
  assert.equal(err.code, 'CONNACK_REFUSED');
  assert.equal(err.reasonCode, ConnectReturnCode.NotAuthorized);
  assert.match(err.message, /NotAuthorized/);
  await peer.waitClosed();
});

test('connect - a 5.0 refusal carries reason code and reason string', async (t) => {
  const server = await FakeServer.tcp(t);
  const clientP = connect({ host: '127.0.0.1', port: server.port, protocolVersion: 5 });
  const peer = await server.accept();
  await peer.handshake({
    reasonCode: ReasonCode.BadUserNameOrPassword,
    properties: { reasonString: 'who are you' },
  });
  const err = await clientP.catch((e) => e);
  assert.ok(err instanceof ConnectionRefusedError);
  assert.equal(err.reasonCode, ReasonCode.BadUserNameOrPassword);
  assert.equal(err.properties?.reasonString, 'who are you');
});

test('connect - nothing listening is a TransportError CONNECT_FAILED', async (t) => {
  const server = createServer();
  const port = await listen(t, server);
  server.close();
  await new Promise((r) => setTimeout(r, 20));
  const err = await connect({ host: '127.0.0.1', port }).catch((e) => e);
  assert.ok(err instanceof TransportError);
  assert.equal(err.code, 'CONNECT_FAILED');
  assert.match(err.message, /ECONNREFUSED/);
});

test('connect - no CONNACK within connectTimeout is CONNECT_TIMEOUT', async (t) => {
  const server = await FakeServer.tcp(t);
  const started = Date.now();
  const clientP = connect({ host: '127.0.0.1', port: server.port, connectTimeout: 150 });
  const peer = await server.accept();
  await peer.expect(PacketType.Connect);
  const err = await clientP.catch((e) => e);
  assert.ok(err instanceof TransportError);
  assert.equal(err.code, 'CONNECT_TIMEOUT');
  assert.ok(Date.now() - started < 1000);
  await peer.waitClosed();
});

test('connect - server closing before CONNACK is CONNECTION_LOST', async (t) => {
  const server = await FakeServer.tcp(t);
  const clientP = connect({ host: '127.0.0.1', port: server.port });
  const peer = await server.accept();
  await peer.expect(PacketType.Connect);
  peer.end();
  const err = await clientP.catch((e) => e);
  assert.ok(err instanceof TransportError);
  assert.equal(err.code, 'CONNECTION_LOST');
});

test('connect - a packet before CONNACK is refused [MQTT-3.2.0-1]', async (t) => {
  const server = await FakeServer.tcp(t);
  const clientP = connect({ host: '127.0.0.1', port: server.port, protocolVersion: 5 });
  const peer = await server.accept();
  await peer.expect(PacketType.Connect);
  peer.send({ type: PacketType.Pingresp });
  const err = await clientP.catch((e) => e);
  assert.ok(err instanceof ProtocolViolationError);
  assert.equal(err.reasonCode, ReasonCode.ProtocolError);
  const disconnect = await peer.expect(PacketType.Disconnect);
  assert.equal(disconnect.reasonCode, ReasonCode.ProtocolError);
});

test('connect - disconnect() during connect rejects with CLIENT_CLOSED', async (t) => {
  const server = await FakeServer.tcp(t);
  const client = new MqttClient({ host: '127.0.0.1', port: server.port });
  const connecting = client.connect();
  const peer = await server.accept();
  await peer.expect(PacketType.Connect);
  await client.disconnect();
  const err = await connecting.catch((e) => e);
  assert.equal(err.code, 'CLIENT_CLOSED');
  assert.equal(client.state, 'closed');
});

test('connect - wrong options are UsageError INVALID_OPTION', () => {
  const cases: Array<[object, RegExp]> = [
    [{ protocolVersion: 6 }, /protocolVersion/],
    [{ transport: 'unix' }, /path/],
    [{ keepalive: 70000 }, /keepalive/],
    [{ clean: false }, /client id/],
    [{ password: 'p' }, /username/],
    [{ properties: { sessionExpiryInterval: 1 } }, /MQTT 5/],
    [{ proxy: 'http://x' }, /socks5/],
    [{ will: { topic: 'a/#' } }, /will topic/],
    [{ protocolVersion: 3, clientId: 'x'.repeat(24) }, /1 to 23/],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => new MqttClient(options),
      (err) =>
        err instanceof UsageError &&
        err.code === 'INVALID_OPTION' &&
        message.test(err.message),
      JSON.stringify(options),
    );
  }
});

test('connect - a second disconnect() waits for the close under way', async (t) => {
  const server = await FakeServer.tcp(t);
  const client = new MqttClient({ host: '127.0.0.1', port: server.port });
  const connecting = client.connect();
  const peer = await server.accept();
  await peer.handshake();
  await connecting;
  const order: string[] = [];
  client.on('end', () => order.push('end'));
  const first = client.disconnect().then(() => order.push('first'));
  const second = client.disconnect().then(() => order.push('second'));
  await Promise.all([first, second]);
  assert.deepEqual(order, ['end', 'first', 'second']);
  assert.equal((await peer.expect(PacketType.Disconnect)).type, PacketType.Disconnect);
});
