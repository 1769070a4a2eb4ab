/**
 * The journal against the in-memory store: every kind of saved state comes
 * back in a second broker, and acknowledgements wait for the commit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Broker, NEVER_EXPIRES } from '../../../src/broker/index.js';
import { OutgoingState } from '../../../src/broker/message.js';
import { Journal } from '../../../src/persistence/journal.js';
import { MemoryStore } from '../../../src/persistence/memory-store.js';
import type { Batch } from '../../../src/persistence/store.js';
import { PacketType, type PublishPacket } from '../../../src/protocol/index.js';
import {
  connected,
  nextPublish,
  nothingMore,
  publish,
  startBroker,
  sub,
  subscribe,
  tick,
} from '../broker/helpers.js';

function journaled(store: MemoryStore, options = {}): Broker {
  const broker = startBroker(options);
  new Journal(broker, store, { failed: (e) => assert.fail(e) }).start(store.load());
  return broker;
}

/** Lets the end-of-turn commit run. */
async function committed(): Promise<void> {
  await tick();
  await tick();
}

test('journal - sessions, subscriptions, queued, in-flight and incoming QoS 2 come back', async () => {
  const store = new MemoryStore();
  const a = journaled(store);
  const p4 = await connected(a, 'p4', 4, { clean: false });
  await subscribe(p4, [sub('q/#', 2), sub('$share/g/s/#', 1)]);
  p4.close();
  const p5 = await connected(a, 'p5', 5, { properties: { sessionExpiryInterval: 600 } });
  const ids = { subscriptionIdentifiers: [9] };
  const opts = { noLocal: true, retainAsPublished: true, retainHandling: 2 as const };
  await subscribe(p5, sub('q/a', 2, opts), 1, ids);
  const pub = await connected(a, 'pub', 4, { clean: false });
  publish(pub, 'q/a', 'one', { qos: 1, packetId: 1 });
  assert.equal((await pub.next()).type, PacketType.Puback);
  publish(pub, 'q/a', 'two', { qos: 2, packetId: 2 });
  assert.equal((await pub.next()).type, PacketType.Pubrec);
  pub.send({ type: PacketType.Pubrel, packetId: 2 });
  assert.equal((await pub.next()).type, PacketType.Pubcomp);
  publish(pub, 'q/a', 'three', { qos: 2, packetId: 3 });
  assert.equal((await pub.next()).type, PacketType.Pubrec);
  // p5 acknowledges neither: one waits for PUBACK, one for PUBCOMP.
  const first = await nextPublish(p5);
  const second = await nextPublish(p5);
  assert.equal(first.payload.toString(), 'one');
  p5.send({ type: PacketType.Pubrec, packetId: second.packetId as number });
  assert.equal((await p5.next()).type, PacketType.Pubrel);
  pub.close();
  p5.close();
  await committed();

  const b = journaled(store);
  const s4 = b.session('p4');
  const s5 = b.session('p5');
  assert.ok(s4 && s5 && b.session('pub'));
  assert.deepEqual([...s4.subscriptions.keys()].sort(), ['$share/g/s/#', 'q/#']);
  assert.equal(s4.subscriptions.get('$share/g/s/#')?.group, 'g');
  assert.deepEqual(s5.subscriptions.get('q/a'), {
    filter: 'q/a',
    group: '',
    qos: 2,
    noLocal: true,
    retainAsPublished: true,
    retainHandling: 2,
    identifier: 9,
  });
  assert.equal(s5.expiryInterval, 600);
  assert.deepEqual(
    [...s5.inflight.values()].map((o) => [o.packetId, o.state, o.qos]),
    [
      [first.packetId, OutgoingState.Publish, 1],
      [second.packetId, OutgoingState.Pubrel, 2],
    ],
  );
  // The last QoS 2 message was never released by its publisher.
  assert.equal(b.session('pub')?.incomingQos2.get(3)?.payload.toString(), 'three');
  // p4 reconnects and finds "one" waiting.
  const back = await connected(b, 'p4', 4, { clean: false });
  const queued = [await nextPublish(back), await nextPublish(back)];
  assert.deepEqual(
    queued.map((q) => [q.payload.toString(), q.qos]),
    [
      ['one', 1],
      ['two', 2],
    ],
  );
  // The publisher releases "three": delivered now, once.
  const pub2 = await connected(b, 'pub', 4, { clean: false });
  pub2.send({ type: PacketType.Pubrel, packetId: 3 });
  assert.equal((await pub2.next()).type, PacketType.Pubcomp);
  const three = await nextPublish(back);
  assert.deepEqual([three.payload.toString(), three.qos], ['three', 2]);
  assert.equal(await nothingMore(back), undefined);
});

