/**
 * persistence - restart: state built on one midge is found by the next one
 * started on the same folder, after SIGTERM: retained messages with their
 * properties and expiry, persistent 3.1.1 and 5.0 sessions with plain and
 * shared subscriptions, options and identifiers, queued and in-flight
 * messages both ways at every QoS step, and a will waiting for its delay.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { IPublishPacket } from 'mqtt-packet';
import { RawClient } from '../helpers/raw-client.js';
import { newSite, startMidge } from './helpers.js';

const text = (p: IPublishPacket) => p.payload.toString();

/**
 * Reads `n` PUBLISH packets, acknowledging each flow as its packets come
 * (a PUBREL may follow later PUBLISH packets), and waits for the PUBRELs.
 */
async function receive(c: RawClient, n: number): Promise<IPublishPacket[]> {
  const got: IPublishPacket[] = [];
  let open = 0;
  while (got.length < n || open > 0) {
    const p = await c.next();
    if (p.cmd === 'pubrel') {
      c.send({ cmd: 'pubcomp', messageId: p.messageId });
      open--;
    } else if (p.cmd === 'publish') {
      got.push(p);
      if (p.qos === 1) c.send({ cmd: 'puback', messageId: p.messageId });
      if (p.qos === 2) {
        c.send({ cmd: 'pubrec', messageId: p.messageId });
        open++;
      }
    } else {
      assert.fail(`unexpected ${p.cmd}`);
    }
  }
  return got;
}

test('persistence - restart: every kind of saved state comes back', async (t) => {
  const site = await newSite(t);
  const first = await startMidge(t, site);
  const port = site.port;

  // Retained messages, one with 5.0 properties and an expiry.
  const pub5 = await RawClient.session(t, port, { protocolVersion: 5, clientId: 'pub5' });
  const props = {
    contentType: 'text/plain',
    userProperties: { k: 'v' },
    messageExpiryInterval: 3600,
  };
  pub5.send({
    cmd: 'publish',
    topic: 'r/props',
    payload: 'p',
    qos: 1,
    messageId: 1,
    retain: true,
    properties: props,
  });
  await pub5.expect('puback');

  // A: 3.1.1 persistent session, plain and shared subscriptions, offline.
  const a = await RawClient.session(t, port, { clientId: 'sa', clean: false });
  await a.subscribe([
    { topic: 'q/#', qos: 2 },
    { topic: '$share/grp/s/#', qos: 1 },
    { topic: 'will/#', qos: 1 },
  ]);
  a.disconnect();

  // B: 5.0 session with expiry, options and an identifier; two in flight.
  const bConnect = {
    protocolVersion: 5 as const,
    clientId: 'sb',
    clean: false,
    properties: { sessionExpiryInterval: 3600, receiveMaximum: 2 },
  };
  const b = await RawClient.session(t, port, bConnect);
  const opts = { qos: 2 as const, nl: true, rap: true, rh: 2 };
  await b.subscribe({ topic: 'q/#', ...opts }, 2, { subscriptionIdentifier: 5 });

  // The publisher's own session holds a QoS 2 message awaiting PUBREL.
  const p = await RawClient.session(t, port, { clientId: 'pp', clean: false });
  const send = async (topic: string, qos: 1 | 2, id: number) => {
    p.send({ cmd: 'publish', topic, payload: topic, qos, messageId: id });
    if (qos === 1) {
      await p.expect('puback');
      return;
    }
    await p.expect('pubrec');
    p.send({ cmd: 'pubrel', messageId: id });
    await p.expect('pubcomp');
  };
  await send('q/1', 1, 1);
  await send('q/2', 2, 2);
  await send('q/3', 1, 3);
  pub5.send({
    cmd: 'publish',
    topic: 'q/exp',
    payload: 'q/exp',
    qos: 1,
    messageId: 2,
    properties: { messageExpiryInterval: 600 },
  });
  await pub5.expect('puback');
  await send('s/1', 1, 4);
  p.send({ cmd: 'publish', topic: 'q/held', payload: 'q/held', qos: 2, messageId: 77 });
  await p.expect('pubrec');
  p.close();

  // B: q/1 waits for PUBACK, q/2 for PUBCOMP; the rest is queued.
  const b1 = await b.expect('publish');
  const b2 = await b.expect('publish');
  assert.deepEqual([text(b1), text(b2)], ['q/1', 'q/2']);
  b.send({ cmd: 'pubrec', messageId: b2.messageId });
  await b.expect('pubrel');
  b.close();

  // W: a will with a delay, pending once the connection drops.
  const w = await RawClient.session(t, port, {
    protocolVersion: 5,
    clientId: 'w',
    properties: { sessionExpiryInterval: 600 },
    will: {
      topic: 'will/w',
      payload: Buffer.from('gone'),
      qos: 1,
      retain: false,
      properties: { willDelayInterval: 3 },
    },
  });
  w.close();
  await new Promise((r) => setTimeout(r, 100));

  assert.equal(await first.stop('SIGTERM'), 0);
  assert.ok(existsSync(join(site.data, 'midge.db')));
  const second = await startMidge(t, site);
  await second.waitForOutput('Restored 4 sessions, 4 subscriptions');

  // Retained, with properties and the time left.
  const reader = await RawClient.session(t, port, { protocolVersion: 5 });
  await reader.subscribe('r/#', 0);
  const r = await reader.expect('publish');
  assert.deepEqual([r.topic, text(r), r.retain], ['r/props', 'p', true]);
  assert.equal(r.properties?.contentType, 'text/plain');
  assert.deepEqual({ ...r.properties?.userProperties }, { k: 'v' });
  const left = r.properties?.messageExpiryInterval ?? 0;
  assert.ok(left > 3500 && left <= 3600, `expiry left ${left}`);

  // B: the same in-flight flows, then the queue, with its identifier.
  const b2nd = await RawClient.session(t, port, {
    ...bConnect,
    properties: { sessionExpiryInterval: 3600 },
  });
  assert.equal(b2nd.connack?.sessionPresent, true);
  const again = await b2nd.expect('publish');
  assert.deepEqual(
    [text(again), again.dup, again.messageId, again.qos],
    ['q/1', true, b1.messageId, 1],
  );
  const rel = await b2nd.expect('pubrel');
  assert.equal(rel.messageId, b2.messageId);
  b2nd.send({ cmd: 'puback', messageId: b1.messageId });
  b2nd.send({ cmd: 'pubcomp', messageId: b2.messageId });
  const rest: IPublishPacket[] = [];
  for (let i = 0; i < 2; i++) rest.push(await b2nd.expect('publish'));
  assert.deepEqual(rest.map(text), ['q/3', 'q/exp']);
  assert.deepEqual(rest[0]?.properties?.subscriptionIdentifier, 5);
  const expLeft = rest[1]?.properties?.messageExpiryInterval ?? 0;
  assert.ok(expLeft > 500 && expLeft <= 600, `queued expiry left ${expLeft}`);
  for (const m of rest) b2nd.send({ cmd: 'puback', messageId: m.messageId });

  // A: everything queued for it, shared subscription included.
  const a2 = await RawClient.session(t, port, { clientId: 'sa', clean: false });
  assert.equal(a2.connack?.sessionPresent, true);
  const got = await receive(a2, 5);
  assert.deepEqual(got.map(text), ['q/1', 'q/2', 'q/3', 'q/exp', 's/1']);

  // The held QoS 2 message is delivered once its publisher releases it.
  const p2 = await RawClient.session(t, port, { clientId: 'pp', clean: false });
  p2.send({ cmd: 'pubrel', messageId: 77 });
  await p2.expect('pubcomp');
  assert.deepEqual((await receive(a2, 1)).map(text), ['q/held']);
  const bHeld = await b2nd.expect('publish');
  assert.equal(text(bHeld), 'q/held');

  // No Local came back with B's subscription: its own message stays home.
  b2nd.send({ cmd: 'publish', topic: 'q/mine', payload: 'x', qos: 0 });
  const aMine = await a2.expect('publish');
  assert.equal(text(aMine), 'x');

  // The will goes out when its delay, counted from before the restart, ends.
  const will = await a2.expect('publish', 5000);
  assert.deepEqual([will.topic, text(will)], ['will/w', 'gone']);
  assert.equal(await second.stop('SIGTERM'), 0);
});

