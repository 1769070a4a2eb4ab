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

describe('sessions', () => {
  test('clean session: subscriptions end with the connection [MQTT-3.1.2-6]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, sub('t'));
    s.close();
    await tick();
    assert.equal(broker.session('s'), undefined);
    assert.equal(broker.stats.subscriptionsCount, 0);
  });

  test('persistent session keeps subscriptions and queues QoS 1/2 [MQTT-3.1.2-5]', async () => {
    const broker = startBroker();
    let s = await connected(broker, 's', 4, { clean: false });
    await subscribe(s, sub('t', 1));
    s.close();
    await tick();
    const p = await connected(broker, 'p');
    publish(p, 't', 'q0');
    publish(p, 't', 'q1', { qos: 1, packetId: 1 });
    await p.next();
    s = await connected(broker, 's', 4, { clean: false });
    const m = await nextPublish(s);
    assert.equal(m.payload.toString(), 'q1');
    assert.equal(m.dup, false);
    assert.equal(await nothingMore(s), undefined);
  });

  test('queue_qos0_messages queues QoS 0 for offline sessions too', async () => {
    const broker = startBroker({ queueQos0Messages: true });
    let s = await connected(broker, 's', 4, { clean: false });
    await subscribe(s, sub('t', 1));
    s.close();
    await tick();
    const p = await connected(broker, 'p');
    publish(p, 't', 'q0');
    s = await connected(broker, 's', 4, { clean: false });
    const m = await nextPublish(s);
    assert.equal(m.payload.toString(), 'q0');
    assert.equal(m.qos, 0);
  });

  test('clean start discards a stored session [MQTT-3.1.2-4]', async () => {
    const broker = startBroker();
    let s = await connected(broker, 's', 5, {
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    });
    await subscribe(s, sub('t', 1));
    s.close();
    await tick();
    s = await connected(broker, 's', 5, { clean: true });
    const p = await connected(broker, 'p');
    publish(p, 't', 'x');
    assert.equal(await nothingMore(s), undefined);
  });

  test('5.0: session expiry 0 ends the session at disconnect [MQTT-3.1.2-23]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5, { clean: false });
    s.close();
    await tick();
    assert.equal(broker.session('s'), undefined);
  });

  test('5.0: a session expires after its Session Expiry Interval', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5, {
      clean: false,
      properties: { sessionExpiryInterval: 30 },
    });
    s.close();
    await tick();
    broker.sweep(Date.now() + 29_000);
    assert.ok(broker.session('s'));
    broker.sweep(Date.now() + 31_000);
    assert.equal(broker.session('s'), undefined);
    assert.equal(broker.stats.clientsExpired, 1);
  });

  test('3.x persistent sessions never expire unless persistent_client_expiration', async () => {
    const forever = startBroker();
    const a = await connected(forever, 'a', 4, { clean: false });
    a.close();
    await tick();
    forever.sweep(Date.now() + 10 * 365 * 86_400_000);
    assert.ok(forever.session('a'));
    const bounded = startBroker({ persistentClientExpiration: 3600 });
    const b = await connected(bounded, 'b', 4, { clean: false });
    b.close();
    await tick();
    bounded.sweep(Date.now() + 3_601_000);
    assert.equal(bounded.session('b'), undefined);
  });

  test('5.0: DISCONNECT may change the Session Expiry Interval', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5, {
      clean: false,
      properties: { sessionExpiryInterval: 10 },
    });
    s.send({ type: PacketType.Disconnect, properties: { sessionExpiryInterval: 0 } });
    await s.waitClosed();
    assert.equal(broker.session('s'), undefined);
  });

  test('5.0: DISCONNECT setting expiry when CONNECT had 0 is a protocol error [MQTT-3.14.2-2]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 5);
    s.send({ type: PacketType.Disconnect, properties: { sessionExpiryInterval: 60 } });
    assert.deepEqual(await s.next(), {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.ProtocolError,
    });
    await s.waitClosed();
    assert.equal(broker.session('s'), undefined);
  });

  test('expired messages are dropped from an offline queue [MQTT-3.3.2-5]', async () => {
    const broker = startBroker();
    let s = await connected(broker, 's', 5, {
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    });
    await subscribe(s, sub('t', 1));
    s.close();
    await tick();
    const p = await connected(broker, 'p', 5);
    publish(p, 't', 'short', { qos: 1, properties: { messageExpiryInterval: 5 } });
    publish(p, 't', 'long', { qos: 1, packetId: 2 });
    await tick();
    assert.equal(broker.session('s')?.queue.length, 2);
    broker.sweep(Date.now() + 6_000);
    assert.equal(broker.session('s')?.queue.length, 1);
    s = await connected(broker, 's', 5, { clean: false });
    assert.equal((await nextPublish(s)).payload.toString(), 'long');
  });

  test('queued messages keep their order across reconnects', async () => {
    const broker = startBroker({ maxInflightMessages: 2 });
    let s = await connected(broker, 's', 4, { clean: false });
    await subscribe(s, sub('t', 1));
    s.close();
    await tick();
    const p = await connected(broker, 'p');
    for (let i = 1; i <= 5; i++) publish(p, 't', `${i}`, { qos: 1, packetId: i });
    s = await connected(broker, 's', 4, { clean: false });
    const got: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await nextPublish(s);
      got.push(m.payload.toString());
      s.send({
        type: PacketType.Puback,
        packetId: (m as PublishPacket).packetId as number,
      });
    }
    assert.deepEqual(got, ['1', '2', '3', '4', '5']);
  });

  test('stats count clients connected, total and maximum', async () => {
    const broker = startBroker();
    const a = await connected(broker, 'a', 4, { clean: false });
    await connected(broker, 'b');
    assert.equal(broker.stats.clientsConnected, 2);
    assert.equal(broker.stats.clientsTotal, 2);
    a.close();
    await tick();
    assert.equal(broker.stats.clientsConnected, 1);
    assert.equal(broker.stats.clientsTotal, 2);
    assert.equal(broker.stats.clientsMaximum, 2);
  });
});
