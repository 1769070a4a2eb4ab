import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TopicMap } from '../../../src/bridge/topic-map.js';
import { parseConfig } from '../../../src/config/index.js';

function map(...lines: string[]): TopicMap {
  const text = `listener 1883\nconnection b\naddress 127.0.0.1\n${lines.join('\n')}\n`;
  return new TopicMap(parseConfig(text, 'map.conf').bridges[0]!.topics);
}

describe('bridge topic map', () => {
  test('both prefixes: the local prefix becomes the remote one and back', () => {
    const m = map('topic s/# both 1 loc/ rem/');
    assert.equal(m.toRemote('loc/s/1'), 'rem/s/1');
    assert.equal(m.toLocal('rem/s/2'), 'loc/s/2');
    assert.deepEqual(
      m.routes.map((r) => [r.localFilter, r.remoteFilter]),
      [['loc/s/#', 'rem/s/#']],
    );
  });

  test('one prefix empty: only the other side changes', () => {
    const m = map('topic a/# out 0 l/ ""', 'topic b/# in 0 "" r/');
    assert.equal(m.toRemote('l/a/x'), 'a/x');
    assert.equal(m.toLocal('r/b/x'), 'b/x');
  });

  test('an empty pattern maps one topic onto another', () => {
    const m = map('topic "" both 0 here/one there/two');
    assert.equal(m.toRemote('here/one'), 'there/two');
    assert.equal(m.toLocal('there/two'), 'here/one');
    assert.equal(m.routes[0]!.localFilter, 'here/one');
  });

  test('direction decides which way a line maps', () => {
    const m = map('topic a/# in 0 l/ r/', 'topic b/# out 0 l/ r/');
    assert.equal(m.toRemote('l/a/1'), 'l/a/1', 'an in line does not map outgoing');
    assert.equal(m.toLocal('r/b/1'), 'r/b/1', 'an out line does not map incoming');
    assert.deepEqual(
      m.outgoing.map((r) => r.localFilter),
      ['l/b/#'],
    );
    assert.deepEqual(
      m.incoming.map((r) => r.remoteFilter),
      ['r/a/#'],
    );
  });

  test('the first matching line wins', () => {
    const m = map('topic a/# out 0 one/ x/', 'topic a/b out 0 one/ y/');
    assert.equal(m.toRemote('one/a/b'), 'x/a/b');
  });

  test('wildcards at the start do not match $ topics [MQTT-4.7.2-1]', () => {
    const m = map('topic # both 0 "" r/', 'topic $SYS/# out 0 "" s/');
    assert.equal(m.toRemote('$SYS/broker/uptime'), 's/$SYS/broker/uptime');
    assert.equal(m.toRemote('plain'), 'r/plain');
  });

  test('a topic no line matches passes unchanged', () => {
    const m = map('topic a/# both 0 l/ r/');
    assert.equal(m.toRemote('z/1'), 'z/1');
    assert.equal(m.toLocal('z/1'), 'z/1');
  });
});
