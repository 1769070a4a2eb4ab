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

describe('mqtt5 - topic aliases from the client', () => {
  test('an alias set with a topic stands for it later [MQTT-3.3.2-12]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, sub('long/topic'));
    const p = await connected(broker, 'p', 5);
    publish(p, 'long/topic', 'a', { properties: { topicAlias: 3 } });
    publish(p, '', 'b', { properties: { topicAlias: 3 } });
    assert.equal((await nextPublish(s)).topic, 'long/topic');
    const second = await nextPublish(s);
    assert.equal(second.topic, 'long/topic');
    assert.equal(second.payload.toString(), 'b');
  });

  test('an alias above max_topic_alias -> DISCONNECT 0x94 [MQTT-3.3.2-10]', async () => {
    const broker = startBroker();
    const p = await connected(broker, 'p', 5, { listener: { maxTopicAlias: 2 } });
    publish(p, 't', 'a', { properties: { topicAlias: 3 } });
    assert.deepEqual(await p.next(), {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.TopicAliasInvalid,
    });
  });

  test('an unknown alias with an empty topic is a protocol error', async () => {
    const broker = startBroker();
    const p = await connected(broker, 'p', 5);
    publish(p, '', 'a', { properties: { topicAlias: 1 } });
    assert.deepEqual(await p.next(), {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.ProtocolError,
    });
  });
});

describe('mqtt5 - topic aliases to the client', () => {
  test('first send carries topic and alias, later ones the alias alone', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5, {
      properties: { topicAliasMaximum: 1 },
      listener: { maxTopicAliasBroker: 10 },
    });
    await subscribe(s, sub('#'));
    const p = await connected(broker, 'p');
    publish(p, 'a/b', '1');
    publish(p, 'a/b', '2');
    publish(p, 'c', '3');
    const first = await nextPublish(s);
    assert.equal(first.topic, 'a/b');
    assert.equal(first.properties?.topicAlias, 1);
    const second = await nextPublish(s);
    assert.equal(second.topic, '');
    assert.equal(second.properties?.topicAlias, 1);
    // No alias left: sent in full.
    const third = await nextPublish(s);
    assert.equal(third.topic, 'c');
    assert.equal(third.properties?.topicAlias, undefined);
  });

  test("max_topic_alias_broker caps the aliases below the client's maximum", async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5, {
      properties: { topicAliasMaximum: 5 },
      listener: { maxTopicAliasBroker: 1 },
    });
    await subscribe(s, sub('#'));
    const p = await connected(broker, 'p');
    for (const topic of ['a', 'b', 'a', 'b']) publish(p, topic, topic);
    const got = [];
    for (let i = 0; i < 4; i++) {
      const m = await nextPublish(s);
      got.push([m.topic, m.properties?.topicAlias]);
    }
    assert.deepEqual(got, [
      ['a', 1],
      ['b', undefined],
      ['', 1],
      ['b', undefined],
    ]);
  });

  // None by default (as Mosquitto 2.0), even for a client that allows
  // them; none for a client that allows none, whatever the listener says.
  const noAliases = [
    { who: 'by default, to a client allowing 10', client: 10, listener: undefined },
    {
      who: 'to a client that did not ask [MQTT-3.3.2-11]',
      client: undefined,
      listener: 10,
    },
  ];
  for (const { who, client, listener } of noAliases) {
    test(`no aliases ${who}`, async () => {
      const broker = startBroker();
      const s = await connected(broker, 's', 5, {
        ...(client === undefined ? {} : { properties: { topicAliasMaximum: client } }),
        ...(listener === undefined
          ? {}
          : { listener: { maxTopicAliasBroker: listener } }),
      });
      await subscribe(s, sub('t'));
      const p = await connected(broker, 'p');
      publish(p, 't', '1');
      publish(p, 't', '2');
      for (const _ of [1, 2]) {
        const m = await nextPublish(s);
        assert.equal(m.topic, 't');
        assert.equal(m.properties?.topicAlias, undefined);
      }
    });
  }
});

