/**
 * flow-control: how many QoS 1/2 messages are in flight and queued, and
 * how big a message or packet may be — max_inflight_messages, Receive
 * Maximum in both directions, max_queued_messages, message_size_limit and
 * Maximum Packet Size in both directions.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
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

const inflight = 2;
const queued = 3;
const sizeLimit = 100;
const packetLimit = 300;
/** The PUBACK/PUBREC reason codes that refuse a message for its size. */
const refusals: number[] = [
  RC.UnspecifiedError,
  RC.ImplementationSpecificError,
  RC.QuotaExceeded,
];

const broker = fileBroker(
  [
    `max_inflight_messages ${inflight}`,
    `max_queued_messages ${queued}`,
    `message_size_limit ${sizeLimit}`,
    `max_packet_size ${packetLimit}`,
  ].join('\n'),
);

async function subscriber(t: TestContext, qos: 1 | 2, options: SessionOptions = {}) {
  const topic = unique('flow');
  const sub = await RawClient.session(t, broker.port, {
    clientId: unique('sub'),
    ...options,
  });
  await sub.subscribe(topic, qos);
  return { topic, sub };
}

async function publishQoS1(t: TestContext, topic: string, count: number) {
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  for (let i = 0; i < count; i += 1) {
    pub.send({ cmd: 'publish', topic, payload: `m${i}`, qos: 1, messageId: i + 1 });
    await pub.expect('puback');
  }
  return pub;
}

test('max_inflight_messages: at most that many unacknowledged to a client', async (t) => {
  const { topic, sub } = await subscriber(t, 1);
  await publishQoS1(t, topic, 3);
  const first = await sub.expect('publish');
  const second = await sub.expect('publish');
  assert.deepEqual([first.payload.toString(), second.payload.toString()], ['m0', 'm1']);
  await sub.expectNothing(300);
  sub.send({ cmd: 'puback', messageId: first.messageId });
  const third = await sub.expect('publish');
  assert.equal(third.payload.toString(), 'm2', 'the next one goes out after a PUBACK');
});

test('[MQTT-3.3.4-9] 5.0 client Receive Maximum 1: one unacknowledged at a time', async (t) => {
  const { topic, sub } = await subscriber(t, 2, {
    protocolVersion: 5,
    properties: { receiveMaximum: 1 },
  });
  await publishQoS1(t, topic, 2);
  const first = await sub.expect('publish');
  await sub.expectNothing(300);
  // QoS 1 to a QoS 2 subscription stays QoS 1; PUBACK frees the slot.
  sub.send({ cmd: 'puback', messageId: first.messageId });
  const second = await sub.expect('publish');
  assert.equal(second.payload.toString(), 'm1');
});

test('5.0 CONNACK Receive Maximum is max_inflight_messages', async (t) => {
  const c = await RawClient.session(t, broker.port, { protocolVersion: 5 });
  assert.equal(c.connack?.properties?.receiveMaximum, inflight);
});

test('MQTT 5.0 4.9: QoS 2 past Receive Maximum: DISCONNECT 0x93 or PUBREC 0x97', async (t) => {
  // Section 4.9 describes DISCONNECT 0x93 (Receive Maximum exceeded), with
  // no MUST; Mosquitto 2.0.11 instead refuses that one message with PUBREC
  // 0x97 (Quota exceeded) and goes on. Either way it is not delivered.
  const c = await RawClient.session(t, broker.port, {
    clientId: unique('greedy'),
    protocolVersion: 5,
  });
  const { topic, sub } = await subscriber(t, 2);
  // QoS 2 without PUBREL keeps each message in flight at the broker.
  for (let id = 1; id <= inflight; id += 1) {
    c.send({ cmd: 'publish', topic, payload: `in${id}`, qos: 2, messageId: id });
    await c.expect('pubrec');
  }
  c.send({ cmd: 'publish', topic, payload: 'over', qos: 2, messageId: 9 });
  const answer = await c.next();
  if (answer.cmd === 'disconnect') {
    assert.equal(hexCode(answer.reasonCode), hexCode(RC.ReceiveMaximumExceeded));
    await c.expectClosed();
  } else {
    assert.equal(answer.cmd, 'pubrec', `got ${answer.cmd}`);
    assert.equal(answer.messageId, 9);
    assert.equal(hexCode(answer.reasonCode), hexCode(RC.QuotaExceeded));
    c.send({ cmd: 'pubrel', messageId: 1 });
    await c.expect('pubcomp');
    const msg = await sub.expect('publish');
    assert.equal(msg.payload.toString(), 'in1');
  }
  await sub.expectNothing(200);
});

