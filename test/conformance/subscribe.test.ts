/**
 * subscribe: SUBSCRIBE / SUBACK / UNSUBSCRIBE / UNSUBACK — wildcard
 * matching, topics starting with $, overlapping subscriptions, invalid
 * filters, SUBACK codes, replacing a subscription and unsubscribing.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { expectErrorClose, fileBroker, hexCode, unique } from '../helpers/conformance.js';
import { RawClient, type Version } from '../helpers/raw-client.js';
import { RC } from '../helpers/reason-codes.js';

const broker = fileBroker();

/** [filter, topic, matches] with ROOT standing for a per-test prefix. */
const matching: [string, string, boolean][] = [
  ['ROOT/a/b', 'ROOT/a/b', true],
  ['ROOT/a/b', 'ROOT/a/B', false],
  ['ROOT/+/b', 'ROOT/x/b', true],
  ['ROOT/+/b', 'ROOT/x/y/b', false],
  ['ROOT/+/b', 'ROOT//b', true],
  ['ROOT/+', 'ROOT/', true],
  ['ROOT/+', 'ROOT', false],
  ['ROOT/#', 'ROOT', true],
  ['ROOT/#', 'ROOT/a/b/c', true],
  ['ROOT/a/#', 'ROOT/ab', false],
  ['ROOT/+/+', 'ROOT/a/b', true],
  ['ROOT/+/#', 'ROOT/a', true],
  ['ROOT/a b', 'ROOT/a b', true],
];

test('[MQTT-4.7.1-2] [MQTT-4.7.1-3] wildcard matching table', async (t) => {
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  for (const [filter, topic, matches] of matching) {
    const root = unique('w');
    const sub = await RawClient.session(t, broker.port, { clientId: unique('sub') });
    await sub.subscribe(filter.replace('ROOT', root), 0);
    pub.send({
      cmd: 'publish',
      topic: topic.replace('ROOT', root),
      payload: 'm',
      qos: 0,
    });
    const label = `${filter} vs ${topic}`;
    if (matches)
      assert.equal((await sub.expect('publish')).payload.toString(), 'm', label);
    else await sub.expectNothing(100).catch((e: Error) => assert.fail(`${label}: ${e}`));
    sub.close();
  }
});

test('[MQTT-4.7.2-1] # and + do not match topics that start with $', async (t) => {
  const root = unique('dollar');
  const all = await RawClient.session(t, broker.port, { clientId: unique('all') });
  await all.subscribe('#', 0);
  const plus = await RawClient.session(t, broker.port, { clientId: unique('plus') });
  await plus.subscribe(`+/${root}`, 0);
  const exact = await RawClient.session(t, broker.port, { clientId: unique('exact') });
  await exact.subscribe(`$x/${root}`, 0);
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  pub.send({ cmd: 'publish', topic: `$x/${root}`, payload: 'dollar', qos: 0 });
  pub.send({ cmd: 'publish', topic: `y/${root}`, payload: 'plain', qos: 0 });
  assert.equal((await exact.expect('publish')).payload.toString(), 'dollar');
  assert.equal((await plus.expect('publish')).payload.toString(), 'plain');
  assert.equal((await all.expect('publish')).payload.toString(), 'plain');
  await plus.expectNothing(150);
  await all.expectNothing(50);
});

test('[MQTT-3.8.4-1] [MQTT-3.9.3-1] SUBACK: same id, one code per filter, in order', async (t) => {
  const root = unique('many');
  const c = await RawClient.session(t, broker.port, { clientId: unique('sub') });
  c.send({
    cmd: 'subscribe',
    messageId: 4321,
    subscriptions: [
      { topic: `${root}/2`, qos: 2 },
      { topic: `${root}/0`, qos: 0 },
      { topic: `${root}/1`, qos: 1 },
    ],
  });
  const suback = await c.expect('suback');
  assert.equal(suback.messageId, 4321, '[MQTT-3.8.4-2]');
  assert.deepEqual(suback.granted, [2, 0, 1]);
});

async function overlapping(t: TestContext, version: Version, ids: boolean) {
  const root = unique('overlap');
  const sub = await RawClient.session(t, broker.port, {
    clientId: unique('sub'),
    protocolVersion: version,
  });
  const filters = [`${root}/#`, `${root}/b`, `${root}/+`];
  const qos = [0, 2, 1] as const;
  for (const [i, topic] of filters.entries()) {
    const properties = ids ? { subscriptionIdentifier: i + 1 } : undefined;
    await sub.subscribe({ topic, qos: qos[i]! }, 0, properties);
  }
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  pub.send({ cmd: 'publish', topic: `${root}/b`, payload: 'x', qos: 2, messageId: 1 });
  await pub.expect('pubrec');
  pub.send({ cmd: 'pubrel', messageId: 1 });
  const copies = [await sub.expect('publish')];
  for (;;) {
    const more = await sub.next(250).catch(() => undefined);
    if (!more) break;
    assert.equal(more.cmd, 'publish');
    copies.push(more as (typeof copies)[0]);
  }
  assert.ok(copies.length <= filters.length, `${copies.length} copies`);
  assert.equal(Math.max(...copies.map((m) => m.qos)), 2, '[MQTT-3.3.4-2] highest QoS');
  return copies;
}

test('[MQTT-3.3.5-1] 3.1.1 overlapping subscriptions: one copy at the highest QoS', async (t) => {
  const copies = await overlapping(t, 4, false);
  assert.equal(copies.length, 1);
});

