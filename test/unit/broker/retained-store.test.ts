import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newMessage, type StoredMessage } from '../../../src/broker/message.js';
import { RetainedStore } from '../../../src/broker/retained.js';
import { topicMatches } from '../../../src/protocol/index.js';

function msg(topic: string, payload = topic, expiresAt = 0): StoredMessage {
  return newMessage(topic, Buffer.from(payload), 1, true, undefined, expiresAt, 'p');
}

function topicsOf(found: readonly StoredMessage[]): string[] {
  return found.map((m) => m.topic).sort();
}

const TOPICS = [
  'a',
  'a/b',
  'a/b/c',
  'a/c',
  'a//c',
  '/a',
  'x/b',
  'x/b/c/d',
  '$SYS/broker/uptime',
  '$SYS',
  '$other/a',
  'sport/tennis/player1',
  'sport/tennis/player1/ranking',
];

const FILTERS = [
  '#',
  '+',
  '+/+',
  '+/b',
  'a/#',
  'a/+',
  'a/+/c',
  '+/b/#',
  '/+',
  '+/#',
  'a/b',
  'nothing/#',
  '$SYS/#',
  '$SYS',
  '$SYS/+',
  '+/broker/#',
  '$other/+',
  'sport/tennis/+',
  'sport/+/player1/#',
  'a//c',
  'a/+/+',
];

describe('retained store', () => {
  test('a filter finds exactly the topics it matches, as topicMatches says', () => {
    const store = new RetainedStore();
    for (const t of TOPICS) store.set(msg(t));
    for (const filter of FILTERS) {
      const want = TOPICS.filter((t) => topicMatches(filter, t)).sort();
      assert.deepEqual(topicsOf(store.match(filter, 0)), want, filter);
    }
  });

  test("'#' and '+' at the first level do not match '$' topics [MQTT-4.7.2-1]", () => {
    const store = new RetainedStore();
    for (const t of ['$SYS/x', '$SYS', 'a', '$x/y']) store.set(msg(t));
    assert.deepEqual(topicsOf(store.match('#', 0)), ['a']);
    assert.deepEqual(topicsOf(store.match('+', 0)), ['a']);
    assert.deepEqual(topicsOf(store.match('+/x', 0)), []);
    assert.deepEqual(topicsOf(store.match('$SYS/#', 0)), ['$SYS', '$SYS/x']);
  });

  test('an empty payload deletes the topic and prunes the levels left empty', () => {
    const store = new RetainedStore();
    store.set(msg('a/b/c'));
    store.set(msg('a/x'));
    assert.equal(store.nodeCount(), 4);
    assert.equal(store.set(msg('a/b/c', '')), -1);
    assert.equal(store.nodeCount(), 2, 'a and a/x remain');
    assert.equal(store.set(msg('a/x', '')), -1);
    assert.equal(store.nodeCount(), 0);
    assert.equal(store.count, 0);
    assert.equal(store.bytes, 0);
    assert.deepEqual(store.match('#', 0), []);
  });

  test('deleting a topic that has retained children keeps them', () => {
    const store = new RetainedStore();
    store.set(msg('a'));
    store.set(msg('a/b'));
    assert.equal(store.set(msg('a', '')), -1);
    assert.equal(store.set(msg('nothing/here', '')), 0);
    assert.deepEqual(topicsOf(store.match('#', 0)), ['a/b']);
    assert.equal(store.nodeCount(), 2);
  });

  test('counts and bytes follow stores, replacements and deletions', () => {
    const store = new RetainedStore();
    assert.equal(store.set(msg('t', 'abc')), 1);
    assert.equal(store.set(msg('t', 'abcdef')), 0);
    assert.equal(store.set(msg('u', 'xy')), 1);
    assert.equal(store.count, 2);
    assert.equal(store.bytes, 8);
  });

  test('a repeated filter sees every change made since its last walk', () => {
    const store = new RetainedStore();
    store.set(msg('r/1', 'one'));
    assert.deepEqual(topicsOf(store.match('r/#', 0)), ['r/1']);
    assert.deepEqual(topicsOf(store.match('r/#', 0)), ['r/1']);
    store.set(msg('r/2'));
    assert.deepEqual(topicsOf(store.match('r/#', 0)), ['r/1', 'r/2']);
    store.set(msg('r/1', 'new'));
    const found = store.match('r/#', 0);
    assert.equal(found.find((m) => m.topic === 'r/1')?.payload.toString(), 'new');
    store.set(msg('r/2', ''));
    assert.deepEqual(topicsOf(store.match('r/#', 0)), ['r/1']);
  });

  test('expired messages are left out and removed, also from a repeated filter', () => {
    const store = new RetainedStore();
    store.set(msg('e/soon', 'x', 1000));
    store.set(msg('e/later', 'x', 5000));
    store.set(msg('e/never'));
    assert.deepEqual(topicsOf(store.match('e/+', 500)), ['e/later', 'e/never', 'e/soon']);
    assert.deepEqual(topicsOf(store.match('e/+', 2000)), ['e/later', 'e/never']);
    assert.equal(store.count, 2);
    assert.deepEqual(topicsOf(store.match('e/+', 6000)), ['e/never']);
    assert.equal(store.count, 1);
    assert.equal(store.nodeCount(), 2);
  });

  test('endless filters that match nothing keep the cache in bounds', () => {
    const store = new RetainedStore();
    store.set(msg('kept/one'));
    for (let i = 0; i < 20_000; i++) {
      assert.equal(store.match(`none/${i}/+`, 0).length, 0);
      assert.ok(store.cachedWalks <= 4097, `after ${i + 1}: ${store.cachedWalks}`);
    }
    store.match(`long/${'x'.repeat(2000)}`, 0);
    store.match(`long/${'y'.repeat(2000)}`, 0);
    const before = store.cachedWalks;
    store.match(`long/${'z'.repeat(2000)}`, 0);
    assert.equal(store.cachedWalks, before, 'a long filter is not cached');
    assert.equal(store.match('kept/+', 0).length, 1);
  });

  test('many filters in turn still answer right once the cache starts again', () => {
    const store = new RetainedStore();
    for (let i = 0; i < 3000; i++) store.set(msg(`m/${i % 30}/${i}`));
    for (let round = 0; round < 3; round++) {
      for (let g = 0; g < 30; g++) {
        assert.equal(store.match(`m/${g}/+`, 0).length, 100);
        assert.equal(store.match('m/#', 0).length, 3000);
      }
    }
  });
});
