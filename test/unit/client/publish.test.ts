/**
 * Outgoing PUBLISH: the QoS 0/1/2 flows, refusals as PublishError, the
 * in-flight window, write batching, the server's limits from CONNACK, and
 * outgoing topic aliases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MqttClient,
  PublishError,
  ReasonCode,
  TransportError,
  UsageError,
} from '../../../src/client/index.js';
import { PacketType } from '../../../src/protocol/index.js';
import { connectedPair, type FakePeer } from './fake-server.js';

/** True if `promise` has settled after a few turns of the event loop. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((r) => setTimeout(r, 30));
  return done;
}

test('publish - QoS 0 goes out at once and resolves with Success', async (t) => {
  const { peer, client } = await connectedPair(t);
  const result = await client.publish('a/b', 'hi', { retain: true });
  assert.deepEqual(result, { reasonCode: ReasonCode.Success });
  const packet = await peer.expect(PacketType.Publish);
  assert.equal(packet.topic, 'a/b');
  assert.equal(packet.payload.toString(), 'hi');
  assert.equal(packet.qos, 0);
  assert.equal(packet.retain, true);
  assert.equal(packet.packetId, undefined);
});

test('publish - QoS 1 resolves on PUBACK only', async (t) => {
  const { peer, client } = await connectedPair(t);
  const pending = client.publish('q1', Buffer.from([1, 2]), { qos: 1 });
  const packet = await peer.expect(PacketType.Publish);
  assert.equal(packet.qos, 1);
  assert.equal(packet.dup, false);
  assert.equal(await settled(pending), false);
  peer.send({ type: PacketType.Puback, packetId: packet.packetId! });
  assert.deepEqual(await pending, { packetId: packet.packetId, reasonCode: 0 });
});

test('publish - QoS 2 goes PUBLISH, PUBREC, PUBREL, PUBCOMP', async (t) => {
  const { peer, client } = await connectedPair(t);
  const pending = client.publish('q2', 'x', { qos: 2 });
  const packet = await peer.expect(PacketType.Publish);
  const packetId = packet.packetId!;
  peer.send({ type: PacketType.Pubrec, packetId });
  const pubrel = await peer.expect(PacketType.Pubrel);
  assert.equal(pubrel.packetId, packetId);
  assert.equal(await settled(pending), false);
  peer.send({ type: PacketType.Pubcomp, packetId });
  assert.equal((await pending).packetId, packetId);
});

test('publish - a 5.0 PUBACK failure rejects with PublishError', async (t) => {
  const { peer, client } = await connectedPair(t, { protocolVersion: 5 });
  const pending = client.publish('secret', 'x', { qos: 1 });
  const packet = await peer.expect(PacketType.Publish);
  peer.send({
    type: PacketType.Puback,
    packetId: packet.packetId!,
    reasonCode: ReasonCode.NotAuthorized,
    properties: { reasonString: 'acl' },
  });
  const err = await pending.catch((e) => e);
  assert.ok(err instanceof PublishError);
  assert.equal(err.code, 'PUBLISH_REFUSED');
  assert.equal(err.reasonCode, ReasonCode.NotAuthorized);
  assert.equal(err.properties?.reasonString, 'acl');
});

test('publish - a 5.0 PUBREC failure ends the flow without PUBREL', async (t) => {
  const { peer, client } = await connectedPair(t, { protocolVersion: 5 });
  const pending = client.publish('full', 'x', { qos: 2 });
  const packet = await peer.expect(PacketType.Publish);
  peer.send({
    type: PacketType.Pubrec,
    packetId: packet.packetId!,
    reasonCode: ReasonCode.QuotaExceeded,
  });
  const err = await pending.catch((e) => e);
  assert.equal(err.reasonCode, ReasonCode.QuotaExceeded);
  await client.publish('after', 'y');
  assert.equal((await peer.expect(PacketType.Publish)).topic, 'after');
});

test('publish - maxInflight holds back QoS 1 beyond the window', async (t) => {
  const { peer, client } = await connectedPair(t, { maxInflight: 2 });
  const results = [1, 2, 3, 4].map((i) => client.publish(`t/${i}`, 'x', { qos: 1 }));
  const first = await peer.expect(PacketType.Publish);
  const second = await peer.expect(PacketType.Publish);
  await assert.rejects(peer.next(100), /no packet/);
  assert.equal(client.inflightCount, 2);
  assert.equal(client.queuedCount, 2);
  peer.send({ type: PacketType.Puback, packetId: first.packetId! });
  const third = await peer.expect(PacketType.Publish);
  assert.equal(third.topic, 't/3');
  for (const p of [second, third])
    peer.send({ type: PacketType.Puback, packetId: p.packetId! });
  const fourth = await peer.expect(PacketType.Publish);
  peer.send({ type: PacketType.Puback, packetId: fourth.packetId! });
  await Promise.all(results);
  assert.equal(client.inflightCount, 0);
});

test('publish - server receiveMaximum caps the window [MQTT-4.9.0-2]', async (t) => {
  const { peer, client } = await connectedPair(
    t,
    { protocolVersion: 5 },
    { properties: { receiveMaximum: 1 } },
  );
  const a = client.publish('a', 'x', { qos: 2 });
  const b = client.publish('b', 'x', { qos: 1 });
  const first = await peer.expect(PacketType.Publish);
  await assert.rejects(peer.next(100), /no packet/);
  peer.send({ type: PacketType.Pubrec, packetId: first.packetId! });
  await peer.expect(PacketType.Pubrel);
  await assert.rejects(peer.next(100), /no packet/);
  peer.send({ type: PacketType.Pubcomp, packetId: first.packetId! });
  const second = await peer.expect(PacketType.Publish);
  assert.equal(second.topic, 'b');
  peer.send({ type: PacketType.Puback, packetId: second.packetId! });
  await Promise.all([a, b]);
});

test('publish - packets of one turn leave in one write', async (t) => {
  const { peer, client } = await connectedPair(t);
  const before = peer.chunks.length;
  const all = [];
  for (let i = 0; i < 20; i++) all.push(client.publish(`batch/${i}`, 'x'));
  await Promise.all(all);
  for (let i = 0; i < 20; i++) await peer.expect(PacketType.Publish);
  assert.equal(peer.chunks.length - before, 1);
});

test('publish - server maximumPacketSize respected [MQTT-3.1.2-24]', async (t) => {
  const { peer, client } = await connectedPair(
    t,
    { protocolVersion: 5 },
    { properties: { maximumPacketSize: 64 } },
  );
  const err = await client.publish('big', Buffer.alloc(100), { qos: 1 }).catch((e) => e);
  assert.ok(err instanceof UsageError);
  assert.equal(err.code, 'PACKET_TOO_LARGE');
  assert.equal(client.inflightCount, 0);
  await client.publish('small', 'x');
  assert.equal((await peer.expect(PacketType.Publish)).topic, 'small');
});

test("publish - QoS and retain beyond the server's limits are refused", async (t) => {
  const { client } = await connectedPair(
    t,
    { protocolVersion: 5 },
    { properties: { maximumQoS: 1, retainAvailable: 0 } },
  );
  const qos = await client.publish('a', 'x', { qos: 2 }).catch((e) => e);
  assert.equal(qos.code, 'QOS_NOT_SUPPORTED');
  const retain = await client.publish('a', 'x', { retain: true }).catch((e) => e);
  assert.equal(retain.code, 'RETAIN_NOT_SUPPORTED');
});

test('publish - bad arguments are UsageErrors and nothing is sent', async (t) => {
  const { peer, client } = await connectedPair(t);
  const cases: Array<[Promise<unknown>, string]> = [
    [client.publish('a/+', 'x'), 'INVALID_TOPIC'],
    [client.publish('', 'x'), 'INVALID_TOPIC'],
    [client.publish('a', 'x', { qos: 3 as 0 }), 'INVALID_QOS'],
    [client.publish('a', 'x', { properties: { contentType: 'c' } }), 'INVALID_OPTION'],
  ];
  for (const [pending, code] of cases) {
    const err = await pending.catch((e) => e);
    assert.ok(err instanceof UsageError, code);
    assert.equal(err.code, code);
  }
  await assert.rejects(peer.next(50), /no packet/);
  const idle = new MqttClient({ host: '127.0.0.1', port: 9 });
  const err = await idle.publish('a', 'x').catch((e) => e);
  assert.equal(err.code, 'NOT_CONNECTED');
});

test('publish - a loss without reconnect rejects what is pending', async (t) => {
  const { peer, client } = await connectedPair(t);
  const events: string[] = [];
  client.on('close', (e) => events.push(`close:${e?.code}`));
  client.on('end', (e) => events.push(`end:${e?.code}`));
  const pending = client.publish('a', 'x', { qos: 1 });
  await peer.expect(PacketType.Publish);
  peer.drop();
  const err = await pending.catch((e) => e);
  assert.ok(err instanceof TransportError);
  assert.equal(err.code, 'CONNECTION_LOST');
  assert.deepEqual(events, ['close:CONNECTION_LOST', 'end:CONNECTION_LOST']);
  assert.equal(client.state, 'closed');
});

async function publishTopics(peer: FakePeer, n: number) {
  const seen = [];
  for (let i = 0; i < n; i++) {
    const p = await peer.expect(PacketType.Publish);
    seen.push([p.topic, p.properties?.topicAlias]);
  }
  return seen;
}

test('publish - autoTopicAlias replaces repeated topics by aliases', async (t) => {
  const { peer, client } = await connectedPair(
    t,
    { protocolVersion: 5, autoTopicAlias: true },
    { properties: { topicAliasMaximum: 2 } },
  );
  for (const topic of ['a', 'a', 'b', 'c', 'b']) await client.publish(topic, 'x');
  assert.deepEqual(await publishTopics(peer, 5), [
    ['a', 1],
    ['', 1],
    ['b', 2],
    ['c', undefined],
    ['', 2],
  ]);
});

test('publish - a chosen topic alias is set once, then reused', async (t) => {
  const { peer, client } = await connectedPair(
    t,
    { protocolVersion: 5 },
    { properties: { topicAliasMaximum: 2 } },
  );
  await client.publish('long/topic', 'x', { properties: { topicAlias: 2 } });
  await client.publish('long/topic', 'y', { properties: { topicAlias: 2 } });
  await client.publish('', 'z', { properties: { topicAlias: 2 } });
  assert.deepEqual(await publishTopics(peer, 3), [
    ['long/topic', 2],
    ['', 2],
    ['', 2],
  ]);
  // [MQTT-3.3.2-9] not above the server's maximum.
  const over = await client
    .publish('t', 'x', { properties: { topicAlias: 3 } })
    .catch((e) => e);
  assert.equal(over.code, 'TOPIC_ALIAS_INVALID');
  const unset = await client
    .publish('', 'x', { properties: { topicAlias: 1 } })
    .catch((e) => e);
  assert.equal(unset.code, 'TOPIC_ALIAS_INVALID');
});

test('publish - PUBCOMP PacketIdentifierNotFound still resolves', async (t) => {
  const { peer, client } = await connectedPair(t, { protocolVersion: 5 });
  const pending = client.publish('q2', 'x', { qos: 2 });
  const { packetId } = await peer.expect(PacketType.Publish);
  peer.send({ type: PacketType.Pubrec, packetId: packetId! });
  await peer.expect(PacketType.Pubrel);
  peer.send({
    type: PacketType.Pubcomp,
    packetId: packetId!,
    reasonCode: ReasonCode.PacketIdentifierNotFound,
  });
  assert.equal((await pending).reasonCode, ReasonCode.PacketIdentifierNotFound);
});

test('publish - with no window limit, a publish waits for a free packet id', async (t) => {
  // 3.1.1 has no Receive Maximum and maxInflight 0 lifts ours: a pending
  // SUBSCRIBE and 65534 publishes take every identifier.
  const { peer, client } = await connectedPair(t, { maxInflight: 0 });
  void client.subscribe('s').catch(() => {});
  await peer.expect(PacketType.Subscribe);
  const sent = Array.from({ length: 65535 }, () => client.publish('t', '', { qos: 1 }));
  // The unacknowledged ones are rejected when the test ends the client.
  for (const p of sent) p.catch(() => {});
  const first = await peer.expect(PacketType.Publish);
  for (let i = 1; i < 65534; i++) await peer.expect(PacketType.Publish);
  const last = sent[65534]!;
  assert.equal(await settled(last), false, 'the last publish has no id yet');
  assert.equal(client.queuedCount, 1);
  peer.send({ type: PacketType.Puback, packetId: first.packetId! });
  const resent = await peer.expect(PacketType.Publish);
  assert.equal(resent.packetId, first.packetId);
  peer.send({ type: PacketType.Puback, packetId: resent.packetId! });
  await last;
});

test('publish - a PUBREC for an unknown id still gets its PUBREL', async (t) => {
  const { peer } = await connectedPair(t, { protocolVersion: 5 });
  peer.send({ type: PacketType.Pubrec, packetId: 42 });
  assert.equal((await peer.expect(PacketType.Pubrel)).packetId, 42);
  // A refusal ends the server's flow by itself: nothing to answer.
  peer.send({
    type: PacketType.Pubrec,
    packetId: 43,
    reasonCode: ReasonCode.QuotaExceeded,
  });
  await assert.rejects(peer.next(100), /no packet/);
});
