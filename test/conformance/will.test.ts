/**
 * will: the Will Message — published when the connection is lost or closed
 * for a protocol error, discarded on a normal DISCONNECT, published on a
 * 5.0 DISCONNECT 0x04, delayed by the Will Delay Interval, with its QoS,
 * RETAIN flag and 5.0 properties.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { fileBroker, sleep, unique, useMosquitto } from '../helpers/conformance.js';
import { RawClient, type SessionOptions } from '../helpers/raw-client.js';
import { RC } from '../helpers/reason-codes.js';

const broker = fileBroker();

async function watcher(t: TestContext, topic: string, qos: 0 | 1 | 2 = 0) {
  const sub = await RawClient.session(t, broker.port, {
    clientId: unique('watch'),
    protocolVersion: 5,
  });
  await sub.subscribe(topic, qos);
  return sub;
}

/** A session with a will on `topic` (payload "gone", QoS 0 unless given). */
function willClient(t: TestContext, topic: string, options: SessionOptions = {}) {
  const { will, ...rest } = options;
  return RawClient.session(t, broker.port, {
    clientId: unique('will'),
    ...rest,
    will: { topic, payload: 'gone', qos: 0, retain: false, ...will },
  });
}

for (const version of [4, 5] as const) {
  test(`[MQTT-3.1.2-8] v${version} will published when the connection is lost`, async (t) => {
    const topic = unique('lost');
    const sub = await watcher(t, topic);
    const c = await willClient(t, topic, { protocolVersion: version });
    c.close();
    const will = await sub.expect('publish');
    assert.equal(will.topic, topic);
    assert.equal(will.payload.toString(), 'gone');
  });

  test(`[MQTT-3.1.2-10] v${version} will discarded on a normal DISCONNECT`, async (t) => {
    const topic = unique('normal');
    const sub = await watcher(t, topic);
    const c = await willClient(t, topic, { protocolVersion: version });
    c.disconnect();
    await c.expectClosed();
    await sub.expectNothing(300);
  });

  test(`[MQTT-3.1.2-8] v${version} will published after a protocol error`, async (t) => {
    const topic = unique('error');
    const sub = await watcher(t, topic);
    const c = await willClient(t, topic, { protocolVersion: version });
    c.sendHex('00 00'); // packet type 0 is reserved
    await c.expectClosed().catch(() => c.close());
    assert.equal((await sub.expect('publish')).payload.toString(), 'gone');
  });
}

test('5.0 DISCONNECT 0x04 (Disconnect with Will Message) publishes the will', async (t) => {
  const topic = unique('with-will');
  const sub = await watcher(t, topic);
  const c = await willClient(t, topic, { protocolVersion: 5 });
  c.disconnect(RC.DisconnectWithWill);
  assert.equal((await sub.expect('publish')).payload.toString(), 'gone');
});

test('[MQTT-3.1.2-17] will QoS and RETAIN are honoured', async (t) => {
  const topic = unique('qos-retain');
  const sub = await watcher(t, topic, 2);
  const c = await willClient(t, topic, {
    will: { topic, payload: 'r', qos: 1, retain: true },
  });
  c.close();
  const live = await sub.expect('publish');
  assert.equal(live.qos, 1);
  sub.send({ cmd: 'puback', messageId: live.messageId });
  const later = await watcher(t, topic, 2);
  const retained = await later.expect('publish');
  assert.equal(retained.payload.toString(), 'r');
  assert.equal(retained.retain, true, 'stored as a retained message');
  assert.equal(retained.qos, 1);
});

test('5.0 will properties travel with the will message', async (t) => {
  const topic = unique('props');
  const sub = await watcher(t, topic);
  const c = await willClient(t, topic, {
    protocolVersion: 5,
    will: {
      topic,
      payload: '{}',
      properties: {
        contentType: 'application/json',
        userProperties: { origin: 'will' },
        responseTopic: 'reply/here',
      },
    },
  });
  c.close();
  const will = await sub.expect('publish');
  assert.equal(will.properties?.contentType, 'application/json');
  assert.deepEqual({ ...will.properties?.userProperties }, { origin: 'will' });
  assert.equal(will.properties?.responseTopic, 'reply/here');
});

test('[MQTT-3.1.3-9] 5.0 will delay: published after the delay, not before', async (t) => {
  const topic = unique('delay');
  const sub = await watcher(t, topic);
  const c = await willClient(t, topic, {
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 10 },
    will: { topic, payload: 'late', properties: { willDelayInterval: 1 } },
  });
  const closedAt = Date.now();
  c.close();
  await sub.expectNothing(600);
  const will = await sub.expect('publish', 3000);
  assert.equal(will.payload.toString(), 'late');
  assert.ok(Date.now() - closedAt >= 900, 'not before the Will Delay Interval');
});

test('[MQTT-3.1.3-9] 5.0 reconnecting within the will delay cancels the will', async (t) => {
  const topic = unique('cancel');
  const sub = await watcher(t, topic);
  const options: SessionOptions = {
    clientId: unique('will'),
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: 10 },
    will: { topic, payload: 'never', properties: { willDelayInterval: 1 } },
  };
  const c = await willClient(t, topic, options);
  c.close();
  await sleep(200);
  const back = await RawClient.session(t, broker.port, { ...options, will: undefined });
  assert.equal(back.connack?.sessionPresent, true);
  await sub.expectNothing(1500);
});

test('MQTT 5.0 3.1.3.2.2: will delay longer than the session: sent when it ends', {
  skip: useMosquitto && 'mosquitto 2.0.11 waits out the will delay regardless',
}, async (t) => {
  const topic = unique('ends');
  const sub = await watcher(t, topic);
  const c = await willClient(t, topic, {
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 0 },
    will: { topic, payload: 'now', properties: { willDelayInterval: 30 } },
  });
  c.close();
  assert.equal((await sub.expect('publish', 1500)).payload.toString(), 'now');
});
