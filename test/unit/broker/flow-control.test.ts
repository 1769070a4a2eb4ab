/**
 * Publisher back-pressure: a subscriber that falls behind stops its
 * publishers from being read until it catches up, within a time bound,
 * without deadlocks. Driven over in-memory transports, which pause and
 * resume as sockets do; nothing here depends on timing except the bound,
 * which is reached by running the sweep with a clock moved forward.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKPRESSURE_LIMIT_MS } from '../../../src/broker/flow-control.js';
import {
  type Broker,
  createMemoryPair,
  type MemoryClient,
  type MemoryTransport,
} from '../../../src/broker/index.js';
import { LogType } from '../../../src/log/log-types.js';
import {
  encode,
  type Packet,
  PacketType,
  type PublishPacket,
  type QoS,
} from '../../../src/protocol/index.js';
import { until } from '../../helpers/wait.js';
import {
  captureLogger,
  connectPacket,
  listener,
  startBroker,
  sub,
  subscribe,
} from './helpers.js';

interface Peer {
  client: MemoryClient;
  transport: MemoryTransport;
}

async function join(broker: Broker, clientId: string): Promise<Peer> {
  const { transport, client } = createMemoryPair();
  broker.accept(transport, listener());
  client.send(connectPacket({ clientId }));
  const connack = await client.next();
  assert.equal(connack.type, PacketType.Connack);
  return { client, transport };
}

function publishPacket(topic: string, i: number, qos: QoS, size: number): PublishPacket {
  const payload = Buffer.alloc(size, 0x61);
  payload.writeUInt32BE(i, 0);
  return {
    type: PacketType.Publish,
    dup: false,
    qos,
    retain: false,
    topic,
    packetId: qos > 0 ? i + 1 : undefined,
    payload,
  };
}

/** `count` PUBLISH packets in one chunk, as one socket read brings them. */
function burst(
  client: MemoryClient,
  topic: string,
  count: number,
  qos: QoS,
  size = 16,
  first = 0,
): void {
  const packets: Buffer[] = [];
  for (let i = first; i < first + count; i++) {
    packets.push(encode(publishPacket(topic, i, qos, size), 4));
  }
  client.sendRaw(Buffer.concat(packets));
}

function take(client: MemoryClient, type: PacketType): Packet[] {
  const out = client.received.filter((p) => p.type === type);
  const rest = client.received.filter((p) => p.type !== type);
  client.received.length = 0;
  client.received.push(...rest);
  return out;
}

function seqOf(p: Packet): number {
  return (p as PublishPacket).payload.readUInt32BE(0);
}

/** Acknowledges QoS 1 messages as they come, until `count` arrived. */
async function readAll(client: MemoryClient, count: number): Promise<number[]> {
  const seqs: number[] = [];
  while (seqs.length < count) {
    const p = await client.next(2000);
    if (p.type !== PacketType.Publish) continue;
    seqs.push(seqOf(p));
    if (p.packetId !== undefined) {
      client.send({ type: PacketType.Puback, packetId: p.packetId });
    }
  }
  return seqs;
}

const BIG = 64 * 1024;

test('flow - a slow subscriber stops its publisher being read', async () => {
  const broker = startBroker();
  const slow = await join(broker, 'slow');
  await subscribe(slow.client, sub('t'));
  const fast = await join(broker, 'fast');
  await subscribe(fast.client, sub('t'));
  const pub = await join(broker, 'pub');
  slow.client.pause();
  // 40 x 64 KB: more than the slow subscriber may have waiting.
  burst(pub.client, 't', 40, 0, BIG);
  await until(() => pub.transport.paused);
  const routed = take(fast.client, PacketType.Publish).length;
  assert.ok(routed < 40, `the rest of the chunk waits (${routed} routed)`);
  // Sent after the pause: not routed either, even to the fast subscriber.
  burst(pub.client, 't', 1, 0, 16, 40);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(take(fast.client, PacketType.Publish).length, 0);
  assert.ok(pub.transport.unreadBytes > 0, 'the publisher has unread bytes');
  slow.client.resume();
  await until(() => slow.client.received.length >= 41);
  assert.equal(pub.transport.paused, false);
  const seqs = take(slow.client, PacketType.Publish).map(seqOf);
  assert.deepEqual(
    seqs,
    Array.from({ length: 41 }, (_, i) => i),
  );
  assert.equal(broker.stats.publishDropped, 0);
});

