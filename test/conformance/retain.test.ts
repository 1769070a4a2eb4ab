/**
 * retain: retained messages — set, replace, clear, delivery on subscribe
 * with the RETAIN flag, the flag on live delivery in 3.x and 5.0, Retain
 * Handling 0/1/2, Retain As Published and retain_available false.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { startBroker } from '../helpers/broker.js';
import { expectErrorClose, fileBroker, hexCode, unique } from '../helpers/conformance.js';
import { RawClient, type Version } from '../helpers/raw-client.js';
import { RC } from '../helpers/reason-codes.js';

const broker = fileBroker();

/** Publishes with QoS 1 and waits for the PUBACK, so the broker has it. */
async function publish(
  t: TestContext,
  topic: string,
  payload: string,
  options: { retain?: boolean; qos?: 0 | 1 } = {},
) {
  const { retain = true, qos = 1 } = options;
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  pub.send({
    cmd: 'publish',
    topic,
    payload,
    qos,
    retain,
    messageId: qos ? 1 : undefined,
  });
  if (qos) await pub.expect('puback');
  else {
    pub.send({ cmd: 'pingreq' });
    await pub.expect('pingresp');
  }
  pub.close();
}

async function freshSubscriber(t: TestContext, version: Version = 4) {
  return RawClient.session(t, broker.port, {
    clientId: unique('sub'),
    protocolVersion: version,
  });
}

test('[MQTT-3.3.1-5] a retained message goes to later subscribers with RETAIN 1', async (t) => {
  const topic = unique('ret');
  await publish(t, topic, 'kept');
  const sub = await freshSubscriber(t);
  await sub.subscribe(topic, 1);
  const msg = await sub.expect('publish');
  assert.equal(msg.payload.toString(), 'kept');
  assert.equal(msg.retain, true, '[MQTT-3.3.1-8] RETAIN 1 for a new subscription');
  assert.equal(msg.qos, 1);
  sub.send({ cmd: 'puback', messageId: msg.messageId });
  await sub.expectNothing(150);
});

test('[MQTT-3.3.1-5] a new retained message replaces the old one', async (t) => {
  const topic = unique('ret');
  await publish(t, topic, 'old');
  await publish(t, topic, 'new');
  const sub = await freshSubscriber(t);
  await sub.subscribe(topic, 0);
  assert.equal((await sub.expect('publish')).payload.toString(), 'new');
  await sub.expectNothing(150);
});

test('[MQTT-3.3.1-7] a retained QoS 0 message replaces the old one too', async (t) => {
  const topic = unique('ret');
  await publish(t, topic, 'old');
  await publish(t, topic, 'zero', { qos: 0 });
  const sub = await freshSubscriber(t);
  await sub.subscribe(topic, 1);
  const msg = await sub.expect('publish');
  assert.equal(msg.payload.toString(), 'zero');
  assert.equal(msg.qos, 0, 'stored at the QoS it was published with');
});

test('[MQTT-3.3.1-10] [MQTT-3.3.1-11] an empty retained message clears it', async (t) => {
  const topic = unique('ret');
  await publish(t, topic, 'gone');
  const live = await freshSubscriber(t);
  await live.subscribe(topic, 0);
  await live.expect('publish');
  await publish(t, topic, '');
  const empty = await live.expect('publish');
  assert.equal(empty.payload.length, 0, 'the empty message is delivered as usual');
  const later = await freshSubscriber(t);
  await later.subscribe(topic, 0);
  await later.expectNothing(200);
});

test('5.0 [MQTT-3.3.1-8] a message without RETAIN leaves the retained one', async (t) => {
  const topic = unique('ret');
  await publish(t, topic, 'kept');
  await publish(t, topic, 'passing', { retain: false });
  const sub = await freshSubscriber(t);
  await sub.subscribe(topic, 0);
  assert.equal((await sub.expect('publish')).payload.toString(), 'kept');
});

test('[MQTT-3.3.1-6] wildcard subscribe gets every matching retained message', async (t) => {
  const root = unique('tree');
  const topics = [`${root}/a`, `${root}/b/c`, `${root}/d`];
  for (const topic of topics) await publish(t, topic, topic);
  await publish(t, `${root}x/no`, 'other tree');
  const sub = await freshSubscriber(t);
  await sub.subscribe(`${root}/#`, 0);
  const got = [];
  for (let i = 0; i < topics.length; i += 1)
    got.push((await sub.expect('publish')).topic);
  assert.deepEqual(got.sort(), topics);
  await sub.expectNothing(150);
});