test('journal - retained messages and a pending will come back; $SYS is not saved', async () => {
  const store = new MemoryStore();
  const a = journaled(store);
  const c = await connected(a, 'r', 5);
  const props = {
    contentType: 'text/plain',
    userProperties: [['k', 'v']] as [string, string][],
  };
  publish(c, 'keep/me', 'kept', { retain: true, properties: props });
  publish(c, 'gone/soon', 'x', { retain: true });
  publish(c, 'gone/soon', '', { retain: true });
  a.publish({ topic: '$SYS/broker/uptime', payload: Buffer.from('1'), retain: true });
  const w = await connected(a, 'w', 5, {
    properties: { sessionExpiryInterval: 100 },
    will: {
      topic: 'will/w',
      payload: Buffer.from('bye'),
      qos: 1,
      retain: false,
      properties: { willDelayInterval: 60 },
    },
  });
  w.close();
  await committed();
  assert.deepEqual(
    store.load().retained.map((m) => m.topic),
    ['keep/me'],
  );

  const b = journaled(store);
  const will = b.session('w')?.pendingWill;
  assert.equal(will?.message.topic, 'will/w');
  assert.ok((will?.publishAt ?? 0) > Date.now() + 50_000);
  const reader = await connected(b, 'reader', 5);
  await subscribe(reader, sub('keep/#'));
  const r = await nextPublish(reader);
  assert.deepEqual([r.payload.toString(), r.retain], ['kept', true]);
  assert.deepEqual(r.properties?.userProperties, [['k', 'v']]);
  assert.equal(r.properties?.contentType, 'text/plain');
});

test('journal - an ended session is removed with its messages', async () => {
  const store = new MemoryStore();
  const a = journaled(store);
  const s = await connected(a, 's', 4, { clean: false });
  await subscribe(s, sub('t', 1));
  s.close();
  const p = await connected(a, 'p');
  publish(p, 't', 'm', { qos: 1 });
  await p.next();
  await committed();
  assert.equal(store.load().outgoing.length, 1);
  // A clean start ends the saved session.
  const again = await connected(a, 's', 4, { clean: true });
  again.close();
  await committed();
  const left = store.load();
  assert.deepEqual(
    [left.sessions, left.subscriptions, left.outgoing].map((x) => x.length),
    [0, 0, 0],
  );
});

test('journal - a message acknowledged by its subscriber is deleted; copies share a key', async () => {
  const store = new MemoryStore();
  const a = journaled(store);
  const s1 = await connected(a, 's1', 4, { clean: false });
  const s2 = await connected(a, 's2', 4, { clean: false });
  await subscribe(s1, sub('t', 1));
  await subscribe(s2, sub('t', 1));
  const p = await connected(a, 'p');
  publish(p, 't', 'm', { qos: 1 });
  await p.next();
  const m1 = await nextPublish(s1);
  const m2 = await nextPublish(s2);
  await committed();
  let saved = store.load();
  assert.deepEqual(
    saved.outgoing.map((o) => [o.clientId, o.state]),
    [
      ['s1', OutgoingState.Publish],
      ['s2', OutgoingState.Publish],
    ],
  );
  assert.equal(saved.outgoing[0]?.messageKey, saved.outgoing[1]?.messageKey);
  s1.send({ type: PacketType.Puback, packetId: m1.packetId as number });
  await committed();
  saved = store.load();
  assert.deepEqual(
    saved.outgoing.map((o) => o.clientId),
    ['s2'],
  );
  s2.send({ type: PacketType.Puback, packetId: m2.packetId as number });
  await committed();
  assert.equal(store.load().outgoing.length, 0);
});

/** A store that shows what the publisher had received when it committed. */
class WatchingStore extends MemoryStore {
  seenAtCommit: number[] = [];
  watched: { received: unknown[] } | undefined;
  override commit(b: Batch): void {
    this.seenAtCommit.push(this.watched?.received.length ?? -1);
    super.commit(b);
  }
}

test('journal - PUBACK and PUBREC leave only after the commit holding the message', async () => {
  const store = new WatchingStore();
  const a = journaled(store);
  const s = await connected(a, 's', 4, { clean: false });
  await subscribe(s, sub('t', 2));
  const p = await connected(a, 'p', 4, { clean: false });
  await tick();
  store.seenAtCommit = [];
  store.watched = p;
  publish(p, 't', 'q1', { qos: 1, packetId: 1 });
  publish(p, 't', 'q2', { qos: 2, packetId: 2 });
  const acks = [await p.next(), await p.next()];
  assert.deepEqual(
    acks.map((x) => x.type),
    [PacketType.Puback, PacketType.Pubrec],
  );
  // The first commit saw no acknowledgement yet.
  assert.equal(store.seenAtCommit[0], 0);
});

