/**
 * publish-qos: PUBLISH at QoS 0, 1 and 2 in both directions — the
 * acknowledgement flows, packet identifiers, QoS downgrade to the granted
 * QoS, QoS 2 duplicate suppression and DUP on re-delivery after reconnect.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileBroker, hexCode, unique } from '../helpers/conformance.js';
import { RawClient, type Version } from '../helpers/raw-client.js';
import { RC } from '../helpers/reason-codes.js';

const broker = fileBroker();

async function subscriber(t: Parameters<typeof RawClient.session>[0], qos: 0 | 1 | 2) {
  const topic = unique('qos');
  const sub = await RawClient.session(t, broker.port, { clientId: unique('sub') });
  assert.deepEqual(await sub.subscribe(topic, qos), [qos]);
  return { topic, sub };
}

test('[MQTT-3.3.1-2] QoS 0 goes out with no packet id and DUP 0', async (t) => {
  const { topic, sub } = await subscriber(t, 2);
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  pub.send({ cmd: 'publish', topic, payload: 'zero', qos: 0, dup: false, retain: false });
  const msg = await sub.expect('publish');
  assert.equal(msg.qos, 0);
  assert.equal(msg.dup, false);
  assert.equal(msg.messageId, undefined);
  assert.equal(msg.payload.toString(), 'zero');
  await pub.expectNothing(100);
});

for (const version of [4, 5] as Version[]) {
  test(`[MQTT-4.3.2-2] v${version} QoS 1 PUBLISH gets PUBACK with its packet id`, async (t) => {
    const { topic, sub } = await subscriber(t, 1);
    const pub = await RawClient.session(t, broker.port, {
      clientId: unique('pub'),
      protocolVersion: version,
    });
    pub.send({ cmd: 'publish', topic, payload: 'one', qos: 1, messageId: 4242 });
    const puback = await pub.expect('puback');
    assert.equal(puback.messageId, 4242);
    if (version === 5) assert.equal(hexCode(puback.reasonCode ?? 0), hexCode(RC.Success));
    const msg = await sub.expect('publish');
    assert.equal(msg.qos, 1);
    assert.ok((msg.messageId ?? 0) > 0, '[MQTT-2.3.1-1] non-zero packet id');
  });

  test(`[MQTT-4.3.3-2] v${version} QoS 2 flow: PUBREC, PUBREL, PUBCOMP`, async (t) => {
    const { topic, sub } = await subscriber(t, 2);
    const pub = await RawClient.session(t, broker.port, {
      clientId: unique('pub'),
      protocolVersion: version,
    });
    pub.send({ cmd: 'publish', topic, payload: 'two', qos: 2, messageId: 7 });
    assert.equal((await pub.expect('pubrec')).messageId, 7);
    pub.send({ cmd: 'pubrel', messageId: 7 });
    assert.equal((await pub.expect('pubcomp')).messageId, 7);
    const msg = await sub.expect('publish');
    assert.equal(msg.qos, 2);
    assert.equal(msg.payload.toString(), 'two');
  });
}

test('[MQTT-4.3.3-2] a re-sent QoS 2 PUBLISH is not delivered twice', async (t) => {
  const { topic, sub } = await subscriber(t, 2);
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  pub.send({ cmd: 'publish', topic, payload: 'once', qos: 2, messageId: 9 });
  await pub.expect('pubrec');
  // The sender missed the PUBREC and sends the PUBLISH again with DUP.
  pub.send({ cmd: 'publish', topic, payload: 'once', qos: 2, messageId: 9, dup: true });
  assert.equal((await pub.expect('pubrec')).messageId, 9);
  pub.send({ cmd: 'pubrel', messageId: 9 });
  await pub.expect('pubcomp');
  const msg = await sub.expect('publish');
  assert.equal(msg.payload.toString(), 'once');
  sub.send({ cmd: 'pubrec', messageId: msg.messageId });
  await sub.expect('pubrel');
  sub.send({ cmd: 'pubcomp', messageId: msg.messageId });
  await sub.expectNothing(300);
});

test('[MQTT-4.3.3-2] after PUBCOMP the same packet id is a new message', async (t) => {
  const { topic, sub } = await subscriber(t, 0);
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  for (const payload of ['first', 'second']) {
    pub.send({ cmd: 'publish', topic, payload, qos: 2, messageId: 3 });
    await pub.expect('pubrec');
    pub.send({ cmd: 'pubrel', messageId: 3 });
    await pub.expect('pubcomp');
    assert.equal((await sub.expect('publish')).payload.toString(), payload);
  }
});

test('[MQTT-3.8.4-6] delivered QoS is the minimum of message and subscription QoS', async (t) => {
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  for (const granted of [0, 1, 2] as const) {
    const { topic, sub } = await subscriber(t, granted);
    for (const qos of [0, 1, 2] as const) {
      const messageId = qos ? pub.nextId() : undefined;
      pub.send({ cmd: 'publish', topic, payload: `${qos}`, qos, messageId });
      if (qos === 1) await pub.expect('puback');
      if (qos === 2) {
        await pub.expect('pubrec');
        pub.send({ cmd: 'pubrel', messageId });
        await pub.expect('pubcomp');
      }
      const msg = await sub.expect('publish');
      assert.equal(
        msg.qos,
        Math.min(qos, granted),
        `sent ${qos} to a QoS ${granted} sub`,
      );
      if (msg.qos === 1) sub.send({ cmd: 'puback', messageId: msg.messageId });
      if (msg.qos === 2) {
        sub.send({ cmd: 'pubrec', messageId: msg.messageId });
        await sub.expect('pubrel');
        sub.send({ cmd: 'pubcomp', messageId: msg.messageId });
      }
    }
  }
});

test('[MQTT-3.6.1-1] outgoing QoS 2: broker answers PUBREC with PUBREL', async (t) => {
  const { topic, sub } = await subscriber(t, 2);
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  pub.send({ cmd: 'publish', topic, payload: 'x', qos: 1, messageId: 1 });
  await pub.expect('puback');
  // Raise to QoS 2 by a QoS 2 message.
  pub.send({ cmd: 'publish', topic, payload: 'y', qos: 2, messageId: 2 });
  await pub.expect('pubrec');
  pub.send({ cmd: 'pubrel', messageId: 2 });
  await pub.expect('pubcomp');
  const first = await sub.expect('publish');
  assert.equal(first.qos, 1);
  sub.send({ cmd: 'puback', messageId: first.messageId });
  const second = await sub.expect('publish');
  assert.equal(second.qos, 2);
  sub.send({ cmd: 'pubrec', messageId: second.messageId });
  const pubrel = await sub.expect('pubrel');
  assert.equal(pubrel.messageId, second.messageId);
  sub.send({ cmd: 'pubcomp', messageId: second.messageId });
  await sub.expectNothing(200);
});

test('[MQTT-2.3.1-2] in-flight messages to one client use distinct packet ids', async (t) => {
  const { topic, sub } = await subscriber(t, 1);
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  for (let i = 0; i < 5; i += 1) {
    pub.send({ cmd: 'publish', topic, payload: `${i}`, qos: 1, messageId: i + 1 });
    await pub.expect('puback');
  }
  const ids = new Set<number | undefined>();
  for (let i = 0; i < 5; i += 1) {
    const msg = await sub.expect('publish');
    assert.equal(msg.payload.toString(), `${i}`, '[MQTT-4.6.0-5] in order');
    ids.add(msg.messageId);
  }
  assert.equal(ids.size, 5, `ids ${[...ids].join(',')}`);
});

test('[MQTT-3.3.1-3] the DUP flag of an incoming PUBLISH is not passed on', async (t) => {
  const { topic, sub } = await subscriber(t, 1);
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  pub.send({ cmd: 'publish', topic, payload: 'd', qos: 1, messageId: 5, dup: true });
  await pub.expect('puback');
  const msg = await sub.expect('publish');
  assert.equal(msg.dup, false);
});

for (const version of [4, 5] as Version[]) {
  test(`[MQTT-4.4.0-1] v${version} unacknowledged QoS 1 re-sent with DUP and same id`, async (t) => {
    const topic = unique('redeliver');
    const clientId = unique('sub');
    const persistent = {
      clientId,
      protocolVersion: version,
      clean: false,
      properties: version === 5 ? { sessionExpiryInterval: 60 } : undefined,
    };
    const sub = await RawClient.session(t, broker.port, persistent);
    await sub.subscribe(topic, 1);
    const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
    pub.send({ cmd: 'publish', topic, payload: 'again', qos: 1, messageId: 1 });
    await pub.expect('puback');
    const first = await sub.expect('publish');
    assert.equal(first.dup, false);
    sub.close();
    await sub.expectClosed();
    const back = await RawClient.session(t, broker.port, persistent);
    assert.equal(back.connack?.sessionPresent, true);
    const again = await back.expect('publish');
    assert.equal(again.dup, true, '[MQTT-3.3.1-1] DUP on re-delivery');
    assert.equal(again.messageId, first.messageId, 'original packet id');
    assert.equal(again.payload.toString(), 'again');
    back.send({ cmd: 'puback', messageId: again.messageId });
    await back.expectNothing(200);
  });
}

test('[MQTT-4.4.0-1] after PUBREC the broker re-sends PUBREL, not PUBLISH', async (t) => {
  const topic = unique('rel');
  const persistent = { clientId: unique('sub'), clean: false };
  const sub = await RawClient.session(t, broker.port, persistent);
  await sub.subscribe(topic, 2);
  const pub = await RawClient.session(t, broker.port, { clientId: unique('pub') });
  pub.send({ cmd: 'publish', topic, payload: 'q2', qos: 2, messageId: 1 });
  await pub.expect('pubrec');
  pub.send({ cmd: 'pubrel', messageId: 1 });
  await pub.expect('pubcomp');
  const msg = await sub.expect('publish');
  sub.send({ cmd: 'pubrec', messageId: msg.messageId });
  await sub.expect('pubrel');
  sub.close();
  await sub.expectClosed();
  const back = await RawClient.session(t, broker.port, persistent);
  const pubrel = await back.expect('pubrel');
  assert.equal(pubrel.messageId, msg.messageId);
  back.send({ cmd: 'pubcomp', messageId: msg.messageId });
  await back.expectNothing(200);
});

test('[MQTT-4.3.3-2] the broker keeps an incoming QoS 2 id across reconnect', async (t) => {
  const { topic, sub } = await subscriber(t, 2);
  const persistent = { clientId: unique('pub'), clean: false };
  const pub = await RawClient.session(t, broker.port, persistent);
  pub.send({ cmd: 'publish', topic, payload: 'kept', qos: 2, messageId: 11 });
  await pub.expect('pubrec');
  pub.close();
  await pub.expectClosed();
  const back = await RawClient.session(t, broker.port, persistent);
  back.send({ cmd: 'pubrel', messageId: 11 });
  assert.equal((await back.expect('pubcomp')).messageId, 11);
  const msg = await sub.expect('publish');
  assert.equal(msg.payload.toString(), 'kept');
});

test('5.0 a message no one receives: PUBACK 0x10, PUBREC Success', async (t) => {
  // 0x10 No matching subscribers is allowed, not required; Mosquitto
  // 2.0.11 uses it in PUBACK only, and a drop-in answers the same.
  const pub = await RawClient.session(t, broker.port, {
    clientId: unique('pub'),
    protocolVersion: 5,
  });
  pub.send({
    cmd: 'publish',
    topic: unique('nobody'),
    payload: 'x',
    qos: 1,
    messageId: 2,
  });
  const puback = await pub.expect('puback');
  assert.equal(hexCode(puback.reasonCode ?? 0), hexCode(RC.NoMatchingSubscribers));
  pub.send({
    cmd: 'publish',
    topic: unique('nobody'),
    payload: 'x',
    qos: 2,
    messageId: 3,
  });
  const pubrec = await pub.expect('pubrec');
  assert.equal(hexCode(pubrec.reasonCode ?? 0), hexCode(RC.Success));
  pub.send({ cmd: 'pubrel', messageId: 3 });
  await pub.expect('pubcomp');
});

test('a PUBREL for an unknown packet id still gets PUBCOMP', async (t) => {
  // MQTT 5.0 offers 0x92 Packet Identifier not found (no MUST); Mosquitto
  // completes the flow with Success so the client can free the id.
  const c = await RawClient.session(t, broker.port, {
    clientId: unique('rel'),
    protocolVersion: 5,
  });
  c.send({ cmd: 'pubrel', messageId: 77 });
  const pubcomp = await c.expect('pubcomp');
  assert.equal(pubcomp.messageId, 77);
  assert.equal(hexCode(pubcomp.reasonCode ?? 0), hexCode(RC.Success));
});
