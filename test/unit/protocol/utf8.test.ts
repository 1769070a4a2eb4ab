/**
 * MQTT string validation. Beyond the spec's well-formed UTF-8 without
 * U+0000 [MQTT-1.5.4-1] [MQTT-1.5.4-2], midge refuses what Mosquitto
 * refuses: control characters and Unicode non-characters (Mosquitto
 * 2.0.11 drops a client whose topic has U+0001, U+0009, U+0085, U+FDD0 or
 * U+FFFE as sending a malformed packet; observed on loopback).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  isValidMqttString,
  isValidMqttUtf8,
  isValidUtf8Payload,
} from '../../../src/protocol/index.js';

const ok = (hex: string) => {
  const b = Buffer.from(hex, 'hex');
  return isValidMqttUtf8(b, 0, b.length);
};

test('accepts ASCII, 2-, 3- and 4-byte characters', () => {
  assert.equal(ok(''), true);
  assert.equal(ok('612f62'), true); // 'a/b'
  assert.equal(ok('c3a9'), true); // é U+00E9
  assert.equal(ok('c2a0'), true); // U+00A0, first after the C1 controls
  assert.equal(ok('e282ac'), true); // € U+20AC
  assert.equal(ok('efbbbf'), true); // U+FEFF is allowed [MQTT-1.5.4-3]
  assert.equal(ok('f09f9880'), true); // 😀 U+1F600
  assert.equal(ok('f48fbfbd'), true); // U+10FFFD, last character
});

test('[MQTT-1.5.4-1] refuses ill-formed UTF-8', () => {
  const bad = {
    'lone continuation byte': '80',
    'overlong 2-byte (0xC0)': 'c0af',
    'overlong 2-byte (0xC1)': 'c1bf',
    'overlong 3-byte': 'e080af',
    'overlong 4-byte': 'f08282ac',
    'truncated 2-byte': 'c3',
    'truncated 3-byte': 'e282',
    'truncated 4-byte': 'f09f98',
    'bad continuation': 'e228a1',
    'high surrogate U+D800': 'eda080',
    'low surrogate U+DFFF': 'edbfbf',
    'above U+10FFFF': 'f4908080',
    '0xF5 lead byte': 'f5808080',
    '0xFF byte': 'ff',
  };
  for (const [name, hex] of Object.entries(bad)) assert.equal(ok(hex), false, name);
});

test('[MQTT-1.5.4-2] refuses U+0000', () => {
  assert.equal(ok('6100'), false);
});

test('Mosquitto: refuses control characters and non-characters', () => {
  const bad = {
    'U+0001': '01',
    'U+0009 tab': '09',
    'U+000A newline': '0a',
    'U+001F': '1f',
    'U+007F delete': '7f',
    'U+0080': 'c280',
    'U+0085': 'c285',
    'U+009F': 'c29f',
    'U+FDD0': 'efb790',
    'U+FDEF': 'efb7af',
    'U+FFFE': 'efbfbe',
    'U+FFFF': 'efbfbf',
    'U+1FFFE': 'f09fbfbe',
    'U+10FFFF': 'f48fbfbf',
  };
  for (const [name, hex] of Object.entries(bad)) assert.equal(ok(hex), false, name);
});

test('isValidMqttString agrees with the byte check', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
      const b = Buffer.from(s, 'utf8');
      assert.equal(
        isValidMqttString(s),
        isValidMqttUtf8(b, 0, b.length),
        JSON.stringify(s),
      );
    }),
    { numRuns: 5000 },
  );
  assert.equal(isValidMqttString('a\uD800b'), false, 'lone surrogate');
  assert.equal(isValidMqttString('😀'), true);
});

test('isValidUtf8Payload: RFC 3629 only, control characters allowed', () => {
  assert.equal(isValidUtf8Payload(Buffer.from('{"a":1}\n\u0000')), true);
  assert.equal(isValidUtf8Payload(Buffer.from('c0af', 'hex')), false);
  assert.equal(isValidUtf8Payload(Buffer.from('eda080', 'hex')), false);
  assert.equal(isValidUtf8Payload(Buffer.alloc(0)), true);
});
