/**
 * Large payloads: written after their PUBLISH header as a buffer of their
 * own, never copied into the packet, with every limit still applied to
 * the whole packet; a payload the decoder assembled is kept, not copied.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Broker, createMemoryPair } from '../../../src/broker/index.js';
import { fillsItsMemory } from '../../../src/broker/message.js';
import { type ConnackPacket, encode, PacketType } from '../../../src/protocol/index.js';
import {
  connected,
  connectPacket,
  listener,
  nextPublish,
  nothingMore,
  publish,
  startBroker,
  sub,
  subscribe,
} from './helpers.js';

const BIG = Buffer.alloc(10_000, 0x5a);

/** A connected client whose every write from the broker is recorded. */
async function spied(broker: Broker, clientId: string, version: 4 | 5 = 4) {
  const { transport, client } = createMemoryPair();
  const writes: Buffer[] = [];
  const write = transport.write.bind(transport);
  transport.write = (data: Buffer) => {
    writes.push(data);
    write(data);
  };
  broker.accept(transport, listener());
  client.send(connectPacket({ clientId, protocolVersion: version }));
  const connack = (await client.next()) as ConnackPacket;
  assert.equal(connack.reasonCode, 0);
  return { client, writes };
}

test('large payloads: sent after a header of their own, QoS 1, 3.1.1 and 5.0', async () => {
  const broker = startBroker();
  const s4 = await spied(broker, 's4', 4);
  const s5 = await spied(broker, 's5', 5);
  await subscribe(s4.client, sub('big/#', 1));
  // A Subscription Identifier makes the 5.0 copy one encoded per client.
  await subscribe(s5.client, sub('big/#', 1), 1, { subscriptionIdentifiers: [9] });
  const p = await connected(broker, 'p');
  s4.writes.length = 0;
  s5.writes.length = 0;
  publish(p, 'big/one', BIG, { qos: 1, packetId: 4 });
  for (const s of [s4, s5]) {
    const got = await nextPublish(s.client);
    assert.deepEqual(got.payload, BIG);
    assert.equal(got.qos, 1);
    const sizes = s.writes.map((b) => b.length);
    assert.equal(sizes.length, 2, `header and payload: ${sizes}`);
    assert.ok((sizes[0] as number) < 100, 'header alone');
    assert.equal(sizes[1], BIG.length);
  }
  assert.deepEqual(s5.client.received, []);
});

test('large payloads: small ones still go out as one buffer', async () => {
  const broker = startBroker();
  const s = await spied(broker, 's');
  await subscribe(s.client, sub('t', 1));
  const p = await connected(broker, 'p');
  s.writes.length = 0;
  publish(p, 't', Buffer.alloc(100, 1), { qos: 1 });
  await nextPublish(s.client);
  assert.equal(s.writes.length, 1);
});

test('large payloads: Maximum Packet Size counts the payload [MQTT-3.1.2-25]', async () => {
  const broker = startBroker();
  const whole = encode(
    {
      type: PacketType.Publish,
      dup: false,
      qos: 0,
      retain: false,
      topic: 't',
      payload: BIG,
    },
    5,
  ).length;
  const small = await connected(broker, 'small', 5, {
    properties: { maximumPacketSize: whole - 1 },
  });
  const fits = await connected(broker, 'fits', 5, {
    properties: { maximumPacketSize: whole },
  });
  await subscribe(small, sub('t'));
  await subscribe(fits, sub('t'));
  const p = await connected(broker, 'p');
  publish(p, 't', BIG);
  assert.deepEqual((await nextPublish(fits)).payload, BIG);
  assert.equal(await nothingMore(small), undefined);
});

test('large payloads: queued for an offline session, delivered whole', async () => {
  const broker = startBroker();
  let s = await connected(broker, 's', 4, { clean: false });
  await subscribe(s, sub('q', 1));
  s.send({ type: PacketType.Disconnect });
  const p = await connected(broker, 'p');
  for (let i = 0; i < 3; i++) {
    publish(p, 'q', Buffer.alloc(8000 + i, i), { qos: 1, packetId: i + 1 });
  }
  await p.next();
  s = await connected(broker, 's', 4, { clean: false });
  for (let i = 0; i < 3; i++) {
    assert.deepEqual((await nextPublish(s)).payload, Buffer.alloc(8000 + i, i));
  }
});

test('large payloads: a QoS 0 slice of a shared chunk is not left pinning it', async () => {
  const broker = startBroker();
  const s = await spied(broker, 's');
  await subscribe(s.client, sub('slice'));
  const p = await connected(broker, 'p');
  // One chunk: the 10,000-byte message, then 50,000 bytes for nobody.
  const chunk = Buffer.concat([
    encode(
      {
        type: PacketType.Publish,
        dup: false,
        qos: 0,
        retain: false,
        topic: 'slice',
        payload: BIG,
      },
      4,
    ),
    encode(
      {
        type: PacketType.Publish,
        dup: false,
        qos: 0,
        retain: false,
        topic: 'other',
        payload: Buffer.alloc(50_000),
      },
      4,
    ),
  ]);
  s.writes.length = 0;
  p.sendRaw(chunk);
  assert.deepEqual((await nextPublish(s.client)).payload, BIG);
  const body = s.writes[1] as Buffer;
  assert.equal(body.length, BIG.length);
  assert.notEqual(body.buffer, chunk.buffer, 'a copy, not a view of the chunk');
});

test('fillsItsMemory: an assembled packet yes, a slice of a larger chunk no', () => {
  const packet = Buffer.alloc(70_000);
  assert.equal(fillsItsMemory(packet.subarray(9)), true);
  assert.equal(fillsItsMemory(packet.subarray(9, 30_000)), false);
  const small = Buffer.from(new ArrayBuffer(40));
  assert.equal(fillsItsMemory(small.subarray(3)), true);
  assert.equal(fillsItsMemory(Buffer.from('pooled')), false);
});
