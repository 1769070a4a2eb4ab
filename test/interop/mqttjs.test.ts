/**
 * MQTT.js (the `mqtt` package) against the test broker, at protocol versions
 * 4 (3.1.1) and 5: what an application built on the most used Node.js
 * client relies on. One broker for the file; every test has its own topics
 * and client ids.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, type TestContext, test } from 'node:test';
import type { IClientOptions, IPublishPacket } from 'mqtt';
import { type RunningBroker, startBroker } from '../helpers/broker.js';
import { kill, open } from './mqttjs-support.js';

const run = randomBytes(3).toString('hex');
let broker: RunningBroker | undefined;

after(async () => {
  await broker?.stop();
});
before(async () => {
  broker = await startBroker();
});

function names(t: TestContext, version: number) {
  const base = `${run}-v${version}-${t.name.replace(/[^a-z0-9]+/gi, '-')}`;
  return { topic: `mqttjs/${base}`, id: (who: string) => `${base}-${who}`.slice(0, 60) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const protocolVersion of [4, 5] as const) {
  const connect = (t: TestContext, options: IClientOptions = {}) =>
    open(t, broker!.port, { protocolVersion, ...options });
  /** A session that outlives its connection, at either version. */
  const persistent = (clientId: string): IClientOptions => ({
    clientId,
    clean: false,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}),
  });

  describe(`MQTT.js protocolVersion ${protocolVersion}`, () => {
    test('connects with a clean session', async (t) => {
      const { connack } = await connect(t);
      const code = protocolVersion === 5 ? connack.reasonCode : connack.returnCode;
      assert.equal(code, 0);
      assert.equal(connack.sessionPresent, false);
    });

    test('QoS 0, 1 and 2 flow both ways, capped by the subscription', async (t) => {
      const { topic } = names(t, protocolVersion);
      const sub2 = await connect(t);
      const sub1 = await connect(t);
      const pub = await connect(t);
      const granted2 = await sub2.client.subscribeAsync(topic, { qos: 2 });
      const granted1 = await sub1.client.subscribeAsync(topic, { qos: 1 });
      assert.deepEqual([granted2[0].qos, granted1[0].qos], [2, 1]);
      for (const qos of [0, 1, 2] as const) {
        // Resolves once the QoS 1/2 handshake with the broker completed.
        await pub.client.publishAsync(topic, `qos ${qos}`, { qos });
      }
      const atTwo = await sub2.inbox.take(3);
      const atOne = await sub1.inbox.take(3);
      const byPayload = (list: typeof atTwo) =>
        Object.fromEntries(list.map((m) => [m.payload, m.qos]));
      assert.deepEqual(byPayload(atTwo), { 'qos 0': 0, 'qos 1': 1, 'qos 2': 2 });
      // [MQTT-3.8.4-6] delivered at the lower of published and granted QoS
      assert.deepEqual(byPayload(atOne), { 'qos 0': 0, 'qos 1': 1, 'qos 2': 1 });
      assert.equal((await sub2.inbox.settle(200)).length, 3, 'duplicates arrived');
    });

    test('retained message is set, delivered to new subscribers, cleared', async (t) => {
      const { topic } = names(t, protocolVersion);
      const pub = await connect(t);
      await pub.client.publishAsync(topic, 'kept', { qos: 1, retain: true });
      const late = await connect(t);
      await late.client.subscribeAsync(topic, { qos: 1 });
      const [message] = await late.inbox.take(1);
      assert.equal(message.payload, 'kept');
      assert.equal(message.retain, true, '[MQTT-3.3.1-8] retain flag on a retained copy');
      await pub.client.publishAsync(topic, '', { qos: 1, retain: true });
      const later = await connect(t);
      await later.client.subscribeAsync(topic, { qos: 1 });
      assert.deepEqual(await later.inbox.settle(400), [], 'retained message not cleared');
    });

    test('will is published when the connection is killed', async (t) => {
      const { topic } = names(t, protocolVersion);
      const watcher = await connect(t);
      await watcher.client.subscribeAsync(`${topic}/#`, { qos: 1 });
      const will = (name: string) => ({
        topic: `${topic}/${name}`,
        payload: Buffer.from(`${name} gone`),
        qos: 1 as const,
        retain: false,
      });
      const dying = await connect(t, { will: will('killed') });
      const polite = await connect(t, { will: will('polite') });
      await polite.client.endAsync(); // DISCONNECT: the will is discarded
      await kill(dying.client);
      const [message] = await watcher.inbox.take(1);
      assert.equal(message.topic, `${topic}/killed`);
      assert.equal(message.payload, 'killed gone');
      assert.equal(message.qos, 1);
      const all = await watcher.inbox.settle(300);
      assert.equal(all.length, 1, `[MQTT-3.1.2-10] will after DISCONNECT: ${all.length}`);
    });

    test('persistent session keeps QoS 1 messages queued while away', async (t) => {
      const { topic, id } = names(t, protocolVersion);
      const first = await connect(t, persistent(id('sub')));
      await first.client.subscribeAsync(topic, { qos: 1 });
      await first.client.endAsync();
      const pub = await connect(t);
      for (const n of [1, 2, 3]) {
        await pub.client.publishAsync(topic, `queued ${n}`, { qos: 1 });
      }
      const again = await connect(t, persistent(id('sub')));
      assert.equal(again.connack.sessionPresent, true, '[MQTT-3.2.2-2] session present');
      const got = await again.inbox.take(3);
      assert.deepEqual(
        got.map((m) => [m.payload, m.qos]),
        [
          ['queued 1', 1],
          ['queued 2', 1],
          ['queued 3', 1],
        ],
        '[MQTT-4.6.0-6] queued messages in order',
      );
    });

    test('shared subscription spreads messages over two members', async (t) => {
      const { topic } = names(t, protocolVersion);
      const members = [await connect(t), await connect(t)];
      for (const member of members) {
        await member.client.subscribeAsync(`$share/group/${topic}`, { qos: 1 });
      }
      const pub = await connect(t);
      const sent = Array.from({ length: 10 }, (_, i) => `m${i}`);
      for (const payload of sent)
        await pub.client.publishAsync(topic, payload, { qos: 1 });
      await sleep(300);
      const [a, b] = members.map((m) => m.inbox.messages.map((x) => x.payload));
      assert.deepEqual(
        [...a, ...b].sort(),
        sent.sort(),
        'each message to exactly one member',
      );
      assert.ok(a.length > 0 && b.length > 0, `not spread: ${a.length} + ${b.length}`);
    });
  });
}

