import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  PacketType,
  type PublishPacket,
  ReasonCode,
} from '../../../src/protocol/index.js';
import {
  connected,
  nextPublish,
  nothingMore,
  publish,
  startBroker,
  sub,
  subscribe,
  tick,
} from './helpers.js';

async function received(
  client: Awaited<ReturnType<typeof connected>>,
): Promise<string[]> {
  await tick();
  return (client.received.splice(0) as PublishPacket[]).map((p) => p.topic);
}

describe('subscribe - matching', () => {
  test('+ matches one level, # any number including the parent [MQTT-4.7.1-2]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, [sub('a/+/c'), sub('x/#')]);
    const p = await connected(broker, 'p');
    for (const t of ['a/b/c', 'a/b/d', 'a/c', 'a/b/c/d', 'x', 'x/y', 'x/y/z', 'y']) {
      publish(p, t, '1');
    }
    assert.deepEqual(await received(s), ['a/b/c', 'x', 'x/y', 'x/y/z']);
  });

  test('empty levels are levels: + matches "a//c" and "/b" [MQTT-4.7.1-3]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, [sub('a/+/c'), sub('+/b')]);
    const p = await connected(broker, 'p');
    for (const t of ['a//c', '/b', 'b']) publish(p, t, '1');
    assert.deepEqual(await received(s), ['a//c', '/b']);
  });

  test('$ topics are not matched by a leading wildcard [MQTT-4.7.2-1]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, [sub('#'), sub('+/x')]);
    const d = await connected(broker, 'd');
    await subscribe(d, sub('$SYS/#'));
    broker.publish({ topic: '$SYS/x', payload: Buffer.from('1') });
    const p = await connected(broker, 'p');
    publish(p, 'a/x', '1');
    assert.deepEqual(await received(s), ['a/x']);
    assert.deepEqual(await received(d), ['$SYS/x']);
  });

  test('overlapping subscriptions: one copy at the highest QoS [MQTT-3.3.4-2]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, [sub('a/#', 0), sub('a/b', 1), sub('+/b', 0)]);
    const p = await connected(broker, 'p');
    publish(p, 'a/b', 'x', { qos: 2, packetId: 1 });
    await p.next();
    p.send({ type: PacketType.Pubrel, packetId: 1 });
    const m = await nextPublish(s);
    assert.equal(m.qos, 1);
    assert.equal(await nothingMore(s), undefined);
  });

  test('5.0: every matching Subscription Identifier is carried [MQTT-3.3.4-3]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5);
    await subscribe(s, sub('a/#'), 1, { subscriptionIdentifiers: [7] });
    await subscribe(s, sub('a/+'), 2, { subscriptionIdentifiers: [9] });
    await subscribe(s, sub('+/+'), 3);
    const p = await connected(broker, 'p');
    publish(p, 'a/b', 'x');
    const m = await nextPublish(s);
    assert.deepEqual(m.properties?.subscriptionIdentifiers?.sort(), [7, 9]);
  });

  test('a new subscription to the same filter replaces the old one [MQTT-3.8.4-3]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 0));
    await subscribe(s, sub('t', 1), 2);
    const p = await connected(broker, 'p');
    publish(p, 't', 'x', { qos: 1, packetId: 1 });
    const m = await nextPublish(s);
    assert.equal(m.qos, 1);
    assert.equal(await nothingMore(s), undefined);
    assert.equal(broker.stats.subscriptionsCount, 1);
  });

  test('SUBACK has one code per filter in order [MQTT-3.9.3-1]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5);
    const suback = await subscribe(s, [sub('a', 2), sub('b', 0), sub('c', 1)], 42);
    assert.equal(suback.packetId, 42);
    assert.deepEqual(suback.reasonCodes, [2, 0, 1]);
  });

  test('an invalid filter closes the connection, as Mosquitto does', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5);
    const bytes = Buffer.from([0x82, 10, 0, 1, 0, 0, 5, 0x61, 0x2f, 0x23, 0x2f, 0x62, 0]);
    s.sendRaw(bytes);
    const d = await s.next();
    assert.equal(d.type, PacketType.Disconnect);
    assert.equal(d.reasonCode, ReasonCode.TopicFilterInvalid);
  });
});

