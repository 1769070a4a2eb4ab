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

describe('qos - incoming flows', () => {
  test('QoS 1 gets PUBACK with the same packet id [MQTT-4.3.2-4]', async () => {
    const broker = startBroker();
    const p = await connected(broker, 'p');
    publish(p, 't', 'x', { qos: 1, packetId: 77 });
    assert.deepEqual(await p.next(), { type: PacketType.Puback, packetId: 77 });
  });

  test('5.0: PUBACK says No Matching Subscribers when nobody listens', async () => {
    const broker = startBroker();
    const p = await connected(broker, 'p', 5);
    publish(p, 't', 'x', { qos: 1, packetId: 3 });
    const ack = await p.next();
    assert.equal(ack.type, PacketType.Puback);
    assert.equal(ack.reasonCode, ReasonCode.NoMatchingSubscribers);
  });

  test('QoS 2 is delivered once, on PUBREL, despite a repeated PUBLISH [MQTT-4.3.3-10]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 0));
    const p = await connected(broker, 'p');
    publish(p, 't', 'once', { qos: 2, packetId: 9 });
    assert.deepEqual(await p.next(), { type: PacketType.Pubrec, packetId: 9 });
    publish(p, 't', 'once', { qos: 2, packetId: 9, dup: true });
    assert.deepEqual(await p.next(), { type: PacketType.Pubrec, packetId: 9 });
    assert.equal(await nothingMore(s), undefined);
    p.send({ type: PacketType.Pubrel, packetId: 9 });
    assert.deepEqual(await p.next(), { type: PacketType.Pubcomp, packetId: 9 });
    assert.equal((await nextPublish(s)).payload.toString(), 'once');
    p.send({ type: PacketType.Pubrel, packetId: 9 });
    assert.deepEqual(await p.next(), { type: PacketType.Pubcomp, packetId: 9 });
    assert.equal(await nothingMore(s), undefined);
  });

  test('a QoS 2 PUBLISH past Receive Maximum gets PUBREC 0x97, as Mosquitto does', async () => {
    const broker = startBroker({ maxInflightMessages: 2 });
    const s = await connected(broker, 's');
    await subscribe(s, sub('t'));
    const p = await connected(broker, 'p', 5);
    for (const id of [1, 2, 3]) publish(p, 't', `m${id}`, { qos: 2, packetId: id });
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const ack = await p.next();
      assert.equal(ack.type, PacketType.Pubrec);
      codes.push(ack.reasonCode);
    }
    assert.deepEqual(codes, [0, 0, ReasonCode.QuotaExceeded]);
    p.send({ type: PacketType.Pubrel, packetId: 3 });
    await p.next();
    for (const id of [1, 2]) {
      p.send({ type: PacketType.Pubrel, packetId: id });
      await p.next();
    }
    const got = [await nextPublish(s), await nextPublish(s)].map((m) =>
      m.payload.toString(),
    );
    assert.deepEqual(got, ['m1', 'm2']);
    assert.equal(await nothingMore(s), undefined);
  });

  test('message_size_limit: not forwarded, flow completed; 5.0 told 0x83', async () => {
    const broker = startBroker({ messageSizeLimit: 4 });
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 1));
    const p5 = await connected(broker, 'p5', 5);
    publish(p5, 't', 'too big', { qos: 1, packetId: 1 });
    const ack = await p5.next();
    assert.equal(
      ack.type === PacketType.Puback && ack.reasonCode,
      ReasonCode.ImplementationSpecificError,
    );
    const p4 = await connected(broker, 'p4');
    publish(p4, 't', 'too big', { qos: 2, packetId: 2 });
    assert.deepEqual(await p4.next(), { type: PacketType.Pubrec, packetId: 2 });
    p4.send({ type: PacketType.Pubrel, packetId: 2 });
    assert.deepEqual(await p4.next(), { type: PacketType.Pubcomp, packetId: 2 });
    assert.equal(await nothingMore(s), undefined);
    publish(p4, 't', 'ok', { qos: 0 });
    assert.equal((await nextPublish(s)).payload.toString(), 'ok');
  });

  test('max_qos: a PUBLISH above it closes the connection (5.0: 0x9B)', async () => {
    const broker = startBroker();
    const p5 = await connected(broker, 'p5', 5, { listener: { maxQos: 1 } });
    publish(p5, 't', 'x', { qos: 2, packetId: 1 });
    assert.deepEqual(await p5.next(), {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.QoSNotSupported,
    });
    const p4 = await connected(broker, 'p4', 4, { listener: { maxQos: 1 } });
    publish(p4, 't', 'x', { qos: 2, packetId: 1 });
    await p4.waitClosed();
    assert.equal(p4.received.length, 0);
  });

  test('max_qos: the granted QoS is capped in SUBACK', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's', 4, { listener: { maxQos: 1 } });
    const suback = await subscribe(s, [sub('a', 2), sub('b', 0)]);
    assert.deepEqual(suback.reasonCodes, [1, 0]);
  });
});