test('max_queued_messages: messages past the queue are dropped', async (t) => {
  const { topic, sub } = await subscriber(t, 1);
  const total = inflight + queued + 3;
  // One publisher per message: midge stops reading a client that publishes
  // into a full queue (flow control), but what it has read is routed.
  for (let i = 0; i < total; i += 1) {
    const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
    pub.send({ cmd: 'publish', topic, payload: `m${i}`, qos: 1, messageId: 1 });
    await pub.expect('puback');
  }
  const got: string[] = [];
  for (let i = 0; i < inflight + queued; i += 1) {
    const msg = await sub.expect('publish');
    got.push(msg.payload.toString());
    sub.send({ cmd: 'puback', messageId: msg.messageId });
  }
  await sub.expectNothing(300);
  assert.deepEqual(got, ['m0', 'm1', 'm2', 'm3', 'm4'], 'oldest kept, newest dropped');
});

test('message_size_limit: 3.1.1 too-big message acknowledged but not delivered', async (t) => {
  const { topic, sub } = await subscriber(t, 1);
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  const big = Buffer.alloc(sizeLimit + 1, 0x61);
  pub.send({ cmd: 'publish', topic, payload: big, qos: 1, messageId: 1 });
  assert.equal((await pub.expect('puback')).messageId, 1);
  pub.send({ cmd: 'publish', topic, payload: Buffer.alloc(sizeLimit, 0x62), qos: 0 });
  const msg = await sub.expect('publish');
  assert.equal(msg.payload.length, sizeLimit, 'only the message within the limit');
  await sub.expectNothing(200);
});

test('[MQTT-3.4.2-1] message_size_limit: 5.0 too-big message refused with a PUBACK code', {
  skip: useMosquitto && 'mosquitto 2.0.11 answers 0x95, not a PUBACK/PUBREC code',
}, async (t) => {
  const { topic, sub } = await subscriber(t, 1);
  const pub = await RawClient.session(t, broker.port, {
    clientId: unique('pub'),
    protocolVersion: 5,
  });
  const big = Buffer.alloc(sizeLimit + 1, 0x61);
  pub.send({ cmd: 'publish', topic, payload: big, qos: 1, messageId: 1 });
  const puback = await pub.expect('puback');
  assert.ok(refusals.includes(puback.reasonCode ?? 0), hexCode(puback.reasonCode));
  pub.send({ cmd: 'publish', topic, payload: big, qos: 2, messageId: 2 });
  const pubrec = await pub.expect('pubrec');
  assert.ok(refusals.includes(pubrec.reasonCode ?? 0), hexCode(pubrec.reasonCode));
  await sub.expectNothing(200);
  await pub.expectNothing(100);
});

test('message_size_limit: 5.0 too-big message is refused (>= 0x80), not delivered', async (t) => {
  const { topic, sub } = await subscriber(t, 1);
  const pub = await RawClient.session(t, broker.port, {
    clientId: unique('pub'),
    protocolVersion: 5,
  });
  pub.send({
    cmd: 'publish',
    topic,
    payload: Buffer.alloc(sizeLimit + 1),
    qos: 1,
    messageId: 1,
  });
  await sleep(200);
  // Byte 4 of `40 03 00 01 RC` is the reason code; read raw bytes because
  // mqtt-packet refuses codes outside the PUBACK table.
  const reply = pub.receivedBytes().subarray(-5);
  assert.equal(reply.subarray(0, 4).toString('hex'), '40030001', 'a PUBACK with a code');
  assert.ok(reply[4]! >= 0x80, `reason code ${hexCode(reply[4])}`);
  await sub.expectNothing(200);
});

test('MQTT 5.0 3.2.2.3.6: CONNACK gives max_packet_size as Maximum Packet Size', async (t) => {
  const c = await RawClient.session(t, broker.port, { protocolVersion: 5 });
  assert.equal(c.connack?.properties?.maximumPacketSize, packetLimit);
});

for (const version of [4, 5] as const) {
  test(`MQTT 5.0 3.2.2.3.6: v${version} a packet over max_packet_size is refused`, async (t) => {
    const c = await RawClient.session(t, broker.port, {
      clientId: unique('big'),
      protocolVersion: version,
    });
    const payload = Buffer.alloc(packetLimit, 0x61);
    c.send({ cmd: 'publish', topic: unique('big'), payload, qos: 0 });
    await expectErrorClose(c, RC.PacketTooLarge);
  });
}

test('[MQTT-3.1.2-24] [MQTT-3.1.2-25] 5.0 messages over the client Maximum Packet Size are dropped', async (t) => {
  const { topic, sub } = await subscriber(t, 1, {
    protocolVersion: 5,
    properties: { maximumPacketSize: 40 },
  });
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  pub.send({
    cmd: 'publish',
    topic,
    payload: Buffer.alloc(60, 0x61),
    qos: 1,
    messageId: 1,
  });
  await pub.expect('puback');
  pub.send({ cmd: 'publish', topic, payload: 'ok', qos: 1, messageId: 2 });
  await pub.expect('puback');
  const msg = await sub.expect('publish');
  assert.equal(msg.payload.toString(), 'ok', 'the big one is discarded');
  sub.send({ cmd: 'puback', messageId: msg.messageId });
  await sub.expectNothing(200);
});
