/**
 * mqtt5: features new in MQTT 5.0 — message expiry, topic aliases in both
 * directions, shared subscriptions, No Local, subscription identifiers,
 * user properties and the other PUBLISH properties, Request Problem
 * Information, and enhanced authentication without a plugin.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import {
  expectErrorClose,
  fileBroker,
  hexCode,
  sleep,
  unique,
  useMosquitto,
} from '../helpers/conformance.js';
import { RawClient, type SessionOptions } from '../helpers/raw-client.js';
import { RC } from '../helpers/reason-codes.js';

// midge gives out topic aliases only where a listener allows them, as
// Mosquitto 2.1 does; Mosquitto 2.0.11 sends none and refuses the option.
const broker = fileBroker(useMosquitto ? '' : 'max_topic_alias_broker 10');

function v5(t: TestContext, options: SessionOptions = {}) {
  return RawClient.session(t, broker.port, {
    clientId: unique('c5'),
    protocolVersion: 5,
    ...options,
  });
}

async function offlineSubscriber(t: TestContext, topic: string) {
  const options: SessionOptions = {
    clientId: unique('offline'),
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: 60 },
  };
  const sub = await RawClient.session(t, broker.port, options);
  await sub.subscribe(topic, 1);
  sub.disconnect();
  await sub.expectClosed();
  return () => RawClient.session(t, broker.port, options);
}

async function publishExpiring(
  t: TestContext,
  topic: string,
  seconds: number,
  retain = false,
) {
  const pub = await v5(t);
  const properties = { messageExpiryInterval: seconds };
  pub.send({
    cmd: 'publish',
    topic,
    payload: 'e',
    qos: 1,
    messageId: 1,
    retain,
    properties,
  });
  await pub.expect('puback');
}

describe('message expiry', { concurrency: true }, () => {
  test('[MQTT-3.3.2-6] a queued message goes out with the remaining lifetime', async (t) => {
    const topic = unique('expiry');
    const reconnect = await offlineSubscriber(t, topic);
    await publishExpiring(t, topic, 10);
    await sleep(2100);
    const sub = await reconnect();
    const msg = await sub.expect('publish');
    const left = msg.properties?.messageExpiryInterval ?? 0;
    assert.ok(left >= 6 && left <= 8, `remaining ${left} s of 10 after 2.1 s`);
  });

  test('[MQTT-3.3.2-5] an expired queued message is not delivered', async (t) => {
    const topic = unique('expired');
    const reconnect = await offlineSubscriber(t, topic);
    await publishExpiring(t, topic, 1);
    await sleep(2100);
    const sub = await reconnect();
    await sub.expectNothing(200);
  });

  test('[MQTT-3.3.2-5] an expired retained message is not sent', async (t) => {
    const topic = unique('expired-retained');
    await publishExpiring(t, topic, 1, true);
    await sleep(2100);
    const sub = await v5(t);
    await sub.subscribe(topic, 1);
    await sub.expectNothing(200);
  });
});

test('[MQTT-3.3.2-6] a retained message carries its remaining expiry', async (t) => {
  const topic = unique('retained-expiry');
  await publishExpiring(t, topic, 100, true);
  const sub = await v5(t);
  await sub.subscribe(topic, 1);
  const left = (await sub.expect('publish')).properties?.messageExpiryInterval ?? 0;
  assert.ok(left > 90 && left <= 100, `remaining ${left}`);
});

test('a message without expiry carries no Message Expiry Interval', async (t) => {
  const topic = unique('no-expiry');
  const sub = await v5(t);
  await sub.subscribe(topic, 0);
  const pub = await v5(t);
  pub.send({ cmd: 'publish', topic, payload: 'x', qos: 0 });
  const msg = await sub.expect('publish');
  assert.equal(msg.properties?.messageExpiryInterval, undefined);
});

test('[MQTT-3.3.2-12] topic alias from the client: set, then used alone', async (t) => {
  const topic = unique('alias');
  const sub = await v5(t);
  await sub.subscribe(topic, 0);
  const pub = await v5(t);
  assert.equal(pub.connack?.properties?.topicAliasMaximum, 10, 'max_topic_alias default');
  pub.send({
    cmd: 'publish',
    topic,
    payload: '1',
    qos: 0,
    properties: { topicAlias: 3 },
  });
  pub.send({
    cmd: 'publish',
    topic: '',
    payload: '2',
    qos: 0,
    properties: { topicAlias: 3 },
  });
  for (const payload of ['1', '2']) {
    const msg = await sub.expect('publish');
    assert.deepEqual([msg.topic, msg.payload.toString()], [topic, payload]);
  }
});

test('[MQTT-3.3.2-12] a topic alias can be re-pointed at another topic', async (t) => {
  const [a, b] = [unique('alias-a'), unique('alias-b')];
  const sub = await v5(t);
  await sub.subscribe(b, 0);
  const pub = await v5(t);
  pub.send({
    cmd: 'publish',
    topic: a,
    payload: 'a',
    qos: 0,
    properties: { topicAlias: 1 },
  });
  pub.send({
    cmd: 'publish',
    topic: b,
    payload: 'b',
    qos: 0,
    properties: { topicAlias: 1 },
  });
  pub.send({
    cmd: 'publish',
    topic: '',
    payload: 'b2',
    qos: 0,
    properties: { topicAlias: 1 },
  });
  assert.equal((await sub.expect('publish')).payload.toString(), 'b');
  assert.equal((await sub.expect('publish')).payload.toString(), 'b2');
});

/** Bad topic alias use and the DISCONNECT reason Mosquitto sends for it. */
const badAliases = [
  {
    id: '[MQTT-3.2.2-17]',
    what: 'alias above Topic Alias Maximum',
    topic: 'x',
    alias: 11,
    code: RC.TopicAliasInvalid,
  },
  // Not permitted [MQTT-3.3.2-8]: Mosquitto says malformed; a protocol
  // error or Topic Alias invalid fit the spec's words as well.
  {
    id: '[MQTT-3.3.2-8]',
    what: 'alias 0',
    topic: 'x',
    alias: 0,
    code: [RC.MalformedPacket, RC.ProtocolError, RC.TopicAliasInvalid],
  },
  {
    id: 'MQTT 5.0 3.3.4:',
    what: 'empty topic, unknown alias',
    topic: '',
    alias: 4,
    code: RC.ProtocolError,
  },
  {
    id: 'MQTT 5.0 3.3.2.1:',
    what: 'empty topic, no alias',
    topic: '',
    alias: undefined,
    code: RC.ProtocolError,
  },
];

