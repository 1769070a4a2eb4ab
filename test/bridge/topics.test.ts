/**
 * Topic remapping in every form of the `topic` line, checked against what
 * Debian's mosquitto 2.0.11 does with the same lines (observed): both
 * prefixes, a local prefix only, a remote prefix only, a single topic made
 * of the prefixes (`""`), no prefix, and the QoS of each line as a cap.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { QoS } from '../../src/client/index.js';
import {
  client,
  Inbox,
  sleep,
  startHost,
  startMidge,
  startMosquitto,
} from './helpers.js';

const topicLines = [
  'topic a/# both 1 la/ ra/',
  'topic b/# out 1 lb/ ""',
  'topic c/# in 1 "" rc/',
  'topic "" out 1 single/local single/remote',
  'topic "" in 1 back/local back/remote',
  'topic d/+/x both 0',
  'topic e in 2',
];

/** [publish on the local side, topic seen on the remote, or null]. */
const outgoing: Array<[string, string | null]> = [
  ['la/a/1', 'ra/a/1'],
  ['lb/b/1', 'b/1'],
  ['b/b/2', null],
  ['single/local', 'single/remote'],
  ['single/local/x', null],
  ['d/1/x', 'd/1/x'],
  ['a/unprefixed', null],
];

/** [publish on the remote side, topic seen locally, or null]. */
const incoming: Array<[string, string | null]> = [
  ['ra/a/2', 'la/a/2'],
  ['rc/c/1', 'c/1'],
  ['c/c/2', null],
  ['back/remote', 'back/local'],
  ['d/2/x', 'd/2/x'],
  ['e', 'e'],
];

async function run(remotePort: number): Promise<void> {
  const host = await startHost(
    (p) =>
      `listener ${p} 127.0.0.1\nallow_anonymous true\nconnection t\n` +
      `address 127.0.0.1:${remotePort}\n${topicLines.join('\n')}\n`,
  );
  try {
    await host.log.waitFor('Received SUBACK');
    const local = await client(host.port);
    const remote = await client(remotePort);
    const li = new Inbox(local);
    const ri = new Inbox(remote);
    await local.subscribe('#', { qos: 2 });
    await remote.subscribe('#', { qos: 2 });
    for (const [topic] of outgoing) await local.publish(topic, 'o', { qos: 1 });
    for (const [topic] of incoming) await remote.publish(topic, 'i', { qos: 2 });
    await sleep(600);
    await local.end();
    await remote.end();
    const seen = (inbox: Inbox, payload: string) =>
      inbox.messages
        .filter((m) => m.payload.toString() === payload && !m.topic.startsWith('$'))
        .map((m) => m.topic)
        .sort();
    const want = (pairs: Array<[string, string | null]>) =>
      pairs.flatMap(([, to]) => (to === null ? [] : [to])).sort();
    assert.deepEqual(seen(ri, 'o'), want(outgoing), 'local -> remote');
    assert.deepEqual(seen(li, 'i'), want(incoming), 'remote -> local');
    // The line's QoS caps the message: QoS 1 on `d/+/x ... 0` arrives at 0.
    const qosOf = (inbox: Inbox, topic: string): QoS | undefined =>
      inbox.messages.find((m) => m.topic === topic)?.qos;
    assert.equal(qosOf(ri, 'd/1/x'), 0);
    assert.equal(qosOf(ri, 'ra/a/1'), 1);
    assert.equal(qosOf(li, 'e'), 2);
  } finally {
    await host.stop();
  }
}

describe('bridge topic remapping', { concurrency: true }, () => {
  test('every form of the topic line, to midge', async (t) => {
    const remote = await startMidge(
      (p) => `listener ${p} 127.0.0.1\nallow_anonymous true\n`,
    );
    t.after(() => remote.stop());
    await run(remote.port);
  });

  test('every form of the topic line, to mosquitto', async (t) => {
    const remote = await startMosquitto(
      (p) => `listener ${p} 127.0.0.1\nallow_anonymous true\n`,
    );
    t.after(() => remote.stop());
    await run(remote.port);
  });

  test('mosquitto maps the same lines the same way (reference)', async (t) => {
    // The expectations above, checked against mosquitto as the bridge.
    const remote = await startMidge(
      (p) => `listener ${p} 127.0.0.1\nallow_anonymous true\n`,
    );
    t.after(() => remote.stop());
    const bridging = await startMosquitto(
      (p) =>
        `listener ${p} 127.0.0.1\nallow_anonymous true\nconnection t\n` +
        `address 127.0.0.1:${remote.port}\n${topicLines.join('\n')}\n`,
    );
    t.after(() => bridging.stop());
    await sleep(500);
    const local = await client(bridging.port);
    const r = await client(remote.port);
    const li = new Inbox(local);
    const ri = new Inbox(r);
    await local.subscribe('#', { qos: 2 });
    await r.subscribe('#', { qos: 2 });
    for (const [topic] of outgoing) await local.publish(topic, 'o', { qos: 1 });
    for (const [topic] of incoming) await r.publish(topic, 'i', { qos: 2 });
    await sleep(600);
    await local.end();
    await r.end();
    const topics = (inbox: Inbox, payload: string) =>
      inbox.messages
        .filter((m) => m.payload.toString() === payload)
        .map((m) => m.topic)
        .sort();
    const want = (pairs: Array<[string, string | null]>) =>
      pairs.flatMap(([, to]) => (to === null ? [] : [to])).sort();
    assert.deepEqual(topics(ri, 'o'), want(outgoing));
    assert.deepEqual(topics(li, 'i'), want(incoming));
  });
});
