/**
 * Incoming messages: delivery and acks for each QoS, duplicates, incoming
 * topic aliases, the client's receiveMaximum, subscribe/unsubscribe
 * results, and the server breaking the protocol.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Message,
  ProtocolViolationError,
  ReasonCode,
  ServerDisconnectError,
} from '../../../src/client/index.js';
import { PacketType, type PublishPacket } from '../../../src/protocol/index.js';
import { connectedPair } from './fake-server.js';

function publish(fields: Partial<PublishPacket>): PublishPacket {
  return {
    type: PacketType.Publish,
    dup: false,
    qos: 0,
    retain: false,
    topic: 't',
    payload: Buffer.from('p'),
    ...fields,
  };
}

function collect(client: { on(e: 'message', f: (m: Message) => void): unknown }) {
  const messages: Message[] = [];
  client.on('message', (m) => messages.push(m));
  return messages;
}

test('receive - messages carry topic, payload, flags, properties', async (t) => {
  const { peer, client } = await connectedPair(t, { protocolVersion: 5 });
  const messages = collect(client);
  peer.send(publish({ topic: 'a', retain: true, properties: { contentType: 'text' } }));
  peer.send(publish({ topic: 'b', qos: 1, packetId: 7, dup: true }));
  const puback = await peer.expect(PacketType.Puback);
  assert.equal(puback.packetId, 7);
  assert.equal(messages.length, 2);
  const [a, b] = messages as [Message, Message];
  assert.equal(a.topic, 'a');
  assert.equal(a.payload.toString(), 'p');
  assert.equal(a.qos, 0);
  assert.equal(a.retain, true);
  assert.equal(a.properties?.contentType, 'text');
  assert.equal(b.qos, 1);
  assert.equal(b.dup, true);
  assert.equal(b.packetId, 7);
});

test('receive - QoS 2 is delivered once though the PUBLISH is resent', async (t) => {
  const { peer, client } = await connectedPair(t);
  const messages = collect(client);
  peer.send(publish({ qos: 2, packetId: 3 }));
  assert.equal((await peer.expect(PacketType.Pubrec)).packetId, 3);
  peer.send(publish({ qos: 2, packetId: 3, dup: true }));
  assert.equal((await peer.expect(PacketType.Pubrec)).packetId, 3);
  peer.send({ type: PacketType.Pubrel, packetId: 3 });
  assert.equal((await peer.expect(PacketType.Pubcomp)).packetId, 3);
  assert.equal(messages.length, 1);
  // After PUBCOMP the identifier is free for a new message.
  peer.send(publish({ qos: 2, packetId: 3 }));
  await peer.expect(PacketType.Pubrec);
  assert.equal(messages.length, 2);
});

test('receive - unknown PUBREL id: PUBCOMP PacketIdentifierNotFound', async (t) => {
  const { peer } = await connectedPair(t, { protocolVersion: 5 });
  peer.send({ type: PacketType.Pubrel, packetId: 99 });
  const pubcomp = await peer.expect(PacketType.Pubcomp);
  assert.equal(pubcomp.reasonCode, ReasonCode.PacketIdentifierNotFound);
});

test('receive - incoming topic aliases are resolved', async (t) => {
  const { peer, client } = await connectedPair(t, {
    protocolVersion: 5,
    properties: { topicAliasMaximum: 4 },
  });
  const messages = collect(client);
  peer.send(publish({ topic: 'long/name', properties: { topicAlias: 4 } }));
  peer.send(publish({ topic: '', properties: { topicAlias: 4 } }));
  peer.send(publish({ qos: 1, packetId: 1 }));
  await peer.expect(PacketType.Puback);
  assert.deepEqual(
    messages.map((m) => m.topic),
    ['long/name', 'long/name', 't'],
  );
  assert.equal(messages[1]?.properties?.topicAlias, 4);
});

test('receive - alias over our maximum: TopicAliasInvalid [MQTT-3.3.2-10]', async (t) => {
  const { peer, client } = await connectedPair(t, {
    protocolVersion: 5,
    properties: { topicAliasMaximum: 2 },
  });
  const closed = new Promise((resolve) => client.on('close', resolve));
  peer.send(publish({ topic: 'x', properties: { topicAlias: 3 } }));
  const disconnect = await peer.expect(PacketType.Disconnect);
  assert.equal(disconnect.reasonCode, ReasonCode.TopicAliasInvalid);
  const err = await closed;
  assert.ok(err instanceof ProtocolViolationError);
  assert.equal(err.reasonCode, ReasonCode.TopicAliasInvalid);
});

test('receive - an unknown topic alias is a ProtocolError', async (t) => {
  const { peer } = await connectedPair(t, {
    protocolVersion: 5,
    properties: { topicAliasMaximum: 2 },
  });
  peer.send(publish({ topic: '', properties: { topicAlias: 1 } }));
  const disconnect = await peer.expect(PacketType.Disconnect);
  assert.equal(disconnect.reasonCode, ReasonCode.ProtocolError);
});

test('receive - QoS 2 beyond our receiveMaximum [MQTT-3.3.4-9]', async (t) => {
  const { peer } = await connectedPair(t, {
    protocolVersion: 5,
    properties: { receiveMaximum: 1 },
  });
  peer.send(publish({ qos: 2, packetId: 1 }));
  await peer.expect(PacketType.Pubrec);
  peer.send(publish({ qos: 2, packetId: 2 }));
  const disconnect = await peer.expect(PacketType.Disconnect);
  assert.equal(disconnect.reasonCode, ReasonCode.ReceiveMaximumExceeded);
});

test('receive - a malformed packet closes with DISCONNECT MalformedPacket', async (t) => {
  const { peer, client } = await connectedPair(t, { protocolVersion: 5 });
  const closed = new Promise((resolve) => client.on('close', resolve));
  // PUBLISH with QoS 3 in the fixed header.
  peer.sendRaw(Buffer.from([0x36, 0x03, 0x00, 0x01, 0x61]));
  const disconnect = await peer.expect(PacketType.Disconnect);
  assert.equal(disconnect.reasonCode, ReasonCode.MalformedPacket);
  const err = (await closed) as ProtocolViolationError;
  assert.equal(err.code, 'PROTOCOL_VIOLATION');
  assert.equal(err.reasonCode, ReasonCode.MalformedPacket);
  await peer.waitClosed();
});

test('receive - a 3.1.1 protocol violation closes without DISCONNECT', async (t) => {
  const { peer, client } = await connectedPair(t);
  const closed = new Promise((resolve) => client.on('close', resolve));
  peer.send({ type: PacketType.Connack, sessionPresent: false, reasonCode: 0 });
  const err = (await closed) as ProtocolViolationError;
  assert.equal(err.reasonCode, ReasonCode.ProtocolError);
  await peer.waitClosed();
  assert.equal(peer.received.at(-1)?.type, PacketType.Connect);
});

test('receive - a server DISCONNECT is reported with its reason', async (t) => {
  const { peer, client } = await connectedPair(t, { protocolVersion: 5 });
  const infos: unknown[] = [];
  client.on('disconnect', (info) => infos.push(info));
  const ended = new Promise((resolve) => client.on('end', resolve));
  const pending = client.publish('a', 'x', { qos: 1 });
  await peer.expect(PacketType.Publish);
  peer.send({
    type: PacketType.Disconnect,
    reasonCode: ReasonCode.SessionTakenOver,
    properties: { reasonString: 'another client' },
  });
  const err = await pending.catch((e) => e);
  assert.ok(err instanceof ServerDisconnectError);
  assert.equal(err.reasonCode, ReasonCode.SessionTakenOver);
  assert.match(err.message, /SessionTakenOver \(another client\)/);
  assert.deepEqual(infos, [
    {
      reasonCode: ReasonCode.SessionTakenOver,
      properties: { reasonString: 'another client' },
    },
  ]);
  assert.equal(await ended, err);
});

test('subscribe - options out, granted codes back, failures included', async (t) => {
  const { peer, client } = await connectedPair(t, { protocolVersion: 5 });
  const pending = client.subscribe(['a/#', { topic: 'b', qos: 2, noLocal: true }], {
    qos: 1,
    retainHandling: 2,
    properties: { subscriptionIdentifiers: [5] },
  });
  const sub = await peer.expect(PacketType.Subscribe);
  assert.deepEqual(sub.properties, { subscriptionIdentifiers: [5] });
  assert.deepEqual(
    sub.subscriptions.map((s) => [s.topicFilter, s.qos, s.noLocal, s.retainHandling]),
    [
      ['a/#', 1, false, 2],
      ['b', 2, true, 2],
    ],
  );
  peer.send({
    type: PacketType.Suback,
    packetId: sub.packetId,
    reasonCodes: [ReasonCode.GrantedQoS1, ReasonCode.NotAuthorized],
  });
  const result = await pending;
  assert.deepEqual(result.granted, [
    { topic: 'a/#', reasonCode: 1, qos: 1 },
    { topic: 'b', reasonCode: ReasonCode.NotAuthorized },
  ]);
});

test('subscribe - bad filters are refused before sending', async (t) => {
  const { peer, client } = await connectedPair(t, { protocolVersion: 5 });
  for (const filter of ['a/#/b', 'a+', '', '$share/g', '$share//a']) {
    const err = await client.subscribe(filter).catch((e) => e);
    assert.equal(err.code, 'INVALID_TOPIC', filter);
  }
  const shared = await client
    .subscribe({ topic: '$share/g/a', noLocal: true })
    .catch((e) => e);
  assert.equal(shared.code, 'INVALID_OPTION');
  assert.equal((await client.subscribe([]).catch((e) => e)).code, 'INVALID_TOPIC');
  await assert.rejects(peer.next(50), /no packet/);
});

test('unsubscribe - 3.1.1 UNSUBACK reads as one Success per filter', async (t) => {
  const { peer, client } = await connectedPair(t);
  const pending = client.unsubscribe(['a', 'b']);
  const unsub = await peer.expect(PacketType.Unsubscribe);
  assert.deepEqual(unsub.topicFilters, ['a', 'b']);
  peer.send({ type: PacketType.Unsuback, packetId: unsub.packetId });
  assert.deepEqual((await pending).reasonCodes, [0, 0]);
});

test("subscribe - over the server's maximumPacketSize is refused", async (t) => {
  const { peer, client } = await connectedPair(
    t,
    { protocolVersion: 5 },
    { properties: { maximumPacketSize: 32 } },
  );
  const err = await client.subscribe('x'.repeat(40)).catch((e) => e);
  assert.equal(err.code, 'PACKET_TOO_LARGE');
  await assert.rejects(peer.next(50), /no packet/);
});

test('receive - a packet over our maximumPacketSize: DISCONNECT PacketTooLarge', async (t) => {
  const { peer } = await connectedPair(t, {
    protocolVersion: 5,
    properties: { maximumPacketSize: 64 },
  });
  peer.send(publish({ payload: Buffer.alloc(100) }));
  const disconnect = await peer.expect(PacketType.Disconnect);
  assert.equal(disconnect.reasonCode, ReasonCode.PacketTooLarge);
});

test('receive - disconnect() from a message listener ends cleanly', async (t) => {
  const { peer, client } = await connectedPair(t, { protocolVersion: 5 });
  const ended = new Promise((resolve) => client.on('end', resolve));
  client.on('message', () => {
    client.disconnect({
      reasonCode: ReasonCode.DisconnectWithWill,
      properties: { sessionExpiryInterval: 10, reasonString: 'bye' },
    });
  });
  peer.send(publish({ qos: 1, packetId: 9 }));
  const disconnect = await peer.expect(PacketType.Disconnect);
  assert.equal(disconnect.reasonCode, ReasonCode.DisconnectWithWill);
  assert.deepEqual(disconnect.properties, {
    sessionExpiryInterval: 10,
    reasonString: 'bye',
  });
  assert.equal(await ended, undefined);
});