for (const row of badAliases) {
  const codes = [row.code].flat().map(hexCode).join(' or ');
  test(`${row.id} ${row.what} gets DISCONNECT ${codes}`, async (t) => {
    const pub = await v5(t);
    const properties = row.alias === undefined ? undefined : { topicAlias: row.alias };
    pub.send({ cmd: 'publish', topic: row.topic, payload: 'x', qos: 0, properties });
    await expectErrorClose(pub, row.code);
  });
}

test('[MQTT-3.3.2-10] no topic alias to a client that allows none', async (t) => {
  const topic = unique('out');
  const sub = await v5(t);
  await sub.subscribe(topic, 0);
  const pub = await v5(t);
  for (let i = 0; i < 3; i += 1)
    pub.send({ cmd: 'publish', topic, payload: `${i}`, qos: 0 });
  for (let i = 0; i < 3; i += 1) {
    const msg = await sub.expect('publish');
    assert.equal(msg.topic, topic);
    assert.equal(msg.properties?.topicAlias, undefined);
  }
});

test('[MQTT-3.3.2-11] topic aliases to the client stay within its maximum', async (t) => {
  const base = unique('out-alias');
  const sub = await v5(t, { properties: { topicAliasMaximum: 2 } });
  await sub.subscribe(`${base}/#`, 0);
  const pub = await v5(t);
  // Four topics, each twice: more topics than the client allows aliases.
  const topics = [0, 1, 2, 3, 0, 1, 2, 3].map((n) => `${base}/${n}`);
  for (const [i, topic] of topics.entries())
    pub.send({ cmd: 'publish', topic, payload: `${i}`, qos: 0 });
  const aliases = new Map<number, string>();
  for (const [i, topic] of topics.entries()) {
    const msg = await sub.expect('publish');
    const alias = msg.properties?.topicAlias;
    if (alias !== undefined) {
      assert.ok(alias >= 1 && alias <= 2, `alias ${alias}`);
      if (msg.topic) aliases.set(alias, msg.topic);
    }
    const resolved = msg.topic || aliases.get(alias ?? -1);
    assert.equal(resolved, topic, `message ${i}`);
  }
});

