/**
 * Reconnect: backoff, resending what was in flight with DUP set and the
 * original identifiers, requests and queued publishes after a reconnect,
 * resubscribing when the server lost the session, and giving up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReconnectInfo } from '../../../src/client/index.js';
import { backoffDelay } from '../../../src/client/reconnect.js';
import { PacketType } from '../../../src/protocol/index.js';
import { connectedPair } from './fake-server.js';

const fast = { initialDelay: 10, maxDelay: 50, jitter: 0 };

test('reconnect - backoff grows by the factor up to maxDelay, with jitter', () => {
  const policy = {
    initialDelay: 100,
    maxDelay: 1000,
    factor: 2,
    jitter: 0,
    maxAttempts: 5,
  };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n)),
    [100, 200, 400, 800, 1000, 1000],
  );
  const jittered = { ...policy, jitter: 0.5 };
  assert.equal(
    backoffDelay(jittered, 0, () => 0),
    50,
  );
  assert.equal(
    backoffDelay(jittered, 0, () => 1),
    150,
  );
});

test('reconnect - PUBLISH resent with DUP, PUBREL too [MQTT-4.4.0-1]', async (t) => {
  const { server, peer, client } = await connectedPair(t, {
    clientId: 'r1',
    clean: false,
    reconnect: fast,
  });
  const q1 = client.publish('one', 'a', { qos: 1 });
  const q2 = client.publish('two', 'b', { qos: 2 });
  const p1 = await peer.expect(PacketType.Publish);
  const p2 = await peer.expect(PacketType.Publish);
  peer.send({ type: PacketType.Pubrec, packetId: p2.packetId! });
  await peer.expect(PacketType.Pubrel);
  peer.drop();

  const again = await server.accept();
  const connect = await again.handshake({ sessionPresent: true });
  assert.equal(connect.clean, false);
  const resent = await again.expect(PacketType.Publish);
  assert.equal(resent.packetId, p1.packetId);
  assert.equal(resent.dup, true);
  assert.equal(resent.topic, 'one');
  const pubrel = await again.expect(PacketType.Pubrel);
  assert.equal(pubrel.packetId, p2.packetId);
  again.send({ type: PacketType.Puback, packetId: p1.packetId! });
  again.send({ type: PacketType.Pubcomp, packetId: p2.packetId! });
  assert.equal((await q1).packetId, p1.packetId);
  assert.equal((await q2).packetId, p2.packetId);
});

test('reconnect - events, offline queue and pending SUBSCRIBE', async (t) => {
  const { server, peer, client } = await connectedPair(t, { reconnect: fast });
  const events: string[] = [];
  client.on('close', (e) => events.push(`close ${e?.code}`));
  client.on('reconnecting', (i: ReconnectInfo) =>
    events.push(`reconnecting ${i.attempt}`),
  );
  client.on('connect', () => events.push('connect'));
  const subscribing = client.subscribe('s/#', { qos: 1 });
  await peer.expect(PacketType.Subscribe);
  peer.drop();
  await new Promise((resolve) => client.once('reconnecting', resolve));
  assert.equal(client.state, 'reconnecting');
  const queued = client.publish('offline', 'x');

  const again = await server.accept();
  await again.handshake();
  const sub = await again.expect(PacketType.Subscribe);
  assert.equal(sub.subscriptions[0]?.topicFilter, 's/#');
  assert.equal((await again.expect(PacketType.Publish)).topic, 'offline');
  again.send({ type: PacketType.Suback, packetId: sub.packetId, reasonCodes: [1] });
  await subscribing;
  await queued;
  assert.deepEqual(events, ['close CONNECTION_LOST', 'reconnecting 1', 'connect']);
});

test('reconnect - no session on the server: subscribed again', async (t) => {
  const { server, peer, client } = await connectedPair(t, { reconnect: fast });
  const subscribing = client.subscribe(['a', 'b'], { qos: 2 });
  const sub = await peer.expect(PacketType.Subscribe);
  peer.send({ type: PacketType.Suback, packetId: sub.packetId, reasonCodes: [2, 0x80] });
  await subscribing;
  peer.drop();
  const again = await server.accept();
  await again.handshake({ sessionPresent: false });
  const resub = await again.expect(PacketType.Subscribe);
  // Only the granted filter comes back, with its options.
  assert.deepEqual(
    resub.subscriptions.map((s) => [s.topicFilter, s.qos]),
    [['a', 2]],
  );
});

test('reconnect - failed attempts are reported; maxAttempts gives up', async (t) => {
  const { server, peer, client } = await connectedPair(t, {
    reconnect: { ...fast, maxAttempts: 2 },
  });
  const errors: string[] = [];
  client.on('error', (e) => errors.push(e.code));
  const ended = new Promise((resolve) => client.on('end', resolve));
  const pending = client.publish('p', 'x', { qos: 1 });
  await peer.expect(PacketType.Publish);
  peer.drop();
  for (let i = 0; i < 2; i++) {
    const attempt = await server.accept();
    await attempt.handshake({ reasonCode: 5 });
  }
  const err = await ended;
  assert.deepEqual(errors, ['CONNACK_REFUSED', 'CONNACK_REFUSED']);
  assert.equal((err as { code: string }).code, 'CONNACK_REFUSED');
  assert.equal((await pending.catch((e) => e)).code, 'CONNACK_REFUSED');
  assert.equal(client.state, 'closed');
});

test('reconnect - disconnect() while waiting stops reconnecting', async (t) => {
  const { peer, client } = await connectedPair(t, {
    reconnect: { ...fast, initialDelay: 5000 },
  });
  peer.drop();
  await new Promise((resolve) => client.once('reconnecting', resolve));
  await client.disconnect();
  assert.equal(client.state, 'closed');
});