test('persistence - restart: a clean start forgets the saved session', async (t) => {
  const site = await newSite(t);
  const first = await startMidge(t, site);
  const c = await RawClient.session(t, site.port, { clientId: 'c', clean: false });
  await c.subscribe('t', 1);
  c.disconnect();
  const fresh = await RawClient.session(t, site.port, { clientId: 'c', clean: true });
  fresh.disconnect();
  await new Promise((r) => setTimeout(r, 50));
  await first.stop('SIGTERM');
  const second = await startMidge(t, site);
  await second.waitForOutput('Restored 0 sessions');
  const back = await RawClient.session(t, site.port, { clientId: 'c', clean: false });
  assert.equal(back.connack?.sessionPresent, false);
  await second.stop();
});

test('persistence - restart: SIGUSR1 checkpoints, SIGTERM leaves no log file behind', async (t) => {
  const site = await newSite(t);
  const midge = await startMidge(t, site, { config: 'log_type all' });
  const c = await RawClient.session(t, site.port, { clientId: 'k' });
  c.send({
    cmd: 'publish',
    topic: 'keep',
    payload: 'v',
    qos: 1,
    messageId: 1,
    retain: true,
  });
  await c.expect('puback');
  midge.process.kill('SIGUSR1');
  await midge.waitForOutput(
    `Checkpointing persistence database ${join(site.data, 'midge.db')}.`,
  );
  assert.equal(await midge.stop('SIGTERM'), 0);
  assert.equal(existsSync(join(site.data, 'midge.db-wal')), false);
  const again = await startMidge(t, site);
  await again.waitForOutput('1 retained messages');
  await again.stop();
});
