/**
 * The client library against a real broker: midge from dist/ by default,
 * Debian's Mosquitto with MIDGE_TEST_BROKER=mosquitto. Round trips for
 * every version and QoS, retained messages, wills, persistent sessions,
 * MQTT 5 properties and topic aliases, refusals and takeovers as typed
 * errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MqttClient,
  type ProtocolVersion,
  ReasonCode,
  ServerDisconnectError,
  type TransportError,
} from '../../src/client/index.js';
import { fileBroker, unique, useMosquitto } from '../helpers/conformance.js';
import { Inbox, open } from './helpers.js';

const broker = fileBroker();

for (const version of [3, 4, 5] as ProtocolVersion[]) {
  test(`broker - v${version} round trip at QoS 0, 1 and 2`, async (t) => {
    const topic = unique('rt');
    const sub = await open(t, broker.port, { protocolVersion: version });
    const inbox = new Inbox(sub);
    const granted = await sub.subscribe(`${topic}/#`, { qos: 2 });
    assert.deepEqual(granted.granted, [{ topic: `${topic}/#`, reasonCode: 2, qos: 2 }]);
    const pub = await open(t, broker.port, { protocolVersion: version });
    for (const qos of [0, 1, 2] as const) {
      const result = await pub.publish(`${topic}/${qos}`, `m${qos}`, { qos });
      assert.equal(result.reasonCode, 0);
      if (qos > 0) assert.ok(result.packetId! > 0);
      const message = await inbox.next();
      assert.equal(message.topic, `${topic}/${qos}`);
      assert.equal(message.payload.toString(), `m${qos}`);
      assert.equal(message.qos, qos);
      assert.equal(message.retain, false);
    }
    await pub.disconnect();
    await sub.disconnect();
    assert.equal(sub.state, 'closed');
  });
}

test('broker - retained for later subscribers; empty payload clears', async (t) => {
  const topic = unique('retained');
  const pub = await open(t, broker.port);
  await pub.publish(topic, 'kept', { qos: 1, retain: true });
  const sub = await open(t, broker.port);
  const inbox = new Inbox(sub);
  await sub.subscribe(topic);
  const message = await inbox.next();
  assert.equal(message.retain, true);
  assert.equal(message.payload.toString(), 'kept');
  await pub.publish(topic, '', { qos: 1, retain: true });
  await inbox.next(); // the clearing message itself, live
  const late = await open(t, broker.port);
  const lateInbox = new Inbox(late);
  await late.subscribe(topic);
  await lateInbox.none();
});

test('broker - the will is published on end() but not on disconnect()', async (t) => {
  const topic = unique('will');
  const watcher = await open(t, broker.port);
  const inbox = new Inbox(watcher);
  await watcher.subscribe(topic, { qos: 1 });
  const will = { topic, payload: 'gone', qos: 1 as const };
  const polite = await open(t, broker.port, { will });
  await polite.disconnect();
  await inbox.none();
  const rude = await open(t, broker.port, { will });
  await rude.end();
  const message = await inbox.next();
  assert.equal(message.payload.toString(), 'gone');
});

test('broker - a persistent session keeps QoS 1 messages while offline', async (t) => {
  const topic = unique('session');
  const clientId = unique('persist');
  const options = { clientId, clean: false, protocolVersion: 4 as const };
  const first = await open(t, broker.port, options);
  await first.subscribe(topic, { qos: 1 });
  await first.disconnect();
  const pub = await open(t, broker.port);
  await pub.publish(topic, 'while away', { qos: 1 });

  const again = new MqttClient({ host: '127.0.0.1', port: broker.port, ...options });
  t.after(() => again.end());
  const inbox = new Inbox(again); // before connect: delivery follows CONNACK at once
  const result = await again.connect();
  assert.equal(result.sessionPresent, true);
  const message = await inbox.next();
  assert.equal(message.payload.toString(), 'while away');
  assert.equal(message.qos, 1);
  await again.disconnect();
  // Clean up the session.
  const cleaner = await open(t, broker.port, { clientId, clean: true });
  await cleaner.disconnect();
});

test('broker - MQTT 5 properties pass through, topic aliases are used', async (t) => {
  const topic = unique('props');
  const sub = await open(t, broker.port, { protocolVersion: 5 });
  const inbox = new Inbox(sub);
  await sub.subscribe(topic, { qos: 1, properties: { subscriptionIdentifiers: [7] } });
  const pub = await open(t, broker.port, { protocolVersion: 5, autoTopicAlias: true });
  assert.ok((pub.connectResult?.properties?.topicAliasMaximum ?? 0) > 0);
  const properties = {
    contentType: 'text/plain',
    responseTopic: `${topic}/reply`,
    correlationData: Buffer.from('corr'),
    messageExpiryInterval: 60,
    payloadFormatIndicator: 1,
    userProperties: [['k', 'v'] as [string, string]],
  };
  for (let i = 0; i < 3; i++) await pub.publish(topic, `p${i}`, { qos: 1, properties });
  for (let i = 0; i < 3; i++) {
    const message = await inbox.next();
    assert.equal(message.topic, topic);
    assert.equal(message.payload.toString(), `p${i}`);
    const got = message.properties!;
    assert.equal(got.contentType, 'text/plain');
    assert.equal(got.responseTopic, `${topic}/reply`);
    assert.equal(got.correlationData?.toString(), 'corr');
    assert.equal(got.payloadFormatIndicator, 1);
    assert.ok(got.messageExpiryInterval! <= 60);
    assert.deepEqual(got.userProperties, [['k', 'v']]);
    assert.deepEqual(got.subscriptionIdentifiers, [7]);
  }
});

test('broker - unsubscribe stops delivery', async (t) => {
  const topic = unique('unsub');
  const client = await open(t, broker.port, { protocolVersion: 5 });
  const inbox = new Inbox(client);
  await client.subscribe(topic);
  const result = await client.unsubscribe([topic, `${topic}/none`]);
  assert.deepEqual(result.reasonCodes, [
    ReasonCode.Success,
    ReasonCode.NoSubscriptionExisted,
  ]);
  await client.publish(topic, 'x', { qos: 1 });
  await inbox.none();
});

test('broker - many QoS 1 and 2 messages through a small in-flight window', async (t) => {
  const topic = unique('flood');
  const client = await open(t, broker.port, { protocolVersion: 5, maxInflight: 5 });
  const inbox = new Inbox(client);
  await client.subscribe(topic, { qos: 2 });
  const sent = [];
  for (let i = 0; i < 300; i++) {
    sent.push(client.publish(topic, String(i), { qos: ((i % 2) + 1) as 1 | 2 }));
  }
  assert.ok(client.inflightCount <= 5);
  await Promise.all(sent);
  const byQos: Record<number, number[]> = { 1: [], 2: [] };
  for (let i = 0; i < 300; i++) {
    const message = await inbox.next();
    byQos[message.qos]!.push(Number(message.payload.toString()));
  }
  // Order holds within one QoS (MQTT 4.6), not across QoS levels.
  const all = [...Array(300).keys()];
  assert.deepEqual(
    byQos[1],
    all.filter((i) => i % 2 === 0),
  );
  assert.deepEqual(
    byQos[2],
    all.filter((i) => i % 2 === 1),
  );
});

test('broker - a session takeover ends the old client (5.0)', async (t) => {
  const clientId = unique('takeover');
  const first = await open(t, broker.port, { protocolVersion: 5, clientId });
  const ended = new Promise<unknown>((resolve) => first.on('end', resolve));
  await open(t, broker.port, { protocolVersion: 5, clientId });
  const err = await ended;
  if (useMosquitto) {
    // Observed: Mosquitto 2.0.11 closes the old connection without DISCONNECT.
    assert.equal((err as TransportError).code, 'CONNECTION_LOST');
    return;
  }
  assert.ok(err instanceof ServerDisconnectError);
  assert.equal(err.reasonCode, ReasonCode.SessionTakenOver);
});
