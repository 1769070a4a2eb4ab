/**
 * publish - shared forms: a message is encoded once per form (protocol
 * family, QoS, retain) with the packet id and DUP flag of the first client
 * that needs it, and later clients get copies. Those copies must carry
 * their own packet id even when the first client refused the form (its
 * Maximum Packet Size), and no DUP flag when the form was made for a
 * resend.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { freePort, startBroker } from '../helpers/broker.js';
import { sleep } from '../helpers/conformance.js';
import { RawClient } from '../helpers/raw-client.js';

/** A broker with a second listener whose clients live under `mp/`. */
async function brokerWithMount(t: TestContext) {
  const mounted = await freePort();
  const broker = await startBroker({
    config: `listener ${mounted} 127.0.0.1\nmount_point mp/\n`,
  });
  t.after(() => broker.stop());
  return { port: broker.port, mounted };
}

test('publish - a refused form reaches the next client under its own id', async (t) => {
  const { port } = await brokerWithMount(t);
  // Subscribed first, so the 5.0 form of the message is made for it.
  const small = await RawClient.session(t, port, {
    clientId: 'small',
    protocolVersion: 5,
    properties: { maximumPacketSize: 30 },
  });
  await small.subscribe({ topic: 'forms/t', qos: 1 });
  const pub = await RawClient.session(t, port, { clientId: 'pub' });
  // Three short messages take packet ids 1 to 3 on `small`.
  for (let i = 0; i < 3; i++) {
    pub.send({ cmd: 'publish', topic: 'forms/t', payload: 'x', qos: 1, messageId: 1 });
    await pub.expect('puback');
    const p = await small.expect('publish');
    small.send({ cmd: 'puback', messageId: p.messageId as number });
  }
  const other = await RawClient.session(t, port, {
    clientId: 'other',
    protocolVersion: 5,
  });
  await other.subscribe({ topic: 'forms/t', qos: 1 });
  const payload = 'longer than the thirty bytes that small takes';
  pub.send({ cmd: 'publish', topic: 'forms/t', payload, qos: 1, messageId: 2 });
  await pub.expect('puback');
  const got = await other.expect('publish');
  assert.deepEqual([got.payload.toString(), got.messageId, got.dup], [payload, 1, false]);
  await small.expectNothing(200);
});

test('publish - a form made for a resend gives later clients no DUP flag', async (t) => {
  const { port, mounted } = await brokerWithMount(t);
  // `flying` first gets the message through the mount point, encoded for
  // it alone; back on the plain listener its resend makes the form.
  const flying = await RawClient.session(t, mounted, {
    clientId: 'flying',
    clean: false,
  });
  await flying.subscribe({ topic: 'forms/d', qos: 1 });
  const queued = await RawClient.session(t, port, { clientId: 'queued', clean: false });
  await queued.subscribe({ topic: 'mp/forms/d', qos: 1 });
  queued.close();
  await sleep(100);
  const pub = await RawClient.session(t, port, { clientId: 'pub' });
  pub.send({ cmd: 'publish', topic: 'mp/forms/d', payload: 'm', qos: 1, messageId: 5 });
  await pub.expect('puback');
  const first = await flying.expect('publish');
  assert.equal(first.dup, false);
  flying.close();
  await sleep(100);
  const back = await RawClient.session(t, port, { clientId: 'flying', clean: false });
  const resent = await back.expect('publish');
  assert.deepEqual([resent.dup, resent.messageId], [true, first.messageId]);
  const later = await RawClient.session(t, port, { clientId: 'queued', clean: false });
  const fresh = await later.expect('publish');
  assert.deepEqual([fresh.payload.toString(), fresh.dup], ['m', false]);
});
