/**
 * session: session state across connections — clean session / clean start,
 * a persistent session resumed with its subscriptions and queued QoS 1/2
 * messages, the 5.0 Session Expiry Interval (including a change on
 * DISCONNECT and the 0 -> non-zero protocol error) and max_queued_messages
 * for an offline client.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import { expectErrorClose, fileBroker, sleep, unique } from '../helpers/conformance.js';
import { RawClient, type SessionOptions, type Version } from '../helpers/raw-client.js';
import { RC } from '../helpers/reason-codes.js';

const maxQueued = 3;
const broker = fileBroker(`max_queued_messages ${maxQueued}`);

function persistent(version: Version, clientId = unique('keep')): SessionOptions {
  return version === 5
    ? {
        clientId,
        protocolVersion: 5,
        clean: false,
        properties: { sessionExpiryInterval: 60 },
      }
    : { clientId, protocolVersion: version, clean: false };
}

/** Publishes one message per QoS given and waits for each acknowledgement. */
async function publishAll(t: TestContext, topic: string, qos: (0 | 1 | 2)[]) {
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  for (const [i, q] of qos.entries()) {
    const messageId = q ? i + 1 : undefined;
    pub.send({ cmd: 'publish', topic, payload: `q${q}-${i}`, qos: q, messageId });
    if (q === 1) await pub.expect('puback');
    if (q === 2) {
      await pub.expect('pubrec');
      pub.send({ cmd: 'pubrel', messageId });
      await pub.expect('pubcomp');
    }
  }
  pub.send({ cmd: 'pingreq' });
  await pub.expect('pingresp');
}

async function leave(c: RawClient) {
  c.disconnect();
  await c.expectClosed();
}

for (const version of [3, 4, 5] as Version[]) {
  test(`[MQTT-3.1.2-4] [MQTT-3.1.2-5] v${version} resumed session gets queued QoS 1/2`, async (t) => {
    const topic = unique('queued');
    const options = persistent(version);
    const first = await RawClient.session(t, broker.port, options);
    await first.subscribe(topic, 2);
    await leave(first);
    await publishAll(t, topic, [1, 0, 2]);
    const back = await RawClient.session(t, broker.port, options);
    // MQTT 3.1 has no session present flag: its CONNACK byte is reserved.
    assert.equal(back.connack?.sessionPresent, version !== 3, '[MQTT-3.2.2-2]');
    const one = await back.expect('publish');
    assert.deepEqual([one.payload.toString(), one.qos], ['q1-0', 1]);
    back.send({ cmd: 'puback', messageId: one.messageId });
    const two = await back.expect('publish');
    assert.deepEqual([two.payload.toString(), two.qos], ['q2-2', 2]);
    back.send({ cmd: 'pubrec', messageId: two.messageId });
    await back.expect('pubrel');
    back.send({ cmd: 'pubcomp', messageId: two.messageId });
    // QoS 0 is not queued for an offline client (queue_qos0_messages false).
    await back.expectNothing(200);
  });
}

test('[MQTT-3.1.2-4] a resumed session keeps its subscriptions', async (t) => {
  const topic = unique('subs');
  const options = persistent(4);
  const first = await RawClient.session(t, broker.port, options);
  await first.subscribe(topic, 1);
  await leave(first);
  const back = await RawClient.session(t, broker.port, options);
  await publishAll(t, topic, [0]);
  assert.equal((await back.expect('publish')).payload.toString(), 'q0-0');
});

for (const version of [4, 5] as Version[]) {
  test(`[MQTT-3.1.2-6] v${version} clean session discards the old session`, async (t) => {
    const topic = unique('clean');
    const options = persistent(version);
    const first = await RawClient.session(t, broker.port, options);
    await first.subscribe(topic, 1);
    await leave(first);
    await publishAll(t, topic, [1]);
    const { clientId } = options;
    const clean = await RawClient.session(t, broker.port, {
      clientId,
      protocolVersion: version,
      clean: true,
    });
    assert.equal(clean.connack?.sessionPresent, false);
    await publishAll(t, topic, [1]);
    await clean.expectNothing(200);
    await leave(clean);
    const again = await RawClient.session(t, broker.port, options);
    assert.equal(again.connack?.sessionPresent, false, 'nothing left to resume');
  });
}

