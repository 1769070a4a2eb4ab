import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Session } from '../../../src/broker/index.js';
import { newMessage, OutgoingState } from '../../../src/broker/message.js';
import { adoptContents } from '../../../src/persistence/restore.js';
import { emptyContents } from '../../../src/persistence/store.js';
import { PacketType } from '../../../src/protocol/index.js';
import {
  connected,
  nextPublish,
  publish,
  startBroker,
  sub,
  subscribe,
} from './helpers.js';

test('restore - a saved session and retained message come back', async () => {
  const broker = startBroker();
  const saved = new Session('back');
  saved.expiryInterval = 3600;
  saved.subscriptions.set('t/#', {
    filter: 't/#',
    group: '',
    qos: 1,
    noLocal: false,
    retainAsPublished: false,
    retainHandling: 0,
    identifier: 0,
  });
  const held = newMessage('t/held', Buffer.from('held'), 1, false, undefined, 0, 'x');
  saved.inflight.set(7, {
    message: held,
    qos: 1,
    retain: false,
    subscriptionIds: undefined,
    packetId: 7,
    state: OutgoingState.Publish,
    sent: true,
  });
  broker.restoreSession(saved);
  broker.restoreRetained(
    newMessage('r', Buffer.from('kept'), 0, true, undefined, 0, 'x'),
  );
  assert.equal(broker.stats.subscriptionsCount, 1);
  assert.equal(broker.stats.retainedCount, 1);
  const p = await connected(broker, 'p');
  publish(p, 't/new', 'new', { qos: 1 });
  await p.next();
  const c = await connected(broker, 'back', 4, { clean: false });
  const resent = await nextPublish(c);
  assert.deepEqual(
    [resent.packetId, resent.dup, resent.payload.toString()],
    [7, true, 'held'],
  );
  c.send({ type: PacketType.Puback, packetId: 7 });
  assert.equal((await nextPublish(c)).payload.toString(), 'new');
  const r = await connected(broker, 'reader');
  await subscribe(r, sub('r'));
  assert.equal((await nextPublish(r)).payload.toString(), 'kept');
});

test('restore - a saved QoS 2 id outside 1-65535 is dropped, not fatal', async () => {
  // A damaged file (a Mosquitto database holding mid 0, say) must still
  // start the broker, as it did when the ids were kept in a Map.
  const broker = startBroker();
  const message = newMessage('t/in', Buffer.from('in'), 2, false, undefined, 0, 'x');
  const session = {
    clientId: 'held',
    expiryInterval: 3600,
    expiresAt: 0,
    nextPacketId: 1,
    username: undefined,
    will: undefined,
  };
  const incoming = [0, 70_000, 5].map((packetId) => ({
    clientId: 'held',
    packetId,
    message,
  }));
  const adopted = adoptContents(broker, {
    ...emptyContents(),
    sessions: [session],
    incoming,
  });
  assert.deepEqual(
    adopted.leftovers.removedIncoming.map((r) => r.packetId),
    [0, 70_000],
  );
  assert.deepEqual(broker.session('held')?.incomingQos2.keys(), [5]);
  const r = await connected(broker, 'reader');
  await subscribe(r, sub('t/#', 2));
  const c = await connected(broker, 'held', 4, { clean: false });
  c.send({ type: PacketType.Pubrel, packetId: 5 });
  assert.equal((await c.next()).type, PacketType.Pubcomp);
  assert.equal((await nextPublish(r)).payload.toString(), 'in');
});
