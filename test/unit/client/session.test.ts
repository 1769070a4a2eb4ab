/**
 * ClientSession: the in-flight state handed from one client to the next.
 * A second client with the same session resends PUBLISH with DUP and
 * PUBREL with their identifiers, completes the first client's publish
 * promises, and does not deliver twice a QoS 2 message the server sends
 * again; one session serves one connected client at a time.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import {
  ClientSession,
  type Message,
  MqttClient,
  UsageError,
} from '../../../src/client/index.js';
import { PacketType } from '../../../src/protocol/index.js';
import { FakeServer, listen, socketPipe } from './fake-server.js';

test('session - a second client resumes what the first had in flight', async (t) => {
  const server = await FakeServer.tcp(t);
  const session = new ClientSession();
  const options = {
    host: '127.0.0.1',
    port: server.port,
    clientId: 's1',
    clean: false,
    session,
  };
  const first = new MqttClient(options);
  t.after(() => first.end());
  const connecting = first.connect();
  const peer = await server.accept();
  await peer.handshake();
  await connecting;
  const once = first.publish('one', 'a', { qos: 2 });
  const twice = first.publish('two', 'b', { qos: 2 });
  const p1 = await peer.expect(PacketType.Publish);
  const p2 = await peer.expect(PacketType.Publish);
  peer.send({ type: PacketType.Pubrec, packetId: p2.packetId! });
  await peer.expect(PacketType.Pubrel);
  // The server sends a QoS 2 message; our PUBREC is lost with the link.
  peer.send({
    type: PacketType.Publish,
    dup: false,
    qos: 2,
    retain: false,
    topic: 'in',
    payload: Buffer.from('x'),
    packetId: 7,
  });
  await peer.expect(PacketType.Pubrec);
  peer.drop();
  await new Promise((resolve) => first.once('end', resolve));
  assert.equal(session.inflightCount, 2, 'the session keeps both publishes');

  const second = new MqttClient(options);
  t.after(() => second.end());
  const messages: Message[] = [];
  second.on('message', (m) => messages.push(m));
  const reconnecting = second.connect();
  const again = await server.accept();
  await again.handshake({ sessionPresent: true });
  await reconnecting;
  const resent = await again.expect(PacketType.Publish);
  assert.deepEqual(
    [resent.packetId, resent.dup, resent.topic],
    [p1.packetId, true, 'one'],
  );
  assert.equal((await again.expect(PacketType.Pubrel)).packetId, p2.packetId);
  again.send({ type: PacketType.Pubrec, packetId: p1.packetId! });
  await again.expect(PacketType.Pubrel);
  again.send({ type: PacketType.Pubcomp, packetId: p1.packetId! });
  again.send({ type: PacketType.Pubcomp, packetId: p2.packetId! });
  // The first client's promises settle on the second client's acks.
  assert.equal((await once).packetId, p1.packetId);
  assert.equal((await twice).packetId, p2.packetId);
  // The server sends its message again: PUBREC, but no second delivery.
  again.send({
    type: PacketType.Publish,
    dup: true,
    qos: 2,
    retain: false,
    topic: 'in',
    payload: Buffer.from('x'),
    packetId: 7,
  });
  await again.expect(PacketType.Pubrec);
  assert.deepEqual(messages, []);
});

test('session - one connected client at a time', async (t) => {
  const server = await FakeServer.tcp(t);
  server.autoHandshake = true;
  const session = new ClientSession();
  const options = { host: '127.0.0.1', port: server.port, clientId: 's2', session };
  const first = new MqttClient(options);
  t.after(() => first.end());
  await first.connect();
  const second = new MqttClient(options);
  await assert.rejects(second.connect(), UsageError);
  await first.end();
  await second.connect();
  await second.end();
});

test('session - clear() rejects what is in flight', async (t) => {
  const server = await FakeServer.tcp(t);
  server.autoHandshake = true;
  const session = new ClientSession();
  const client = new MqttClient({ host: '127.0.0.1', port: server.port, session });
  t.after(() => client.end());
  await client.connect();
  const pending = client.publish('t', 'p', { qos: 1 });
  await client.end();
  session.clear();
  await assert.rejects(pending, /session was cleared/);
  assert.equal(session.inflightCount, 0);
});

test('session - the previous client closing late leaves the next one working', async (t) => {
  // A server that keeps its side open after DISCONNECT: the first
  // client's socket closes only when its link gives up, two seconds on.
  const fake = new FakeServer();
  const server = createServer({ allowHalfOpen: true }, (s) => fake.add(socketPipe(s)));
  const port = await listen(t, server);
  const session = new ClientSession();
  const options = { host: '127.0.0.1', port, clientId: 's4', clean: false, session };
  const first = new MqttClient(options);
  t.after(() => first.end());
  const connecting = first.connect();
  const peer = await fake.accept();
  await peer.handshake();
  await connecting;
  void first.disconnect();
  await peer.expect(PacketType.Disconnect);
  const second = new MqttClient(options);
  t.after(() => second.end());
  const messages: Message[] = [];
  second.on('message', (m) => messages.push(m));
  const reconnecting = second.connect();
  const again = await fake.accept();
  await again.handshake({ sessionPresent: true });
  await reconnecting;
  // The old link gives up: the first client's close event comes now.
  await new Promise((resolve) => first.once('end', resolve));
  const sent = second.publish('t', 'x', { qos: 1 });
  const publish = await again.expect(PacketType.Publish);
  again.send({ type: PacketType.Puback, packetId: publish.packetId! });
  await sent;
  again.send({
    type: PacketType.Publish,
    dup: false,
    qos: 1,
    retain: false,
    topic: 'in',
    payload: Buffer.from('y'),
    packetId: 3,
  });
  assert.equal((await again.expect(PacketType.Puback)).packetId, 3);
  assert.deepEqual(
    messages.map((m) => m.topic),
    ['in'],
  );
});

test('session - a new server with a lower Receive Maximum gets no more than that', async (t) => {
  const server = await FakeServer.tcp(t);
  const session = new ClientSession();
  const options = {
    host: '127.0.0.1',
    port: server.port,
    clientId: 's5',
    clean: false,
    session,
    protocolVersion: 5,
  } as const;
  const first = new MqttClient(options);
  t.after(() => first.end());
  const connecting = first.connect();
  const peer = await server.accept();
  await peer.handshake();
  await connecting;
  const sent = Array.from({ length: 6 }, (_, i) =>
    first.publish(`t${i}`, 'x', { qos: 1 }),
  );
  for (let i = 0; i < 6; i++) await peer.expect(PacketType.Publish);
  peer.drop();
  await new Promise((resolve) => first.once('end', resolve));

  const second = new MqttClient(options);
  t.after(() => second.end());
  const reconnecting = second.connect();
  const again = await server.accept();
  await again.handshake({ sessionPresent: true, properties: { receiveMaximum: 2 } });
  await reconnecting;
  const wire = [
    await again.expect(PacketType.Publish),
    await again.expect(PacketType.Publish),
  ];
  const third = await again.next(200).catch(() => null);
  assert.equal(third, null, 'a third PUBLISH past Receive Maximum 2');
  // Each PUBACK frees a slot for the next one, resent in the first order.
  while (wire.length < 6) {
    again.send({ type: PacketType.Puback, packetId: wire[wire.length - 2]!.packetId! });
    wire.push(await again.expect(PacketType.Publish));
  }
  assert.deepEqual(
    wire.map((p) => [p.topic, p.dup]),
    Array.from({ length: 6 }, (_, i) => [`t${i}`, true]),
  );
  for (const p of wire.slice(4)) {
    again.send({ type: PacketType.Puback, packetId: p.packetId! });
  }
  await Promise.all(sent);
});