test('flow - QoS 1 fan-in, 10 publishers: nothing lost at default limits', async () => {
  const broker = startBroker();
  const subscriber = await join(broker, 'sink');
  await subscribe(subscriber.client, sub('in/+', 1));
  const each = 300;
  const pubs: Peer[] = [];
  for (let n = 0; n < 10; n++) pubs.push(await join(broker, `p${n}`));
  // Everything is sent before the subscriber acknowledges anything.
  for (const [n, p] of pubs.entries()) burst(p.client, `in/${n}`, each, 1);
  const seqs = await readAll(subscriber.client, 10 * each);
  assert.equal(seqs.length, 10 * each);
  assert.equal(broker.stats.publishDropped, 0);
  for (const p of pubs) {
    await until(() => p.client.received.length >= each);
    assert.equal(take(p.client, PacketType.Puback).length, each);
  }
});

test('flow - a subscriber that never reads holds publishers for a while', async () => {
  const log = captureLogger(LogType.Warning);
  const broker = startBroker({}, log);
  const stuck = await join(broker, 'stuck');
  await subscribe(stuck.client, sub('t'));
  const pub = await join(broker, 'pub');
  stuck.client.pause();
  burst(pub.client, 't', 40, 0, BIG);
  await until(() => pub.transport.paused);
  broker.sweep(Date.now() + BACKPRESSURE_LIMIT_MS + 1);
  await until(() => !pub.transport.paused);
  await until(() => broker.stats.publishReceived === 40);
  assert.ok(
    log.lines.some((l) => l.includes('Client stuck has not read its messages')),
    log.lines.join('\n'),
  );
  // Past the bound it is treated as before: the publisher goes on.
  burst(pub.client, 't', 100, 0, BIG, 40);
  await until(() => broker.stats.publishReceived === 140);
  assert.equal(pub.transport.paused, false);
  assert.ok(broker.stats.publishDropped > 0, 'QoS 0 past the buffer limit is dropped');
});

test('flow - a client publishing to itself is not held back by itself', async () => {
  const log = captureLogger(LogType.Warning);
  const broker = startBroker({}, log);
  const self = await join(broker, 'self');
  await subscribe(self.client, sub('me', 1));
  burst(self.client, 'me', 800, 1);
  // It gets every PUBACK before acknowledging any of its own messages.
  const pubacks = () =>
    self.client.received.filter((p) => p.type === PacketType.Puback).length;
  await until(() => pubacks() === 800);
  assert.equal(self.transport.paused, false);
  const seqs = await readAll(self.client, 800);
  assert.equal(seqs.length, 800);
  assert.deepEqual(log.lines, [], 'not released by the time bound');
});

test('flow - A publishing to B while B publishes to A: no deadlock', async () => {
  const log = captureLogger(LogType.Warning);
  const broker = startBroker({}, log);
  const a = await join(broker, 'a');
  await subscribe(a.client, sub('to-a', 1));
  const b = await join(broker, 'b');
  await subscribe(b.client, sub('to-b', 1));
  // Neither acknowledges what it receives until both have sent everything.
  burst(a.client, 'to-b', 800, 1);
  burst(b.client, 'to-a', 800, 1);
  const acked = { a: 0, b: 0 };
  const got = { a: [] as number[], b: [] as number[] };
  await until(() => {
    for (const [name, peer] of [
      ['a', a],
      ['b', b],
    ] as const) {
      for (const p of peer.client.received.splice(0)) {
        if (p.type === PacketType.Puback) acked[name]++;
        if (p.type !== PacketType.Publish) continue;
        got[name].push(seqOf(p));
        peer.client.send({ type: PacketType.Puback, packetId: p.packetId as number });
      }
    }
    return got.a.length + got.b.length + acked.a + acked.b === 3200;
  }, 5000);
  assert.deepEqual(log.lines, [], 'not released by the time bound');
  assert.equal(broker.stats.publishDropped, 0);
});

test('flow - only publishers reaching the backed-up subscriber are held back', async () => {
  const broker = startBroker();
  const stuck = await join(broker, 'stuck');
  await subscribe(stuck.client, sub('t'));
  const other = await join(broker, 'other');
  await subscribe(other.client, sub('u'));
  stuck.client.pause();
  // The broker's own messages ($SYS, plugins) are never held back.
  for (let i = 0; i < 40; i++) {
    broker.publish({ topic: 't', payload: Buffer.alloc(BIG) });
  }
  const pub = await join(broker, 'pub');
  burst(pub.client, 'u', 5, 0);
  await until(() => other.client.received.length === 5);
  assert.equal(pub.transport.paused, false, 'not held back by a stranger');
  burst(pub.client, 't', 5, 0);
  await until(() => pub.transport.paused);
  assert.equal(broker.stats.publishReceived, 6, 'paused after the first into t');
});
