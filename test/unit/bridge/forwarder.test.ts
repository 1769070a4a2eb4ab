/**
 * The local half of a bridge, against an in-process broker: messages for
 * the remote stay in flight on the bridge's session until the remote has
 * them, and queue beyond the in-flight window.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Forwarder, type KeepMode } from '../../../src/bridge/forwarder.js';
import { LocalLink, LocalRefusedError } from '../../../src/bridge/local-link.js';
import { TopicMap } from '../../../src/bridge/topic-map.js';
import {
  Broker,
  type BrokerOptions,
  createMemoryPair,
  defaultListenerSettings,
  NEVER_EXPIRES,
} from '../../../src/broker/index.js';
import { type MqttClient, PublishError } from '../../../src/client/index.js';
import { type BridgeConfig, parseConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/log/log-types.js';
import { PacketType, type PublishPacket, type QoS } from '../../../src/protocol/index.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

function bridgeConfig(extra = ''): BridgeConfig {
  const text =
    'listener 1883\nconnection b\naddress 127.0.0.1\n' +
    `topic q/# both 2 loc/ rem/\n${extra}\n`;
  return parseConfig(text, 'fwd.conf').bridges[0]!;
}

interface Sent {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
  settle(error?: Error): void;
}

/**
 * A stand-in for the remote client: records publishes, settles on demand.
 * `shared` stands for a ClientSession given in its options.
 */
function fakeRemote(props: Record<string, number> = {}, shared?: object) {
  const sent: Sent[] = [];
  const client = {
    options: shared === undefined ? {} : { session: shared },
    connectResult: {
      sessionPresent: false,
      reasonCode: 0,
      clientId: 'x',
      properties: props,
    },
    publish(topic: string, payload: Buffer, o: { qos: QoS; retain: boolean }) {
      return new Promise((resolve, reject) => {
        sent.push({
          topic,
          payload: payload.toString(),
          qos: o.qos,
          retain: o.retain,
          settle: (error?: Error) => (error ? reject(error) : resolve({ reasonCode: 0 })),
        });
      });
    },
  };
  return { client: client as unknown as MqttClient, sent };
}

async function setup(
  options: Partial<BrokerOptions> = {},
  extra = '',
  mode: KeepMode = 'qos12',
) {
  const broker = new Broker(options);
  after(() => broker.close());
  const config = bridgeConfig(extra);
  const map = new TopicMap(config.topics);
  let forwarder: Forwarder | undefined;
  const link = new LocalLink(broker, defaultListenerSettings, {
    onPublish: (p: PublishPacket) => forwarder?.fromLocal(p, mode),
    onClose: () => {},
  });
  forwarder = new Forwarder(config, map, link, silentLogger, 4, 100);
  await link.connect({ clientId: 'local.b', clean: false, sessionExpiry: NEVER_EXPIRES });
  await link.subscribe([
    {
      topicFilter: 'loc/q/#',
      qos: 2,
      noLocal: true,
      retainAsPublished: true,
      retainHandling: 2,
    },
  ]);
  const session = broker.session('local.b')!;
  const publish = (topic: string, qos: QoS, retain = false) =>
    broker.publish({ topic, payload: Buffer.from(topic), qos, retain });
  return { broker, forwarder, link, session, publish };
}

