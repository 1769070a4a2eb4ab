/**
 * memory pair - the in-process client of `createMemoryPair` (public API)
 * gets bytes of its own, as over a socket: writing into a payload it
 * received changes nothing the broker still holds. The broker shares one
 * encoded PUBLISH among subscribers and keeps a message in flight inside
 * the packet it sent, so shared bytes would carry the change to the
 * resend and to every later subscriber.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  connected,
  nextPublish,
  publish,
  startBroker,
  sub,
  subscribe,
  tick,
} from './helpers.js';

test('memory pair - a client wiping its payload alters no other delivery', async () => {
  const broker = startBroker();
  const reader = await connected(broker, 'reader', 4, { clean: false });
  await subscribe(reader, sub('mem/t', 1));
  const away = await connected(broker, 'away', 4, { clean: false });
  await subscribe(away, sub('mem/t', 1));
  away.close();
  await tick();
  const pub = await connected(broker, 'pub', 4);
  publish(pub, 'mem/t', 'secret', { qos: 1 });
  const got = await nextPublish(reader);
  assert.equal(got.payload.toString(), 'secret');
  // Done with it: wiped, as code handling secrets does.
  got.payload.fill(0);
  reader.close();
  await tick();
  const back = await connected(broker, 'reader', 4, { clean: false });
  assert.equal((await nextPublish(back)).payload.toString(), 'secret');
  const later = await connected(broker, 'away', 4, { clean: false });
  assert.equal((await nextPublish(later)).payload.toString(), 'secret');
});
