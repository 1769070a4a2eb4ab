/**
 * persistence - DUP flag: after a restart, one stored message is resent
 * to the session that had it in flight (DUP 1) and sent for the first time
 * to the session that had it queued (DUP 0), in whichever order the two
 * come back; a message is encoded once per form and shared, so neither
 * delivery may take the other's flag.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RawClient } from '../helpers/raw-client.js';
import { newSite, startMidge } from './helpers.js';

for (const resentFirst of [true, false]) {
  const order = resentFirst ? 'resend first' : 'first send first';
  test(`persistence - DUP flag on a shared message after a restart, ${order}`, async (t) => {
    const site = await newSite(t);
    const port = site.port;
    const first = await startMidge(t, site);
    const flying = { clientId: 'flying', clean: false };
    const queued = { clientId: 'queued', clean: false };
    const a = await RawClient.session(t, port, flying);
    await a.subscribe('d/t', 1);
    const b = await RawClient.session(t, port, queued);
    await b.subscribe('d/t', 1);
    b.close();
    await new Promise((r) => setTimeout(r, 100));
    const pub = await RawClient.session(t, port, { clientId: 'pub' });
    pub.send({ cmd: 'publish', topic: 'd/t', payload: 'm', qos: 1, messageId: 7 });
    await pub.expect('puback');
    // In flight to `flying`, never acknowledged; queued for `queued`.
    const sent = await a.expect('publish');
    assert.equal(sent.dup, false);
    assert.equal(await first.stop('SIGTERM'), 0);

    await startMidge(t, site);
    const resend = async () => {
      const c = await RawClient.session(t, port, flying);
      const p = await c.expect('publish');
      assert.deepEqual(
        [p.payload.toString(), p.dup, p.messageId],
        ['m', true, sent.messageId],
      );
    };
    const fresh = async () => {
      const c = await RawClient.session(t, port, queued);
      const p = await c.expect('publish');
      assert.deepEqual([p.payload.toString(), p.dup], ['m', false]);
    };
    if (resentFirst) {
      await resend();
      await fresh();
    } else {
      await fresh();
      await resend();
    }
  });
}
