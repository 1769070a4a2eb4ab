import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../src/config/errors.js';
import { PskFile, pskBytes } from '../../../src/security/psk-file.js';

describe('psk file', () => {
  // Observed with Debian's mosquitto 2.0.11 and mosquitto_pub --psk: each
  // left-hand key let the right-hand client key connect, and no other.
  const bytes: [string, string][] = [
    ['00ff10', '00ff10'],
    ['0ff', 'ff'],
    ['000001', '000001'],
    ['abc', '0abc'],
    ['0abc', '0abc'],
    ['AbCd', 'abcd'],
  ];
  for (const [hex, expected] of bytes) {
    test(`psk - key "${hex}" is the bytes ${expected}`, () => {
      assert.equal(pskBytes(hex).toString('hex'), expected);
    });
  }

  test('psk - first entry counts; comments and lines without ":" skipped', () => {
    const text = '# c:ab\nnocolon\nid1:00ff10\r\n  id2 :  1234  \nid1:1111\n::e:ab\n';
    const psk = PskFile.parse(text, 'psk');
    assert.equal(psk.size, 3);
    assert.equal(psk.key('id1')?.toString('hex'), '00ff10');
    assert.equal(psk.key('id2')?.toString('hex'), '1234');
    assert.equal(psk.key('e')?.toString('hex'), 'ab');
    assert.equal(psk.key('nobody'), undefined);
  });

  const bad: [string, string | Buffer, number, RegExp][] = [
    ['non-hex key', 'a:12\nc:#x\n', 2, /non-hexadecimal characters for identity "c"/],
    ['empty key', 'a:12\nf:\n', 2, /empty key for identity "f"/],
    ['zero-length key', 'z:0\n', 1, /zero bytes/],
    ['invalid UTF-8', Buffer.from([0x61, 0xfe, 0x3a, 0x31, 0x0a]), 1, /invalid UTF-8/],
  ];
  for (const [name, text, line, reason] of bad) {
    test(`psk - ${name} stops the load at its line`, () => {
      assert.throws(
        () => PskFile.parse(text, 'psk'),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.line === line &&
          reason.test(error.reason),
      );
    });
  }
});
