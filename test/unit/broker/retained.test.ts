import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PacketType, ReasonCode } from '../../../src/protocol/index.js';
import {
  connected,
  nextPublish,
  nothingMore,
  publish,
  startBroker,
  sub,
  subscribe,
} from './helpers.js';

describe('retained messages', () => {
  test('stored and delivered on subscribe with retain set [MQTT-3.3.1-5] [MQTT-3.3.1-8]', async () => {
    const broker = startBroker();
    const p = await connected(broker, 'p');
    publish(p, 'r/a', 'one', { retain: true, qos: 1, packetId: 1 });
    await p.next();
    const s = await connected(broker, 's');
    await subscribe(s, sub('r/#', 1));
    const m = await nextPublish(s);
    assert.equal(m.retain, true);
    assert.equal(m.qos, 1);
    assert.equal(m.payload.toString(), 'one');
    assert.equal(broker.stats.retainedCount, 1);
  });

  test('a new retained message replaces the old one [MQTT-3.3.1-5]', async () => {
    const broker = startBroker();
    const p = await connected(broker, 'p');
    publish(p, 'r', 'old', { retain: true });
    publish(p, 'r', 'new', { retain: true });
    const s = await connected(broker, 's');
    await subscribe(s, sub('r'));
    assert.equal((await nextPublish(s)).payload.toString(), 'new');
    assert.equal(await nothingMore(s), undefined);
  });

  test('an empty retained payload clears the topic [MQTT-3.3.1-6] [MQTT-3.3.1-7]', async () => {
    const broker = startBroker();
    const p = await connected(broker, 'p');
    publish(p, 'r', 'kept', { retain: true });
    const live = await connected(broker, 'live');
    await subscribe(live, sub('r'));
    await nextPublish(live);
    publish(p, 'r', '', { retain: true });
    // The empty message still reaches current subscribers.
    assert.equal((await nextPublish(live)).payload.length, 0);
    const s = await connected(broker, 's');
    await subscribe(s, sub('r'));
    assert.equal(await nothingMore(s), undefined);
    assert.equal(broker.stats.retainedCount, 0);
  });

  test('wildcard subscriptions find retained messages; $ topics need an explicit first level', async () => {
    const broker = startBroker();
    const p = await connected(broker, 'p');
    for (const t of ['a', 'a/b', 'a/b/c', 'x/b']) publish(p, t, t, { retain: true });
    broker.publish({ topic: '$SYS/v', payload: Buffer.from('1'), retain: true });
    const s = await connected(broker, 's');
    await subscribe(s, [sub('a/#'), sub('+/b')]);
    await new Promise((r) => setTimeout(r, 5));
    const topics = s.received
      .map((x) => (x.type === PacketType.Publish ? x.topic : ''))
      .sort();
    assert.deepEqual(topics, ['a', 'a/b', 'a/b', 'a/b/c', 'x/b']);
    const all = await connected(broker, 'all');
    await subscribe(all, sub('#'));
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(all.received.length, 4);
  });

  test('retain handling 1 sends only for a new subscription, 2 never [MQTT-3.3.1-10] [MQTT-3.3.1-11]', async () => {
    const broker = startBroker();
    const p = await connected(broker, 'p');
    publish(p, 'r', 'x', { retain: true });
    const s = await connected(broker, 's', 5);
    await subscribe(s, sub('r', 0, { retainHandling: 1 }));
    await nextPublish(s);
    await subscribe(s, sub('r', 0, { retainHandling: 1 }), 2);
    assert.equal(await nothingMore(s), undefined);
    await subscribe(s, sub('r', 0, { retainHandling: 0 }), 3);
    await nextPublish(s);
    const n = await connected(broker, 'n', 5);
    await subscribe(n, sub('r', 0, { retainHandling: 2 }));
    assert.equal(await nothingMore(n), undefined);
  });

  test('retain_available false: 5.0 publish with retain -> DISCONNECT 0x9A; 3.x closed', async () => {
    const broker = startBroker({ retainAvailable: false });
    const p5 = await connected(broker, 'p5', 5);
    publish(p5, 'r', 'x', { retain: true });
    assert.deepEqual(await p5.next(), {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.RetainNotSupported,
    });
    const p4 = await connected(broker, 'p4');
    publish(p4, 'r', 'x', { retain: true });
    await p4.waitClosed();
    assert.equal(p4.received.length, 0);
  });

  test('5.0: an expired retained message is not delivered [MQTT-3.3.2-5]', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const broker = startBroker();
    const p = await connected(broker, 'p', 5);
    publish(p, 'r', 'x', { retain: true, properties: { messageExpiryInterval: 10 } });
    t.mock.timers.tick(4_000);
    const s = await connected(broker, 's', 5);
    await subscribe(s, sub('r'));
    const m = await nextPublish(s);
    assert.equal(m.properties?.messageExpiryInterval, 6);
    t.mock.timers.tick(7_000);
    const late = await connected(broker, 'late', 5);
    await subscribe(late, sub('r'));
    assert.equal(await nothingMore(late), undefined);
    assert.equal(broker.retainedMessages().length, 0);
  });
});