test('[MQTT-3.8.4-6] a retained message comes at the lower of its and the granted QoS', async (t) => {
  const topic = unique('ret');
  await publish(t, topic, 'q1');
  const sub = await freshSubscriber(t);
  await sub.subscribe(topic, 0);
  assert.equal((await sub.expect('publish')).qos, 0);
});

for (const version of [4, 5] as Version[]) {
  const id = version === 5 ? '5.0 [MQTT-3.3.1-12]' : '[MQTT-3.3.1-9]';
  test(`${id} v${version} live delivery clears RETAIN by default`, async (t) => {
    const topic = unique('live');
    const sub = await freshSubscriber(t, version);
    await sub.subscribe(topic, 0);
    await publish(t, topic, 'now');
    const msg = await sub.expect('publish');
    assert.equal(msg.retain, false);
  });
}

test('5.0 [MQTT-3.3.1-13] Retain As Published keeps RETAIN on live delivery', async (t) => {
  const topic = unique('rap');
  const sub = await freshSubscriber(t, 5);
  await sub.subscribe({ topic, qos: 0, rap: true });
  await publish(t, topic, 'as published');
  assert.equal((await sub.expect('publish')).retain, true);
  await publish(t, topic, 'plain', { retain: false });
  assert.equal((await sub.expect('publish')).retain, false);
});

test('5.0 [MQTT-3.3.1-9] Retain Handling 0 sends retained on every subscribe', async (t) => {
  const topic = unique('rh0');
  await publish(t, topic, 'r');
  const sub = await freshSubscriber(t, 5);
  await sub.subscribe({ topic, qos: 0, rh: 0 });
  await sub.expect('publish');
  await sub.subscribe({ topic, qos: 0, rh: 0 });
  const again = await sub.expect('publish');
  assert.equal(again.retain, true);
});

test('5.0 [MQTT-3.3.1-10] Retain Handling 1 sends retained only for a new subscription', async (t) => {
  const topic = unique('rh1');
  await publish(t, topic, 'r');
  const sub = await freshSubscriber(t, 5);
  await sub.subscribe({ topic, qos: 0, rh: 1 });
  await sub.expect('publish');
  await sub.subscribe({ topic, qos: 1, rh: 1 });
  await sub.expectNothing(200);
});

test('5.0 [MQTT-3.3.1-11] Retain Handling 2 never sends retained messages', async (t) => {
  const topic = unique('rh2');
  await publish(t, topic, 'r');
  const sub = await freshSubscriber(t, 5);
  await sub.subscribe({ topic, qos: 0, rh: 2 });
  await sub.expectNothing(200);
  await publish(t, topic, 'live');
  assert.equal((await sub.expect('publish')).payload.toString(), 'live');
});

test('retain_available false: 5.0 CONNACK says so, RETAIN gets 0x9A', async (t) => {
  const noRetain = await startBroker({ config: 'retain_available false' });
  t.after(() => noRetain.stop());
  const c = await RawClient.session(t, noRetain.port, { protocolVersion: 5 });
  assert.equal(c.connack?.properties?.retainAvailable, false, 'MQTT 5.0 3.2.2.3.5');
  c.send({ cmd: 'publish', topic: 'r', payload: 'x', qos: 0, retain: true });
  await expectErrorClose(c, RC.RetainNotSupported);
  const v4 = await RawClient.session(t, noRetain.port);
  v4.send({ cmd: 'publish', topic: 'r', payload: 'x', qos: 0, retain: true });
  await v4.expectClosed();
});

test('retain_available false: a message without RETAIN still flows', async (t) => {
  const noRetain = await startBroker({ config: 'retain_available false' });
  t.after(() => noRetain.stop());
  const sub = await RawClient.session(t, noRetain.port, { protocolVersion: 5 });
  await sub.subscribe('r', 0);
  const pub = await RawClient.session(t, noRetain.port, { protocolVersion: 5 });
  pub.send({ cmd: 'publish', topic: 'r', payload: 'x', qos: 1, messageId: 1 });
  assert.equal(
    hexCode((await pub.expect('puback')).reasonCode ?? 0),
    hexCode(RC.Success),
  );
  await sub.expect('publish');
});