describe('bridge forwarder', () => {
  test('while the remote is down, QoS 1 stays in flight, then queues', async () => {
    const s = await setup({ maxInflightMessages: 2 });
    for (let i = 1; i <= 5; i++) s.publish(`loc/q/${i}`, 1);
    await tick();
    assert.equal(s.forwarder.heldCount, 2);
    assert.equal(s.session.inflight.size, 2);
    assert.equal(s.session.queue.length, 3);
  });

  test('the remote gets them in order, with topics mapped; acks free the window', async () => {
    const s = await setup({ maxInflightMessages: 2 });
    for (let i = 1; i <= 4; i++) s.publish(`loc/q/${i}`, 1);
    await tick();
    const remote = fakeRemote();
    s.forwarder.attach(remote.client);
    assert.deepEqual(
      remote.sent.map((m) => m.topic),
      ['rem/q/1', 'rem/q/2'],
    );
    for (const m of remote.sent.splice(0)) m.settle();
    await tick();
    assert.deepEqual(
      remote.sent.map((m) => m.topic),
      ['rem/q/3', 'rem/q/4'],
    );
    for (const m of remote.sent.splice(0)) m.settle();
    await tick();
    assert.equal(s.session.inflight.size, 0);
    assert.equal(s.forwarder.heldCount, 0);
  });

  test('a QoS 2 message is released only after the remote completes it', async () => {
    const s = await setup();
    const remote = fakeRemote();
    s.forwarder.attach(remote.client);
    s.publish('loc/q/two', 2);
    await tick();
    assert.equal(remote.sent[0]?.qos, 2);
    assert.equal(s.session.inflight.size, 1);
    remote.sent[0]!.settle();
    await tick();
    assert.equal(s.session.inflight.size, 0, 'PUBREC, PUBREL, PUBCOMP done');
  });

  test('a lost connection keeps what was in flight for the next one', async () => {
    const s = await setup();
    const first = fakeRemote();
    s.forwarder.attach(first.client);
    s.publish('loc/q/1', 1);
    await tick();
    s.forwarder.detach(true);
    first.sent[0]!.settle(new Error('connection lost'));
    await tick();
    const second = fakeRemote();
    s.forwarder.attach(second.client);
    assert.deepEqual(
      second.sent.map((m) => m.topic),
      ['rem/q/1'],
    );
  });

  test('with a shared session, what was handed over is not published again', async () => {
    const s = await setup();
    const session = {};
    const first = fakeRemote({}, session);
    s.forwarder.attach(first.client);
    s.publish('loc/q/1', 2);
    await tick();
    s.forwarder.detach(true);
    s.publish('loc/q/2', 2);
    await tick();
    // The session resends loc/q/1 itself; only loc/q/2 is new to it.
    const second = fakeRemote({}, session);
    s.forwarder.attach(second.client);
    assert.deepEqual(
      second.sent.map((m) => m.topic),
      ['rem/q/2'],
    );
    first.sent[0]!.settle();
    second.sent[0]!.settle();
    await tick();
    assert.equal(s.session.inflight.size, 0, 'both released locally');
  });

  test('a message the remote refuses is dropped, not resent', async () => {
    const s = await setup();
    const remote = fakeRemote();
    s.forwarder.attach(remote.client);
    s.publish('loc/q/1', 1);
    await tick();
    remote.sent[0]!.settle(
      new PublishError('PUBLISH_REFUSED', 'no', { reasonCode: 0x87 }),
    );
    await tick();
    assert.equal(s.forwarder.heldCount, 0);
    assert.equal(s.session.inflight.size, 0);
  });

  test("clean local session ('none'): nothing is kept while down", async () => {
    const s = await setup({}, '', 'none');
    s.publish('loc/q/1', 1);
    await tick();
    assert.equal(s.forwarder.heldCount, 0);
    assert.equal(s.session.inflight.size, 0);
  });

  test('QoS 0 is kept only for lazy bridges', async () => {
    const kept = await setup({}, '', 'all');
    kept.publish('loc/q/1', 0);
    const dropped = await setup({}, '', 'qos12');
    dropped.publish('loc/q/1', 0);
    await tick();
    assert.equal(kept.forwarder.heldCount, 1);
    assert.equal(dropped.forwarder.heldCount, 0);
  });

  test('retain: as published, or cleared by bridge_outgoing_retain false', async () => {
    const s = await setup();
    const remote = fakeRemote();
    s.forwarder.attach(remote.client);
    s.publish('loc/q/r', 1, true);
    const off = await setup({}, 'bridge_outgoing_retain false');
    const remote2 = fakeRemote();
    off.forwarder.attach(remote2.client);
    off.publish('loc/q/r', 1, true);
    await tick();
    assert.equal(remote.sent[0]?.retain, true);
    assert.equal(remote2.sent[0]?.retain, false);
  });

  test("the remote's maximum QoS and retain availability apply", async () => {
    const s = await setup();
    const remote = fakeRemote({ maximumQoS: 1, retainAvailable: 0 });
    s.forwarder.attach(remote.client);
    s.publish('loc/q/x', 2, true);
    await tick();
    assert.equal(remote.sent[0]?.qos, 1);
    assert.equal(remote.sent[0]?.retain, false);
  });

  test('bridge_max_packet_size drops what is too large', async () => {
    const s = await setup({}, 'bridge_max_packet_size 30');
    const remote = fakeRemote();
    s.forwarder.attach(remote.client);
    s.broker.publish({ topic: 'loc/q/small', payload: Buffer.from('x'), qos: 1 });
    s.broker.publish({ topic: 'loc/q/big', payload: Buffer.alloc(40), qos: 1 });
    await tick();
    assert.deepEqual(
      remote.sent.map((m) => m.topic),
      ['rem/q/small'],
    );
    assert.equal(s.session.inflight.size, 1, 'the big one was released');
  });

  test('messages from the remote are published locally, topic mapped', async () => {
    const s = await setup();
    const { transport, client } = createMemoryPair();
    s.broker.accept(transport, defaultListenerSettings);
    client.send({
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 4,
      bridge: false,
      clean: true,
      keepAlive: 0,
      clientId: 'watcher',
    });
    await client.next();
    client.send({
      type: PacketType.Subscribe,
      packetId: 1,
      subscriptions: [
        {
          topicFilter: 'loc/#',
          qos: 1,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 0,
        },
      ],
    });
    await client.next();
    s.forwarder.fromRemote({
      topic: 'rem/q/in',
      payload: Buffer.from('hi'),
      qos: 1,
      retain: false,
      dup: false,
    });
    const got = (await client.next()) as PublishPacket;
    assert.equal(got.topic, 'loc/q/in');
    assert.equal(got.payload.toString(), 'hi');
  });
});

describe('bridge local link', () => {
  test('a refused session rejects with the reason code', async () => {
    const broker = new Broker({ allowAnonymous: false });
    after(() => broker.close());
    const link = new LocalLink(broker, defaultListenerSettings, {
      onPublish: () => {},
      onClose: () => {},
    });
    await assert.rejects(
      link.connect({ clientId: 'local.x', clean: true, sessionExpiry: 0 }),
      LocalRefusedError,
    );
  });

  test('a client taking the id over closes the link', async () => {
    const broker = new Broker();
    after(() => broker.close());
    let closed = false;
    const link = new LocalLink(broker, defaultListenerSettings, {
      onPublish: () => {},
      onClose: () => {
        closed = true;
      },
    });
    await link.connect({ clientId: 'local.x', clean: true, sessionExpiry: 0 });
    const { transport, client } = createMemoryPair();
    broker.accept(transport, defaultListenerSettings);
    client.send({
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 4,
      bridge: false,
      clean: true,
      keepAlive: 0,
      clientId: 'local.x',
    });
    await client.next();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(closed, true);
    assert.equal(link.connected, false);
  });
});