describe('mqtt5 - maximum packet size', () => {
  test('incoming: a packet over max_packet_size -> DISCONNECT 0x95', async () => {
    const broker = startBroker({ maxPacketSize: 64 });
    const p = await connected(broker, 'p', 5);
    publish(p, 't', Buffer.alloc(100));
    assert.deepEqual(await p.next(), {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.PacketTooLarge,
    });
  });

  test('outgoing: a message over the client Maximum Packet Size is not sent [MQTT-3.1.2-25]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5, { properties: { maximumPacketSize: 50 } });
    await subscribe(s, sub('t', 1));
    const p = await connected(broker, 'p');
    publish(p, 't', Buffer.alloc(100), { qos: 1, packetId: 1 });
    publish(p, 't', 'small', { qos: 1, packetId: 2 });
    const m = await nextPublish(s);
    assert.equal(m.payload.toString(), 'small');
    assert.equal(await nothingMore(s), undefined);
    assert.equal(broker.stats.publishDropped, 1);
  });
});

describe('mqtt5 - message properties', () => {
  test('user properties, content type, response topic and correlation data pass unchanged', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5);
    await subscribe(s, sub('t'));
    const p = await connected(broker, 'p', 5);
    const properties = {
      payloadFormatIndicator: 1,
      contentType: 'application/json',
      responseTopic: 'reply/1',
      correlationData: Buffer.from([0, 1, 2]),
      userProperties: [
        ['a', '1'],
        ['a', '2'],
      ] as Array<[string, string]>,
    };
    publish(p, 't', '{}', { properties });
    assert.deepEqual((await nextPublish(s)).properties, properties);
  });

  test('Message Expiry Interval: the time left is sent [MQTT-3.3.2-6]', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 5_000_000 });
    const broker = startBroker();
    let s = await connected(broker, 's', 5, {
      clean: false,
      properties: { sessionExpiryInterval: 100 },
    });
    await subscribe(s, sub('t', 1));
    s.close();
    await new Promise((r) => setImmediate(r));
    const p = await connected(broker, 'p', 5);
    publish(p, 't', 'x', { qos: 1, properties: { messageExpiryInterval: 30 } });
    t.mock.timers.tick(12_000);
    s = await connected(broker, 's', 5, { clean: false });
    assert.equal((await nextPublish(s)).properties?.messageExpiryInterval, 18);
  });

  test('payload format 1 with invalid UTF-8 is passed on unchecked, as Mosquitto does', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5);
    await subscribe(s, sub('t'));
    const p = await connected(broker, 'p', 5);
    publish(p, 't', Buffer.from([0xff, 0xfe]), {
      qos: 1,
      properties: { payloadFormatIndicator: 1 },
    });
    assert.equal((await p.next()).type, PacketType.Puback);
    assert.deepEqual((await nextPublish(s)).payload, Buffer.from([0xff, 0xfe]));
  });

  test('the same message reaches 3.1.1 and 5.0 subscribers in their own forms', async () => {
    const broker = startBroker();
    const v4 = await connected(broker, 'v4');
    const v5 = await connected(broker, 'v5', 5);
    await subscribe(v4, sub('t', 1));
    await subscribe(v5, sub('t', 1));
    const p = await connected(broker, 'p', 5);
    publish(p, 't', 'x', { qos: 1, properties: { userProperties: [['k', 'v']] } });
    const a = await nextPublish(v4);
    const b = await nextPublish(v5);
    assert.equal(a.properties, undefined);
    assert.deepEqual(b.properties?.userProperties, [['k', 'v']]);
  });
});

describe('mqtt5 - server disconnect', () => {
  test('close() sends DISCONNECT Server Shutting Down to 5.0 clients', async () => {
    const broker = startBroker();
    const c5 = await connected(broker, 'c5', 5);
    const c4 = await connected(broker, 'c4');
    await broker.close();
    assert.deepEqual(await c5.next(), {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.ServerShuttingDown,
    });
    await c4.waitClosed();
    assert.equal(c4.received.length, 0);
  });
});