test('[MQTT-3.3.4-2] 5.0 overlapping subscriptions: a copy at the highest QoS', async (t) => {
  // 5.0 allows one extra copy per further matching subscription;
  // Mosquitto 2.0.11 sends one copy per subscription.
  await overlapping(t, 5, false);
});

test('[MQTT-3.3.4-3] 5.0 overlapping subscriptions carry every subscription id', async (t) => {
  const copies = await overlapping(t, 5, true);
  // One copy with all ids [MQTT-3.3.4-4] or one copy per subscription,
  // each with its own id [MQTT-3.3.4-5] (what Mosquitto 2.0.11 does).
  const idsOf = (m: (typeof copies)[0]) =>
    [m.properties?.subscriptionIdentifier ?? []].flat();
  if (copies.length > 1) {
    for (const copy of copies) assert.equal(idsOf(copy).length, 1, 'one id per copy');
  }
  assert.deepEqual(copies.flatMap(idsOf).sort(), [1, 2, 3]);
});

test('[MQTT-3.8.4-3] subscribing again to a filter replaces its QoS', async (t) => {
  const topic = unique('replace');
  const sub = await RawClient.session(t, broker.port, { clientId: unique('sub') });
  assert.deepEqual(await sub.subscribe(topic, 2), [2]);
  assert.deepEqual(await sub.subscribe(topic, 0), [0]);
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  pub.send({ cmd: 'publish', topic, payload: 'x', qos: 1, messageId: 1 });
  await pub.expect('puback');
  const msg = await sub.expect('publish');
  assert.equal(msg.qos, 0, 'the new subscription QoS');
  await sub.expectNothing(150);
});

/** Topic filters that break [MQTT-4.7.1-2], [MQTT-4.7.1-3] or [MQTT-4.7.3-1]. */
const badFilters = ['a/#/b', 'a+', 'a/b#', '#a', '+a/b', ''];

for (const version of [4, 5] as Version[]) {
  test(`[MQTT-4.7.1-2] v${version} invalid topic filters close the connection`, async (t) => {
    for (const filter of badFilters) {
      const c = await RawClient.session(t, broker.port, {
        clientId: unique('bad'),
        protocolVersion: version,
      });
      c.send({
        cmd: 'subscribe',
        messageId: 1,
        subscriptions: [{ topic: filter, qos: 0 }],
      });
      // Mosquitto treats a bad filter as a malformed packet (0x81); 0x8F
      // Topic Filter invalid also fits.
      await expectErrorClose(c, [RC.MalformedPacket, RC.TopicFilterInvalid]).catch(
        (e: Error) => assert.fail(`filter ${JSON.stringify(filter)}: ${e.message}`),
      );
    }
  });
}

test('[MQTT-3.8.3-4] SUBSCRIBE with requested QoS 3 closes the connection', async (t) => {
  const c = await RawClient.session(t, broker.port, { clientId: unique('q3') });
  // 82 | len 6 | id 1 | "a" | options 03
  c.sendHex('82 06 00 01 00 01 61 03');
  await c.expectClosed();
});

test('[MQTT-3.8.3-3] SUBSCRIBE with no topic filter closes the connection', async (t) => {
  const c = await RawClient.session(t, broker.port, { clientId: unique('none') });
  c.sendHex('82 02 00 01');
  await c.expectClosed();
});

async function subscribedPair(t: TestContext, version: Version) {
  const topic = unique('unsub');
  const sub = await RawClient.session(t, broker.port, {
    clientId: unique('sub'),
    protocolVersion: version,
  });
  await sub.subscribe(topic, 1);
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  return { topic, sub, pub };
}

for (const version of [4, 5] as Version[]) {
  test(`[MQTT-3.10.4-4] v${version} UNSUBACK echoes the id; no more messages`, async (t) => {
    const { topic, sub, pub } = await subscribedPair(t, version);
    sub.send({ cmd: 'unsubscribe', messageId: 777, unsubscriptions: [topic] });
    const unsuback = await sub.expect('unsuback');
    assert.equal(unsuback.messageId, 777);
    pub.send({ cmd: 'publish', topic, payload: 'x', qos: 1, messageId: 1 });
    await pub.expect('puback');
    await sub.expectNothing(200);
  });
}

test('[MQTT-3.10.4-5] 3.1.1 UNSUBSCRIBE of an unknown filter still gets UNSUBACK', async (t) => {
  const c = await RawClient.session(t, broker.port, { clientId: unique('sub') });
  c.send({ cmd: 'unsubscribe', messageId: 5, unsubscriptions: [unique('never')] });
  assert.equal((await c.expect('unsuback')).messageId, 5);
});

test('5.0 UNSUBACK reason codes: 0x00 removed, 0x11 no subscription existed', async (t) => {
  const { topic, sub } = await subscribedPair(t, 5);
  sub.send({
    cmd: 'unsubscribe',
    messageId: 6,
    unsubscriptions: [topic, unique('never')],
  });
  const unsuback = await sub.expect('unsuback');
  assert.deepEqual(unsuback.granted.map(hexCode), [
    hexCode(RC.Success),
    hexCode(RC.NoSubscriptionExisted),
  ]);
});

test('[MQTT-3.10.1-1] UNSUBSCRIBE with wrong fixed header flags closes', async (t) => {
  const c = await RawClient.session(t, broker.port, { clientId: unique('flags') });
  // a0 instead of a2 | len 5 | id 1 | "a"
  c.sendHex('a0 05 00 01 00 01 61');
  await c.expectClosed();
});