describe('MQTT.js protocolVersion 5 properties', () => {
  const connect = (t: TestContext, options: IClientOptions = {}) =>
    open(t, broker!.port, { protocolVersion: 5, ...options });

  test('publish properties reach the subscriber unaltered', async (t) => {
    const { topic } = names(t, 5);
    const sub = await connect(t);
    const pub = await connect(t);
    await sub.client.subscribeAsync(topic, { qos: 1 });
    const properties: IPublishPacket['properties'] = {
      userProperties: { region: 'north', tag: ['x', 'y'] },
      contentType: 'application/json',
      responseTopic: `${topic}/reply`,
      correlationData: Buffer.from([0, 1, 2, 255]),
      payloadFormatIndicator: true,
    };
    await pub.client.publishAsync(topic, '{"ok":true}', { qos: 1, properties });
    const [message] = await sub.inbox.take(1);
    const got = message.packet.properties ?? {};
    // [MQTT-3.3.2-17] user properties unaltered, [MQTT-3.3.2-18] in order
    assert.deepEqual(Object.entries(got.userProperties ?? {}), [
      ['region', 'north'],
      ['tag', ['x', 'y']],
    ]);
    assert.equal(got.contentType, 'application/json', '[MQTT-3.3.2-20]');
    assert.equal(got.responseTopic, `${topic}/reply`, '[MQTT-3.3.2-15]');
    assert.deepEqual(got.correlationData, Buffer.from([0, 1, 2, 255]), '[MQTT-3.3.2-16]');
    assert.equal(got.payloadFormatIndicator, true, '[MQTT-3.3.2-4]');
  });

  test('message expiry: expired messages dropped, the rest count down', async (t) => {
    const { topic, id } = names(t, 5);
    const session = { clientId: id('sub'), clean: false };
    const props = { properties: { sessionExpiryInterval: 300 } };
    const away = await connect(t, { ...session, ...props });
    await away.client.subscribeAsync(topic, { qos: 1 });
    await away.client.endAsync();
    const pub = await connect(t);
    const expiring = (seconds: number) => ({
      qos: 1 as const,
      properties: { messageExpiryInterval: seconds },
    });
    await pub.client.publishAsync(topic, 'short', expiring(1));
    await pub.client.publishAsync(topic, 'long', expiring(60));
    await sleep(2100);
    const back = await connect(t, { ...session, ...props });
    const got = await back.inbox.settle(400);
    // [MQTT-3.3.2-5] the expired one is not delivered
    assert.deepEqual(
      got.map((m) => m.payload),
      ['long'],
    );
    const left = got[0].packet.properties?.messageExpiryInterval ?? 0;
    // [MQTT-3.3.2-6] the interval sent on is what is left of it
    assert.ok(left >= 55 && left <= 58, `remaining expiry ${left} after 2.1 s`);
  });

  test('subscription identifiers come back with matching messages', async (t) => {
    const { topic } = names(t, 5);
    const sub = await connect(t);
    const pub = await connect(t);
    await sub.client.subscribeAsync(`${topic}/#`, {
      qos: 1,
      properties: { subscriptionIdentifier: 7 },
    });
    await sub.client.subscribeAsync(`${topic}/x`, {
      qos: 1,
      properties: { subscriptionIdentifier: 900_000 },
    });
    await sub.client.subscribeAsync(`${topic}/none`, { qos: 1 });
    await pub.client.publishAsync(`${topic}/x`, 'both', { qos: 1 });
    await pub.client.publishAsync(`${topic}/none`, 'no id', { qos: 1 });
    await sub.inbox.take(2);
    const got = await sub.inbox.settle(300);
    const ids = (payload: string) =>
      got
        .filter((m) => m.payload === payload)
        .flatMap((m) => [m.packet.properties?.subscriptionIdentifier ?? []].flat())
        .sort((p, q) => p - q);
    // [MQTT-3.3.4-4] / [MQTT-3.3.4-5] one copy with both, or one copy each
    assert.deepEqual(ids('both'), [7, 900_000]);
    // Only the '#' subscription (id 7) and the one without an id match here.
    assert.deepEqual(ids('no id'), [7]);
  });

  test('topic alias set by the client is resolved for subscribers', async (t) => {
    const { topic } = names(t, 5);
    const sub = await connect(t);
    await sub.client.subscribeAsync(topic, { qos: 1 });
    const pub = await connect(t, { autoUseTopicAlias: true });
    const maximum = pub.connack.properties?.topicAliasMaximum ?? 0;
    assert.ok(maximum >= 1, `broker allows ${maximum} topic aliases`);
    const sentTopics: string[] = [];
    pub.client.on('packetsend', (packet) => {
      if (packet.cmd === 'publish') {
        sentTopics.push(`${packet.topic}#${packet.properties?.topicAlias}`);
      }
    });
    await pub.client.publishAsync(topic, 'first', {
      qos: 1,
      properties: { topicAlias: 1 },
    });
    await pub.client.publishAsync(topic, 'second', { qos: 1 });
    assert.deepEqual(sentTopics, [`${topic}#1`, '#1'], 'MQTT.js did not use the alias');
    const got = await sub.inbox.take(2);
    // The subscriber allowed no aliases: it must see the full topic name.
    assert.deepEqual(
      got.map((m) => [m.topic, m.payload]),
      [
        [topic, 'first'],
        [topic, 'second'],
      ],
    );
  });
});