describe('subscribe - options', () => {
  test('No Local: not sent back to the publisher [MQTT-3.8.3-3]', async () => {
    const broker = startBroker();
    const c = await connected(broker, 'c', 5);
    await subscribe(c, [sub('t', 0, { noLocal: true })]);
    publish(c, 't', 'me');
    const other = await connected(broker, 'o', 5);
    publish(other, 't', 'other');
    const m = await nextPublish(c);
    assert.equal(m.payload.toString(), 'other');
    assert.equal(await nothingMore(c), undefined);
  });

  test('retain flag: 0 on forwarded copies, kept with Retain As Published [MQTT-3.3.1-12] [MQTT-3.3.1-13]', async () => {
    const broker = startBroker();
    const plain = await connected(broker, 'plain', 5);
    await subscribe(plain, sub('t'));
    const rap = await connected(broker, 'rap', 5);
    await subscribe(rap, sub('t', 0, { retainAsPublished: true }));
    const v4 = await connected(broker, 'v4');
    await subscribe(v4, sub('t'));
    const p = await connected(broker, 'p');
    publish(p, 't', 'x', { retain: true });
    assert.equal((await nextPublish(plain)).retain, false);
    assert.equal((await nextPublish(rap)).retain, true);
    // 3.1.1 forwards with retain 0 to existing subscribers [MQTT-3.3.1-9].
    assert.equal((await nextPublish(v4)).retain, false);
  });
});

describe('subscribe - unsubscribe', () => {
  test('UNSUBACK codes: Success, No Subscription Existed [MQTT-3.11.3-1]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5);
    await subscribe(s, sub('a/#'));
    s.send({ type: PacketType.Unsubscribe, packetId: 4, topicFilters: ['a/#', 'b'] });
    assert.deepEqual(await s.next(), {
      type: PacketType.Unsuback,
      packetId: 4,
      reasonCodes: [ReasonCode.Success, ReasonCode.NoSubscriptionExisted],
    });
    const p = await connected(broker, 'p');
    publish(p, 'a/b', 'x');
    assert.equal(await nothingMore(s), undefined);
    assert.equal(broker.stats.subscriptionsCount, 0);
  });

  test('filters compare as strings, not by matching [MQTT-3.10.4-1]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5);
    await subscribe(s, sub('a/b'));
    s.send({ type: PacketType.Unsubscribe, packetId: 2, topicFilters: ['a/+'] });
    const ack = await s.next();
    assert.equal(ack.type === PacketType.Unsuback && ack.reasonCodes?.[0], 0x11);
  });
});

describe('subscribe - shared subscriptions', () => {
  test('$share/group/filter: one member at a time, round robin [MQTT-4.8.2]', async () => {
    const broker = startBroker();
    const a = await connected(broker, 'a', 5);
    const b = await connected(broker, 'b', 5);
    await subscribe(a, sub('$share/g/t/#'));
    await subscribe(b, sub('$share/g/t/#'));
    const p = await connected(broker, 'p');
    for (let i = 0; i < 4; i++) publish(p, 't/x', `${i}`);
    const ga = await received(a);
    const gb = await received(b);
    assert.equal(ga.length, 2);
    assert.equal(gb.length, 2);
    assert.equal(broker.stats.sharedSubscriptionsCount, 2);
  });

  test('a shared subscription and a plain one each get a copy', async () => {
    const broker = startBroker();
    const a = await connected(broker, 'a', 5);
    await subscribe(a, [sub('$share/g/t'), sub('t')]);
    const p = await connected(broker, 'p');
    publish(p, 't', 'x');
    assert.equal((await received(a)).length, 2);
  });

  test('no retained messages on a shared subscribe (MQTT 5 4.8.2)', async () => {
    const broker = startBroker();
    const p = await connected(broker, 'p');
    publish(p, 't', 'kept', { retain: true });
    const a = await connected(broker, 'a', 5);
    await subscribe(a, sub('$share/g/t'));
    assert.equal(await nothingMore(a), undefined);
  });

  test('unsubscribe from a shared subscription', async () => {
    const broker = startBroker();
    const a = await connected(broker, 'a', 5);
    await subscribe(a, sub('$share/g/t'));
    a.send({ type: PacketType.Unsubscribe, packetId: 2, topicFilters: ['$share/g/t'] });
    const ack = await a.next();
    assert.equal(ack.type === PacketType.Unsuback && ack.reasonCodes?.[0], 0);
    const p = await connected(broker, 'p');
    publish(p, 't', 'x');
    assert.equal(await nothingMore(a), undefined);
  });
});

describe('subscribe - mount point', () => {
  test('topics get the prefix on the way in and lose it on the way out', async () => {
    const broker = startBroker();
    const listener = { mountPoint: 'tenant/' };
    const s = await connected(broker, 's', 5, { listener });
    await subscribe(s, sub('#'));
    const outside = await connected(broker, 'o');
    await subscribe(outside, sub('#'));
    const p = await connected(broker, 'p', 4, { listener });
    publish(p, 'a/b', 'x');
    assert.equal((await nextPublish(s)).topic, 'a/b');
    assert.equal((await nextPublish(outside)).topic, 'tenant/a/b');
    // A subscription cannot reach outside the mount point.
    publish(outside, 'other', 'y');
    assert.equal(await nothingMore(s), undefined);
  });
});