test('journal - with a store that commits later, output waits for it', async () => {
  class SlowStore extends MemoryStore {
    hold = false;
    readonly #waiting: Array<() => void> = [];
    override commit(b: Batch): Promise<void> {
      super.commit(b);
      if (!this.hold) return Promise.resolve();
      return new Promise((resolve) => this.#waiting.push(resolve));
    }
    finish(): void {
      for (const resolve of this.#waiting.splice(0)) resolve();
    }
  }
  const store = new SlowStore();
  const a = journaled(store);
  const s = await connected(a, 's', 4, { clean: false });
  await subscribe(s, sub('t', 1));
  const p = await connected(a, 'p');
  store.hold = true;
  publish(p, 't', 'm', { qos: 1 });
  await committed();
  // The message went to the persistent subscriber: the PUBACK waits.
  assert.equal(await nothingMore(p, 30), undefined);
  store.finish();
  assert.equal((await p.next()).type, PacketType.Puback);
});

test('journal - a failed commit is retried and output waits meanwhile', async () => {
  let fail = true;
  const errors: Error[] = [];
  class FlakyStore extends MemoryStore {
    override commit(b: Batch): void {
      if (fail) throw new Error('disk full');
      super.commit(b);
    }
  }
  const store = new FlakyStore();
  const a = startBroker();
  new Journal(a, store, { failed: (e) => errors.push(e) }).start(store.load());
  const p = await connected(a, 'p');
  publish(p, 'r', 'kept', { qos: 1, retain: true });
  assert.equal(await nothingMore(p, 50), undefined);
  assert.equal(errors[0]?.message, 'disk full');
  fail = false;
  const ack = await p.next(2000);
  assert.equal(ack.type, PacketType.Puback);
  assert.deepEqual(
    store.load().retained.map((m) => m.topic),
    ['r'],
  );
});

test('journal - a QoS 2 message to a subscriber is sent only once saved', async () => {
  const store = new WatchingStore();
  const a = journaled(store);
  const s = await connected(a, 's', 4, { clean: false });
  await subscribe(s, sub('t', 2));
  const p = await connected(a, 'p');
  await tick();
  store.seenAtCommit = [];
  store.watched = s;
  publish(p, 't', 'x', { qos: 1 });
  const got: PublishPacket = await nextPublish(s);
  assert.equal(got.payload.toString(), 'x');
  assert.equal(store.seenAtCommit[0], 0);
  assert.equal(store.load().outgoing[0]?.packetId, got.packetId);
});

test('journal - persistent_client_expiration bounds a restored session that never expired', async () => {
  const store = new MemoryStore();
  const a = journaled(store);
  const c = await connected(a, 'forever', 4, { clean: false });
  c.close();
  await committed();
  assert.equal(store.load().sessions[0]?.expiryInterval, NEVER_EXPIRES);
  const b = journaled(store, { persistentClientExpiration: 3600 });
  const s = b.session('forever');
  assert.equal(s?.expiryInterval, 3600);
  assert.ok(Math.abs((s?.expiresAt ?? 0) - (Date.now() + 3_600_000)) < 5000);
  await committed();
  // The saved row is bounded too.
  assert.equal(store.load().sessions[0]?.expiryInterval, 3600);
});

test('journal - a message that ends before its batch commits is never written', async () => {
  const store = new MemoryStore();
  const rows: number[] = [];
  const commit = store.commit.bind(store);
  store.commit = (b: Batch) => {
    rows.push(b.outgoing.length);
    commit(b);
  };
  const a = journaled(store);
  const s = await connected(a, 's', 5, { properties: { sessionExpiryInterval: 600 } });
  await subscribe(s, sub('t', 1));
  s.close();
  const p = await connected(a, 'p', 5);
  await committed();
  rows.length = 0;
  // Queued for the offline session, then expired, in the same turn.
  publish(p, 't', 'short', { qos: 1, properties: { messageExpiryInterval: 1 } });
  a.sweep(Date.now() + 5000);
  // A second message stays queued: the batch is not empty.
  publish(p, 't', 'kept', { qos: 1, packetId: 2 });
  await p.next();
  await committed();
  assert.deepEqual(rows, [1]);
  assert.deepEqual(
    store.load().outgoing.map((o) => o.message.payload.toString()),
    ['kept'],
  );
});
