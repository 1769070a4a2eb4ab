import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Deque } from '../../../src/broker/deque.js';
import { newMessage } from '../../../src/broker/message.js';
import { RetainedStore } from '../../../src/broker/retained.js';
import { Session, type SubscriptionRecord } from '../../../src/broker/session.js';
import { type MatchSink, SubscriptionTree } from '../../../src/broker/topic-tree.js';
import { topicMatches } from '../../../src/protocol/index.js';

function record(filter: string, group = ''): SubscriptionRecord {
  return {
    filter,
    group,
    qos: 0,
    noLocal: false,
    retainAsPublished: false,
    retainHandling: 0,
    identifier: 0,
  };
}

function matches(tree: SubscriptionTree, topic: string): string[] {
  const out: string[] = [];
  const sink: MatchSink = {
    add: (_s, sub) => out.push(sub.filter),
    addShared: (_s, sub) => out.push(`$share/${sub.group}/${sub.filter}`),
  };
  tree.match(topic, sink);
  return out.sort();
}

describe('deque', () => {
  test('keeps order through growth and wrap-around', () => {
    const q = new Deque<number>(2);
    const seen: number[] = [];
    for (let i = 0; i < 50; i++) {
      q.push(i);
      if (i % 3 === 0) seen.push(q.shift() as number);
    }
    while (q.length > 0) seen.push(q.shift() as number);
    assert.deepEqual(seen, [...Array(50).keys()]);
  });

  test('empty deques share nothing they write to, also after clear', () => {
    const a = new Deque<number>();
    const b = new Deque<number>();
    for (let i = 0; i < 20; i++) a.push(i);
    a.clear();
    a.push(100);
    assert.equal(b.length, 0);
    assert.equal(b.peek(), undefined);
    assert.deepEqual([...b], []);
    b.push(7);
    assert.deepEqual([...a], [100]);
    assert.deepEqual([...b], [7]);
  });

  test('retain filters in place', () => {
    const q = new Deque<number>();
    for (let i = 0; i < 10; i++) q.push(i);
    assert.equal(
      q.retain((x) => x % 2 === 0),
      5,
    );
    assert.deepEqual([...q], [0, 2, 4, 6, 8]);
  });
});

describe('subscription tree', () => {
  const filters = [
    '#',
    '+',
    'a',
    'a/#',
    'a/+',
    'a/b',
    '+/b',
    '+/+/c',
    'a/b/#',
    '$SYS/#',
    '/a',
  ];

  test('agrees with topicMatches on a table of topics', () => {
    const tree = new SubscriptionTree();
    for (const [i, f] of filters.entries()) tree.add(new Session(`s${i}`), record(f));
    for (const topic of ['a', 'a/b', 'a/b/c', 'x/b', '$SYS/x', '/a', 'a//c', 'b']) {
      const expected = filters.filter((f) => topicMatches(f, topic)).sort();
      assert.deepEqual(matches(tree, topic), expected, topic);
    }
  });

  test('remove prunes and reports', () => {
    const tree = new SubscriptionTree();
    const s = new Session('s');
    tree.add(s, record('a/b/c'));
    assert.equal(tree.remove(s, 'a/b/c', ''), true);
    assert.equal(tree.remove(s, 'a/b/c', ''), false);
    assert.deepEqual(matches(tree, 'a/b/c'), []);
  });

  test('shared groups deliver to one member, round robin', () => {
    const tree = new SubscriptionTree();
    const a = new Session('a');
    const b = new Session('b');
    tree.add(a, record('t', 'g'));
    tree.add(b, record('t', 'g'));
    const picked: string[] = [];
    const sink: MatchSink = { add: () => {}, addShared: (s) => picked.push(s.clientId) };
    for (let i = 0; i < 4; i++) tree.match('t', sink);
    assert.deepEqual(picked, ['a', 'b', 'a', 'b']);
  });
});

describe('retained store', () => {
  test('set, replace, clear and match', () => {
    const store = new RetainedStore();
    const msg = (topic: string, payload: string) =>
      newMessage(topic, Buffer.from(payload), 0, true, undefined, 0, '');
    assert.equal(store.set(msg('a/b', '1')), 1);
    assert.equal(store.set(msg('a/b', '2')), 0);
    assert.equal(store.set(msg('a', '3')), 1);
    assert.equal(store.set(msg('$SYS/x', '4')), 1);
    assert.deepEqual(
      store.match('a/#', 0).map((m) => m.payload.toString()),
      ['3', '2'],
    );
    assert.equal(store.match('#', 0).length, 2);
    assert.equal(store.match('+/x', 0).length, 0);
    assert.equal(store.set(msg('a/b', '')), -1);
    assert.equal(store.count, 2);
  });
});
