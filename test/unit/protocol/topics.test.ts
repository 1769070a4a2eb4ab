/**
 * Topic names, filters, shared subscriptions and matching (MQTT 4.7, 4.8),
 * with a split-based reference matcher as the oracle for random cases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  isSharedSubscription,
  isValidTopicFilter,
  isValidTopicName,
  parseSharedSubscription,
  topicMatches,
} from '../../../src/protocol/index.js';

test('[MQTT-3.3.2-2] [MQTT-4.7.3-1] isValidTopicName', () => {
  for (const good of ['a', '/', 'a/b', '/a/', '$SYS/x', 'a b', 'é/€', ' ']) {
    assert.equal(isValidTopicName(good), true, good);
  }
  for (const bad of ['', 'a/+', '#', 'a/#', '+', 'a+b', 'a\u0000b']) {
    assert.equal(isValidTopicName(bad), false, JSON.stringify(bad));
  }
  assert.equal(isValidTopicName('', true), true, 'empty allowed with a topic alias');
});

test('[MQTT-4.7.1-1] [MQTT-4.7.1-2] isValidTopicFilter', () => {
  const good = [
    '#',
    '+',
    'a/#',
    'a/+/b',
    '+/+',
    '/+',
    '+/',
    'a//b',
    '/',
    'sport/+/player1',
  ];
  for (const f of good) assert.equal(isValidTopicFilter(f), true, f);
  const bad = ['', 'a#', 'a/#/b', '#/a', 'a+', '+a', 'a/b+', '##', '++', 'a/\u0000'];
  for (const f of bad) assert.equal(isValidTopicFilter(f), false, JSON.stringify(f));
});

test('[MQTT-4.8.2-1] [MQTT-4.8.2-2] parseSharedSubscription', () => {
  assert.deepEqual(parseSharedSubscription('$share/g/a/#'), {
    group: 'g',
    filter: 'a/#',
  });
  assert.deepEqual(parseSharedSubscription('$share/grp/+'), {
    group: 'grp',
    filter: '+',
  });
  assert.deepEqual(parseSharedSubscription('$share/g//'), { group: 'g', filter: '/' });
  assert.equal(parseSharedSubscription('a/b'), null, 'not shared');
  assert.equal(parseSharedSubscription('$sharex/g/a'), null, 'not shared');
  for (const bad of ['$share/g', '$share/g/', '$share//a', '$share/g+/a', '$share/#/a']) {
    assert.equal(parseSharedSubscription(bad), null, bad);
    assert.equal(isSharedSubscription(bad), true, bad);
  }
  assert.equal(parseSharedSubscription('$share/g/a/#/b'), null, 'invalid filter part');
});

test('topicMatches: the examples of section 4.7', () => {
  const cases: Array<[string, string, boolean]> = [
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/#', 'sport', true],
    ['#', 'a/b/c', true],
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['a/b', 'a/b', true],
    ['a/b', 'a/bc', false],
    ['a/bc', 'a/b', false],
    ['a/', 'a', false],
    ['a/', 'a/', true],
    ['a/#', 'ab', false],
    ['+/b', 'a/b/c', false],
  ];
  for (const [filter, topic, expected] of cases) {
    assert.equal(topicMatches(filter, topic), expected, `${filter} vs ${topic}`);
  }
});

test('[MQTT-4.7.2-1] $ topics are not matched by a leading wildcard', () => {
  assert.equal(topicMatches('#', '$SYS/broker/uptime'), false);
  assert.equal(topicMatches('+/monitor/Clients', '$SYS/monitor/Clients'), false);
  assert.equal(topicMatches('$SYS/#', '$SYS/monitor/Clients'), true);
  assert.equal(topicMatches('$SYS/monitor/+', '$SYS/monitor/Clients'), true);
});

/** The obvious, slow matcher: split into levels and compare. */
function referenceMatch(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#')))
    return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

test('topicMatches agrees with a split-based matcher', () => {
  const level = fc.constantFrom('', 'a', 'b', 'ab', '$', '$a');
  const topic = fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/'));
  const filter = fc
    .tuple(
      fc.array(fc.oneof(level, fc.constant('+')), { minLength: 1, maxLength: 5 }),
      fc.boolean(),
    )
    .map(([l, hash]) => (hash ? [...l, '#'] : l).join('/'));
  fc.assert(
    fc.property(filter, topic, (f, t) => {
      fc.pre(isValidTopicFilter(f) && isValidTopicName(t));
      assert.equal(topicMatches(f, t), referenceMatch(f, t), `${f} vs ${t}`);
    }),
    { numRuns: 20000 },
  );
});

test('topics and filters deeper than 201 levels are refused, as Mosquitto does', () => {
  const deep = (levels: number) => Array.from({ length: levels }, () => 'a').join('/');
  assert.equal(isValidTopicName(deep(201)), true);
  assert.equal(isValidTopicName(deep(202)), false);
  assert.equal(isValidTopicName('/'.repeat(65535)), false);
  assert.equal(isValidTopicFilter(`${deep(200)}/#`), true);
  assert.equal(isValidTopicFilter(`${deep(201)}/#`), false);
});