test('5.0 Session Expiry Interval 0 (absent): the session ends with the connection', async (t) => {
  const clientId = unique('zero');
  const first = await RawClient.session(t, broker.port, {
    clientId,
    protocolVersion: 5,
    clean: false,
  });
  await first.subscribe(unique('t'), 1);
  await leave(first);
  const back = await RawClient.session(t, broker.port, {
    clientId,
    protocolVersion: 5,
    clean: false,
  });
  assert.equal(back.connack?.sessionPresent, false);
});

test('[MQTT-3.14.2-2] 5.0 DISCONNECT may shorten the expiry to 0: session ends', async (t) => {
  const options = persistent(5);
  const first = await RawClient.session(t, broker.port, options);
  await first.subscribe(unique('t'), 1);
  first.disconnect(RC.Success, { sessionExpiryInterval: 0 });
  await first.expectClosed();
  const back = await RawClient.session(t, broker.port, options);
  assert.equal(back.connack?.sessionPresent, false);
});

// Both wait out a 1 s expiry; run them side by side.
describe('5.0 Session Expiry Interval timing', { concurrency: true }, () => {
  test('[MQTT-4.1.0-2] 5.0 the session is discarded once its expiry interval passes', async (t) => {
    const clientId = unique('expire');
    const options: SessionOptions = {
      clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 1 },
    };
    const first = await RawClient.session(t, broker.port, options);
    await leave(first);
    const early = await RawClient.session(t, broker.port, options);
    assert.equal(early.connack?.sessionPresent, true, 'still there within the interval');
    await leave(early);
    await sleep(2500);
    const late = await RawClient.session(t, broker.port, options);
    assert.equal(late.connack?.sessionPresent, false, 'expired');
  });

  test('5.0 DISCONNECT may lengthen a non-zero expiry', async (t) => {
    const clientId = unique('longer');
    const options: SessionOptions = {
      clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 1 },
    };
    const first = await RawClient.session(t, broker.port, options);
    first.disconnect(RC.Success, { sessionExpiryInterval: 60 });
    await first.expectClosed();
    await sleep(2500);
    const back = await RawClient.session(t, broker.port, options);
    assert.equal(back.connack?.sessionPresent, true, 'kept past the first interval');
  });
});

test('[MQTT-3.14.2-2] 5.0 DISCONNECT expiry 0 -> non-zero is a protocol error', async (t) => {
  const c = await RawClient.session(t, broker.port, {
    clientId: unique('proto'),
    protocolVersion: 5,
  });
  c.send({ cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 30 } });
  await expectErrorClose(c, RC.ProtocolError);
});

test('max_queued_messages: an offline session keeps only that many', async (t) => {
  const topic = unique('full');
  const options = persistent(4);
  const first = await RawClient.session(t, broker.port, options);
  await first.subscribe(topic, 1);
  await leave(first);
  await publishAll(t, topic, [1, 1, 1, 1, 1]);
  const back = await RawClient.session(t, broker.port, options);
  const got: string[] = [];
  for (let i = 0; i < maxQueued; i += 1) {
    const msg = await back.expect('publish');
    got.push(msg.payload.toString());
    back.send({ cmd: 'puback', messageId: msg.messageId });
  }
  await back.expectNothing(200);
  assert.deepEqual(got, ['q1-0', 'q1-1', 'q1-2'], 'the first ones are kept');
});

test('[MQTT-3.1.2-7] retained messages are not part of the session', async (t) => {
  const topic = unique('retained');
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  pub.send({ cmd: 'publish', topic, payload: 'r', qos: 1, messageId: 1, retain: true });
  await pub.expect('puback');
  const options = persistent(4);
  const first = await RawClient.session(t, broker.port, options);
  await first.subscribe(topic, 1);
  const retained = await first.expect('publish');
  first.send({ cmd: 'puback', messageId: retained.messageId });
  await leave(first);
  const clean = await RawClient.session(t, broker.port, { ...options, clean: true });
  await clean.subscribe(topic, 1);
  assert.equal((await clean.expect('publish')).payload.toString(), 'r', 'still retained');
});