test('shared subscription: each message goes to one member', async (t) => {
  const topic = unique('shared');
  const group = `$share/${unique('g')}/${topic}`;
  const members = [await v5(t), await v5(t)];
  for (const m of members) await m.subscribe(group, 1);
  const pub = await v5(t);
  const count = 6;
  for (let i = 0; i < count; i += 1) {
    pub.send({ cmd: 'publish', topic, payload: `${i}`, qos: 1, messageId: i + 1 });
    await pub.expect('puback');
  }
  const got: string[][] = [[], []];
  for (const [i, m] of members.entries()) {
    for (;;) {
      const msg = await m.next(250).catch(() => undefined);
      if (!msg) break;
      assert.equal(msg.cmd, 'publish');
      if (msg.cmd !== 'publish') break;
      got[i]!.push(msg.payload.toString());
      m.send({ cmd: 'puback', messageId: msg.messageId });
    }
  }
  const all = [...got[0]!, ...got[1]!].sort();
  assert.deepEqual(all, ['0', '1', '2', '3', '4', '5'], 'each message exactly once');
  assert.ok(got[0]!.length > 0 && got[1]!.length > 0, 'both members served');
});

test('shared subscription: a plain subscriber still gets its own copy', async (t) => {
  const topic = unique('shared-plain');
  const member = await v5(t);
  await member.subscribe(`$share/${unique('g')}/${topic}`, 0);
  const plain = await v5(t);
  await plain.subscribe(topic, 0);
  const pub = await v5(t);
  pub.send({ cmd: 'publish', topic, payload: 'x', qos: 0 });
  await member.expect('publish');
  await plain.expect('publish');
});

test('MQTT 5.0 4.8.2: no retained messages for a new shared subscription', {
  skip: useMosquitto && 'mosquitto 2.0.11 sends them',
}, async (t) => {
  const topic = unique('shared-retained');
  const pub = await v5(t);
  pub.send({ cmd: 'publish', topic, payload: 'r', qos: 1, messageId: 1, retain: true });
  await pub.expect('puback');
  const member = await v5(t);
  await member.subscribe(`$share/${unique('g')}/${topic}`, 1);
  await member.expectNothing(250);
});

test('[MQTT-3.8.3-4] No Local on a shared subscription is a protocol error', {
  skip: useMosquitto && 'mosquitto 2.0.11 grants it',
}, async (t) => {
  const c = await v5(t);
  const topic = `$share/g/${unique('nl')}`;
  c.send({
    cmd: 'subscribe',
    messageId: 1,
    subscriptions: [{ topic, qos: 0, nl: true }],
  });
  await expectErrorClose(c, RC.ProtocolError);
});

test('[MQTT-4.8.2-2] a share name with a wildcard is refused', async (t) => {
  const c = await v5(t);
  c.send({
    cmd: 'subscribe',
    messageId: 1,
    subscriptions: [{ topic: '$share/a+b/x', qos: 0 }],
  });
  // Mosquitto: malformed; 0x8F Topic Filter invalid fits too.
  await expectErrorClose(c, [RC.MalformedPacket, RC.TopicFilterInvalid]);
});

test('[MQTT-3.8.3-3] No Local: a client does not get its own messages', async (t) => {
  const topic = unique('nolocal');
  const c = await v5(t);
  await c.subscribe({ topic, qos: 0, nl: true });
  c.send({ cmd: 'publish', topic, payload: 'mine', qos: 0 });
  await c.expectNothing(200);
  const other = await v5(t);
  other.send({ cmd: 'publish', topic, payload: 'theirs', qos: 0 });
  assert.equal((await c.expect('publish')).payload.toString(), 'theirs');
});

test('without No Local a client gets its own messages', async (t) => {
  const topic = unique('local');
  const c = await v5(t);
  await c.subscribe(topic, 0);
  c.send({ cmd: 'publish', topic, payload: 'mine', qos: 0 });
  assert.equal((await c.expect('publish')).payload.toString(), 'mine');
});

test('[MQTT-3.3.4-3] subscription identifier comes back with each message', async (t) => {
  const topic = unique('subid');
  const c = await v5(t);
  assert.notEqual(c.connack?.properties?.subscriptionIdentifiersAvailable, false);
  await c.subscribe({ topic, qos: 0 }, 0, { subscriptionIdentifier: 268_435_455 });
  const plain = unique('plain');
  await c.subscribe(plain, 0);
  const pub = await v5(t);
  pub.send({ cmd: 'publish', topic, payload: 'x', qos: 0 });
  const msg = await c.expect('publish');
  assert.deepEqual([msg.properties?.subscriptionIdentifier].flat(), [268_435_455]);
  pub.send({ cmd: 'publish', topic: plain, payload: 'y', qos: 0 });
  const other = await c.expect('publish');
  assert.equal(
    other.properties?.subscriptionIdentifier,
    undefined,
    'none when none given',
  );
});

