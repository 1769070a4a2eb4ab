import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  aclMatchesSubscription,
  aclMatchesTopic,
} from '../../../src/dynsec/topic-match.js';

describe('dynsec topics - publish ACLs match topics as subscriptions do', () => {
  const cases: [string, string, boolean][] = [
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['+/+', 'a/', true],
    ['+', '', false],
    ['#', 'a', true],
    // A leading wildcard does not reach '$' topics [MQTT-4.7.2-1].
    ['#', '$SYS/broker', false],
    ['+/broker', '$SYS/broker', false],
    ['$SYS/#', '$SYS/broker', true],
    ['$CONTROL/dynamic-security/#', '$CONTROL/dynamic-security/v1', true],
    // Filters that are not valid match nothing.
    ['a/#/b', 'a/x/b', false],
    ['a+', 'a+', false],
    ['a/b#', 'a/b', false],
    ['', 'a', false],
  ];
  for (const [acl, topic, expected] of cases) {
    test(`publish acl '${acl}' vs topic '${topic}' -> ${expected}`, () => {
      assert.equal(aclMatchesTopic(acl, topic), expected);
    });
  }
});

describe('dynsec topics - subscribe patterns cover filters', () => {
  const cases: [string, string, boolean][] = [
    ['foo/+/bar', 'foo/#', false],
    ['foo/+/ba℞/#', 'foo/baz/ba℞', true],
    ['foo/+/ba℞/#', 'foo/baz/ba℞/+', true],
    ['foo/+/ba℞/#', 'foo/baz/ba℞/#', true],
    ['foo/+/ba℞/#', 'foo/baz/+/#', false],
    ['/+//#', '/foo///#', true],
    ['#', '#', true],
    ['#', '+', true],
    ['#', '$SYS/#', true],
    ['/#', '+', false],
    ['/#', '/+', true],
    ['/+', '#', false],
    ['/+', '+', false],
    ['+/+', 'topic/topic', true],
    ['+/+', 'topic/topic/', false],
    ['+', '#', false],
    ['+', '+', true],
    ['a/b/c/d/e', 'a/b/c/d/e', true],
    ['a/b/ /d/e', 'a/b/c/d/e', false],
    ['$SYS/#', '$SYS/broker/#', true],
    ['a/#', 'a', true],
  ];
  for (const [acl, filter, expected] of cases) {
    test(`pattern '${acl}' vs filter '${filter}' -> ${expected}`, () => {
      assert.equal(aclMatchesSubscription(acl, filter), expected);
    });
  }
});
