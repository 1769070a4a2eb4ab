/**
 * The subscription tree's match cache: a topic matched again is answered
 * from the cache, which must always give what a fresh walk of the tree
 * gives, through subscribe, unsubscribe, replaced options, session end
 * and shared groups, and stay within its bounds.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MATCH_CACHE_TOPICS } from '../../../src/broker/match-cache.js';
import { Session, type SubscriptionRecord } from '../../../src/broker/session.js';
import { type MatchSink, SubscriptionTree } from '../../../src/broker/topic-tree.js';
import { PacketType, type QoS } from '../../../src/protocol/index.js';
import {
  connected,
  nextPublish,
  nothingMore,
  publish,
  startBroker,
  sub,
  subscribe,
} from './helpers.js';

function record(filter: string, qos: QoS = 0, group = ''): SubscriptionRecord {
  return {
    filter,
    group,
    qos,
    noLocal: false,
    retainAsPublished: false,
    retainHandling: 0,
    identifier: 0,
  };
}

/** "client:filter:qos" for every match, sorted. */
function matches(tree: SubscriptionTree, topic: string): string[] {
  const out: string[] = [];
  const sink: MatchSink = {
    add: (s, r) => out.push(`${s.clientId}:${r.filter}:${r.qos}`),
    addShared: (s, r) => out.push(`${s.clientId}:$share/${r.group}/${r.filter}`),
  };
  tree.match(topic, sink);
  return out.sort();
}

describe('match cache', () => {
  test('a cached topic sees every subscribe, unsubscribe and replacement', () => {
    const tree = new SubscriptionTree();
    const a = new Session('a');
    const b = new Session('b');
    tree.add(a, record('x/+'));
    assert.deepEqual(matches(tree, 'x/y'), ['a:x/+:0']);
    assert.deepEqual(matches(tree, 'x/y'), ['a:x/+:0']);
    assert.equal(tree.cachedTopics, 1);
    tree.add(b, record('#'));
    assert.deepEqual(matches(tree, 'x/y'), ['a:x/+:0', 'b:#:0']);
    tree.add(b, record('#', 2));
    assert.deepEqual(matches(tree, 'x/y'), ['a:x/+:0', 'b:#:2']);
    tree.remove(a, 'x/+', '');
    assert.deepEqual(matches(tree, 'x/y'), ['b:#:2']);
    tree.remove(b, '#', '');
    assert.deepEqual(matches(tree, 'x/y'), []);
  });

  test('$ topics keep their own answer', () => {
    const tree = new SubscriptionTree();
    tree.add(new Session('a'), record('#'));
    assert.deepEqual(matches(tree, '$SYS/x'), []);
    assert.deepEqual(matches(tree, 'SYS/x'), ['a:#:0']);
    assert.deepEqual(matches(tree, '$SYS/x'), []);
  });

  test('shared groups still take turns on cached topics', () => {
    const tree = new SubscriptionTree();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => new Session(id)) as Session[];
    tree.add(a as Session, record('t', 0, 'g'));
    tree.add(b as Session, record('t', 0, 'g'));
    const picks = () => matches(tree, 't').map((m) => m.split(':')[0]);
    assert.deepEqual([...picks(), ...picks(), ...picks()], ['a', 'b', 'a']);
    tree.add(c as Session, record('t', 0, 'g'));
    tree.remove(a as Session, 't', 'g');
    const seen = new Set([...picks(), ...picks(), ...picks(), ...picks()]);
    assert.deepEqual([...seen].sort(), ['b', 'c']);
  });

  test('holds at most MATCH_CACHE_TOPICS topics, and answers right past it', () => {
    const tree = new SubscriptionTree();
    tree.add(new Session('a'), record('t/+'));
    for (let i = 0; i < MATCH_CACHE_TOPICS + 50; i++) {
      assert.deepEqual(matches(tree, `t/${i}`), ['a:t/+:0']);
      assert.ok(tree.cachedTopics <= MATCH_CACHE_TOPICS);
    }
    assert.deepEqual(matches(tree, 't/0'), ['a:t/+:0']);
  });
});

test('long topics are routed right but not cached', () => {
  const tree = new SubscriptionTree();
  tree.add(new Session('a'), record('long/#'));
  const topic = `long/${'x'.repeat(5000)}`;
  for (let i = 0; i < 3; i++) assert.deepEqual(matches(tree, topic), ['a:long/#:0']);
  assert.equal(tree.cachedTopics, 0);
  matches(tree, 'long/short');
  assert.equal(tree.cachedTopics, 1);
});

test('mostly new topics: the cache rests, answers stay right, then fills again', () => {
  const tree = new SubscriptionTree();
  const a = new Session('a');
  tree.add(a, record('u/+'));
  for (let i = 0; i < 3000; i++) {
    assert.deepEqual(matches(tree, `u/${i}`), ['a:u/+:0']);
  }
  const rested = tree.cachedTopics;
  assert.ok(rested <= 1024, `filled only in the first window: ${rested}`);
  // A change while resting is seen at once.
  tree.add(new Session('b'), record('#'));
  assert.deepEqual(matches(tree, 'u/1'), ['a:u/+:0', 'b:#:0']);
  // Repeated topics make it fill again once the rest is over.
  for (let i = 0; i < 20_000; i++) matches(tree, `u/${i % 10}`);
  assert.equal(tree.cachedTopics, 10);
  assert.deepEqual(matches(tree, 'u/3'), ['a:u/+:0', 'b:#:0']);
});

describe('match cache - through the broker', () => {
  test('subscribe, unsubscribe and session end change where a topic goes', async () => {
    const broker = startBroker();
    const p = await connected(broker, 'p');
    const s1 = await connected(broker, 's1');
    await subscribe(s1, sub('m/+'));
    publish(p, 'm/t', 'one');
    assert.equal((await nextPublish(s1)).payload.toString(), 'one');
    const s2 = await connected(broker, 's2');
    await subscribe(s2, sub('m/#'));
    publish(p, 'm/t', 'two');
    assert.equal((await nextPublish(s1)).payload.toString(), 'two');
    assert.equal((await nextPublish(s2)).payload.toString(), 'two');
    s1.send({ type: PacketType.Unsubscribe, packetId: 5, topicFilters: ['m/+'] });
    assert.equal((await s1.next()).type, PacketType.Unsuback);
    publish(p, 'm/t', 'three');
    assert.equal((await nextPublish(s2)).payload.toString(), 'three');
    assert.equal(await nothingMore(s1), undefined);
    // A clean session ends with its connection, and its subscriptions too.
    s2.send({ type: PacketType.Disconnect });
    const s3 = await connected(broker, 's3');
    await subscribe(s3, sub('m/t'));
    publish(p, 'm/t', 'four');
    assert.equal((await nextPublish(s3)).payload.toString(), 'four');
    assert.equal(await nothingMore(s2), undefined);
  });
});
