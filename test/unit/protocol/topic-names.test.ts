/**
 * protocol - topic names read again: the decoder keeps the last short
 * topic name it read, so a name sent again is neither checked nor decoded
 * twice. Every answer must still be the one the bytes alone give: a name
 * of the same length that differs, holds a wildcard or is not UTF-8 is
 * read or refused on its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PublishPacket } from '../../../src/protocol/index.js';
import { decodeOne, protocolErrorOf } from './helpers.js';

/** A 3.1.1 QoS 0 PUBLISH of `topic` (raw bytes) with payload "hi". */
function publish(topic: Buffer): Buffer {
  const body = Buffer.concat([
    Buffer.from([topic.length >> 8, topic.length & 0xff]),
    topic,
  ]);
  const rest = Buffer.concat([body, Buffer.from('hi')]);
  return Buffer.concat([Buffer.from([0x30, rest.length]), rest]);
}

const topicOf = (bytes: Buffer) =>
  (decodeOne(publish(bytes), 'server', 4) as PublishPacket).topic;

test('protocol - a topic read again, then others of the same length, each as sent', () => {
  const names = ['s/a1', 's/a1', 's/b1', 's/a1', 'x/a1', 'x/a1'];
  assert.deepEqual(
    names.map((n) => topicOf(Buffer.from(n))),
    names,
  );
});

test('protocol - a wildcard or bad UTF-8 of the same length as a name just read is refused', () => {
  assert.equal(topicOf(Buffer.from('a/bb')), 'a/bb');
  const wildcard = protocolErrorOf(() => topicOf(Buffer.from('a/+b')));
  assert.equal(wildcard.code, 'INVALID_TOPIC_NAME');
  assert.equal(topicOf(Buffer.from('a/bb')), 'a/bb');
  const utf8 = protocolErrorOf(() => topicOf(Buffer.from([0x61, 0x2f, 0x62, 0xff])));
  assert.equal(utf8.code, 'INVALID_UTF8');
  assert.equal(topicOf(Buffer.from('a/bb')), 'a/bb');
});

test('protocol - long topic names and multi-byte ones are read right every time', () => {
  const long = `${'level/'.repeat(20)}end`;
  const accented = 'capteur/température/é';
  for (let i = 0; i < 3; i++) {
    assert.equal(topicOf(Buffer.from(long)), long);
    assert.equal(topicOf(Buffer.from(accented)), accented);
  }
});