test('MQTT 5.0 3.8.2.1.2: subscription identifier 0 is refused', async (t) => {
  const c = await v5(t);
  // 82 | len 9 | id 1 | props 2: 0b 00 | "a" | options 0
  c.sendHex('82 09 00 01 02 0b 00 00 01 61 00');
  // "It is a Protocol Error" say the spec's words; Mosquitto answers 0x81.
  await expectErrorClose(c, [RC.MalformedPacket, RC.ProtocolError]);
});

test('[MQTT-3.3.2-17] [MQTT-3.3.2-18] user properties forwarded unaltered, in order', async (t) => {
  const topic = unique('userprops');
  const sub = await v5(t);
  await sub.subscribe(topic, 0);
  const pub = await v5(t);
  const userProperties = { zeta: '1', alpha: ['2', '3'], ключ: 'значение' };
  pub.send({
    cmd: 'publish',
    topic,
    payload: 'x',
    qos: 0,
    properties: { userProperties },
  });
  const got = (await sub.expect('publish')).properties?.userProperties;
  assert.deepEqual({ ...got }, userProperties);
  assert.deepEqual(Object.keys(got ?? {}), Object.keys(userProperties), 'order kept');
});

test('[MQTT-3.3.2-4] [MQTT-3.3.2-20] PUBLISH properties forwarded unaltered', async (t) => {
  const topic = unique('props');
  const sub = await v5(t);
  await sub.subscribe(topic, 0);
  const pub = await v5(t);
  const properties = {
    payloadFormatIndicator: true,
    contentType: 'text/plain; charset=utf-8',
    responseTopic: `${topic}/reply`,
    correlationData: Buffer.from([0, 1, 2, 0xff]),
  };
  pub.send({ cmd: 'publish', topic, payload: 'héllo', qos: 0, properties });
  const msg = await sub.expect('publish');
  assert.equal(msg.properties?.payloadFormatIndicator, true);
  assert.equal(msg.properties?.contentType, properties.contentType);
  assert.equal(msg.properties?.responseTopic, properties.responseTopic);
  assert.deepEqual(msg.properties?.correlationData, properties.correlationData);
});

test('payload format 1 with a non-UTF-8 payload is passed on unchecked', async (t) => {
  // Checking is a MAY [MQTT-3.3.2-4 note]; Mosquitto 2.0.11 does not check.
  const topic = unique('pfi');
  const sub = await v5(t);
  await sub.subscribe(topic, 0);
  const pub = await v5(t);
  const payload = Buffer.from([0xc3, 0x28]);
  const properties = { payloadFormatIndicator: true };
  pub.send({ cmd: 'publish', topic, payload, qos: 1, messageId: 1, properties });
  assert.ok(((await pub.expect('puback')).reasonCode ?? 0) < 0x80);
  assert.deepEqual((await sub.expect('publish')).payload, payload);
});

test('[MQTT-3.1.2-29] Request Problem Information 0: no reason strings', async (t) => {
  const c = await v5(t, { properties: { requestProblemInformation: false } });
  c.send({ cmd: 'publish', topic: unique('nobody'), payload: 'x', qos: 1, messageId: 1 });
  const puback = await c.expect('puback');
  assert.equal(puback.properties?.reasonString, undefined);
  assert.equal(puback.properties?.userProperties, undefined);
  c.send({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: [unique('none')] });
  const unsuback = await c.expect('unsuback');
  assert.equal(unsuback.properties?.reasonString, undefined);
});

test('[MQTT-4.12.0-1] CONNECT with an authentication method gets CONNACK 0x8C', async (t) => {
  const c = await RawClient.connect(t, broker.port, { version: 5 });
  c.send({
    cmd: 'connect',
    clientId: unique('auth'),
    protocolVersion: 5,
    properties: {
      authenticationMethod: 'SCRAM-SHA-1',
      authenticationData: Buffer.from('x'),
    },
  });
  const connack = await c.expect('connack');
  assert.equal(hexCode(connack.reasonCode), hexCode(RC.BadAuthenticationMethod));
  await c.expectClosed();
});

test('[MQTT-4.12.0-6] AUTH without an authentication method in CONNECT closes', async (t) => {
  const c = await v5(t);
  c.send({ cmd: 'auth', reasonCode: 0x19, properties: { authenticationMethod: 'X' } });
  await expectErrorClose(c, RC.ProtocolError, { optional: true });
});