describe('qos - outgoing flows', () => {
  test('delivery QoS is the lower of message and subscription QoS [MQTT-3.8.4-8]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 1));
    const p = await connected(broker, 'p');
    publish(p, 't', 'x', { qos: 2, packetId: 1 });
    await p.next();
    p.send({ type: PacketType.Pubrel, packetId: 1 });
    assert.equal((await nextPublish(s)).qos, 1);
    publish(p, 't', 'y', { qos: 0 });
    assert.equal((await nextPublish(s)).qos, 0);
  });

  test('upgrade_outgoing_qos delivers at the subscription QoS', async () => {
    const broker = startBroker({ upgradeOutgoingQos: true });
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 2));
    const p = await connected(broker, 'p');
    publish(p, 't', 'x');
    assert.equal((await nextPublish(s)).qos, 2);
  });

  test('QoS 2 outgoing: PUBREC answered with PUBREL, PUBCOMP frees the slot', async () => {
    const broker = startBroker({ maxInflightMessages: 1 });
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 2));
    const p = await connected(broker, 'p');
    for (const [id, text] of [
      [1, 'a'],
      [2, 'b'],
    ] as const) {
      publish(p, 't', text, { qos: 2, packetId: id });
      await p.next();
      p.send({ type: PacketType.Pubrel, packetId: id });
      await p.next();
    }
    const a = await nextPublish(s);
    assert.equal(await nothingMore(s), undefined);
    s.send({ type: PacketType.Pubrec, packetId: a.packetId as number });
    assert.deepEqual(await s.next(), { type: PacketType.Pubrel, packetId: a.packetId });
    assert.equal(await nothingMore(s), undefined);
    s.send({ type: PacketType.Pubcomp, packetId: a.packetId as number });
    assert.equal((await nextPublish(s)).payload.toString(), 'b');
  });

  test('in-flight window = min(max_inflight_messages, Receive Maximum) [MQTT-3.3.4-9]', async () => {
    const broker = startBroker({ maxInflightMessages: 5 });
    const s = await connected(broker, 's', 5, { properties: { receiveMaximum: 2 } });
    await subscribe(s, sub('t', 1));
    const p = await connected(broker, 'p');
    for (let i = 1; i <= 4; i++) publish(p, 't', `m${i}`, { qos: 1, packetId: i });
    await tick();
    const got = s.received.splice(0) as PublishPacket[];
    assert.deepEqual(
      got.map((x) => x.payload.toString()),
      ['m1', 'm2'],
    );
    s.send({ type: PacketType.Puback, packetId: got[0]?.packetId as number });
    assert.equal((await nextPublish(s)).payload.toString(), 'm3');
  });

  test('max_inflight_bytes caps the window in bytes', async () => {
    const broker = startBroker({ maxInflightBytes: 10 });
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 1));
    const p = await connected(broker, 'p');
    publish(p, 't', '123456', { qos: 1, packetId: 1 });
    publish(p, 't', '123456', { qos: 1, packetId: 2 });
    await tick();
    assert.equal(s.received.length, 1);
  });

  // A client publishing into a full queue is held back (flow-control.test.ts);
  // messages that cannot be held back, such as the broker's own, meet the
  // queue limits.
  test('queue limits: QoS 1 beyond max_queued_messages dropped and counted', async () => {
    const broker = startBroker({ maxInflightMessages: 1, maxQueuedMessages: 2 });
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 1));
    for (let i = 1; i <= 5; i++) {
      broker.publish({ topic: 't', payload: Buffer.from(`m${i}`), qos: 1 });
    }
    await tick();
    assert.equal(broker.stats.publishDropped, 2);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await nextPublish(s);
      seen.push(m.payload.toString());
      s.send({ type: PacketType.Puback, packetId: m.packetId as number });
    }
    assert.deepEqual(seen, ['m1', 'm2', 'm3']);
    assert.equal(await nothingMore(s), undefined);
  });

  test('max_queued_bytes limits the queue in bytes', async () => {
    const broker = startBroker({ maxInflightMessages: 1, maxQueuedBytes: 5 });
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 1));
    for (let i = 1; i <= 4; i++) {
      broker.publish({ topic: 't', payload: Buffer.from('123'), qos: 1 });
    }
    await tick();
    // One in flight, one queued (3 bytes), two over the 5-byte queue.
    assert.equal(broker.stats.publishDropped, 2);
  });

  test('QoS 0 to a client whose queue is full is dropped and counted', async () => {
    const broker = startBroker({ maxInflightMessages: 1, maxQueuedMessages: 1 });
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 1));
    const p = await connected(broker, 'p');
    publish(p, 't', 'a', { qos: 1, packetId: 1 });
    publish(p, 't', 'b', { qos: 1, packetId: 2 });
    publish(p, 't', 'c', { qos: 0 });
    await tick();
    assert.equal(s.received.length, 1);
    assert.equal(broker.stats.publishDropped, 1);
  });

  test('packet ids of outgoing messages are distinct while in flight [MQTT-2.2.1-3]', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 2));
    const p = await connected(broker, 'p');
    for (let i = 1; i <= 5; i++) publish(p, 't', 'x', { qos: 1, packetId: i });
    await tick();
    const ids = (
      s.received.filter((x) => x.type === PacketType.Publish) as PublishPacket[]
    ).map((x) => x.packetId);
    assert.equal(new Set(ids).size, 5);
    assert.ok(ids.every((id) => id !== undefined && id > 0));
  });
});

describe('qos - session resume', () => {
  test('unacknowledged PUBLISH resent with DUP, PUBREL resent [MQTT-4.4.0-1]', async () => {
    const broker = startBroker();
    let s = await connected(broker, 's', 4, { clean: false });
    await subscribe(s, sub('t', 2));
    const p = await connected(broker, 'p');
    publish(p, 't', 'q1', { qos: 1, packetId: 1 });
    const first = await nextPublish(s);
    publish(p, 't', 'q2', { qos: 2, packetId: 2 });
    await p.next();
    p.send({ type: PacketType.Pubrel, packetId: 2 });
    const second = await nextPublish(s);
    s.send({ type: PacketType.Pubrec, packetId: second.packetId as number });
    await s.next(); // PUBREL
    s.close();
    await tick();
    s = await connected(broker, 's', 4, { clean: false });
    const again = await nextPublish(s);
    assert.equal(again.dup, true);
    assert.equal(again.packetId, first.packetId);
    assert.equal(again.payload.toString(), 'q1');
    assert.deepEqual(await s.next(), {
      type: PacketType.Pubrel,
      packetId: second.packetId,
    });
  });
});
