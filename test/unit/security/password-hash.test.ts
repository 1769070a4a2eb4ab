import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createPasswordHash,
  DEFAULT_ITERATIONS,
  formatPasswordHash,
  HashFormatError,
  parsePasswordHash,
  verifyPasswordHash,
  verifyPasswordHashAsync,
} from '../../../src/security/password-hash.js';

// Written by Debian's mosquitto_passwd 2.0.11:
//   mosquitto_passwd -c -b f alice secret
//   mosquitto_passwd -H sha512 -b f bob hunter2
//   mosquitto_passwd -I 5 -b f carol x
const alice =
  '$7$101$sEMgIzgAmP1jneA+$Yvye49DlWYowB/3NsHk1+8YRD+j1QDmZgK9fv5rndkPqMNTTCnVPO/GcAGESwYvS6zNJA6J58MdmT4aD7Uz0yw==';
const bob =
  '$6$4M6QsIHVeDBJ8H7f$wKzQpX4zXKMzXtTSDLpaVg4n71C60rp/FBZSoOoY+BjfNbL57U/aaZflfhTMUTuCJQPW+9qJ6zCOjtu29sf8yA==';
const carol =
  '$7$5$yRqhbAUA7H6YzY9q$5JNi1SR+0DSGIg4ZOr7zqdm/Q5lyp5CmwGWeNaQ+8GStw6vqui1cAaYpUGR7Cij4Umri5N3nfS6/TrfOiPgULg==';

describe('password hash - mosquitto_passwd output', () => {
  const vectors: [string, string, string][] = [
    ['PBKDF2, 101 rounds', alice, 'secret'],
    ['SHA-512', bob, 'hunter2'],
    ['PBKDF2, 5 rounds', carol, 'x'],
  ];
  for (const [name, text, password] of vectors) {
    test(`hash - ${name} verifies the right password only`, async () => {
      const h = parsePasswordHash(text);
      assert.equal(verifyPasswordHash(h, password), true);
      assert.equal(verifyPasswordHash(h, Buffer.from(password)), true);
      assert.equal(verifyPasswordHash(h, `${password} `), false);
      assert.equal(verifyPasswordHash(h, ''), false);
      assert.equal(await verifyPasswordHashAsync(h, password), true);
      assert.equal(await verifyPasswordHashAsync(h, 'nope'), false);
      assert.equal(formatPasswordHash(h), text);
    });
  }

  test('hash - fields are read as Mosquitto splits them', () => {
    assert.equal(parsePasswordHash(alice).kind, 'sha512-pbkdf2');
    const h = parsePasswordHash(alice);
    assert.equal(h.kind === 'sha512-pbkdf2' && h.iterations, 101);
    // strtok skips empty pieces: no leading '$', doubled '$', junk after.
    assert.equal(verifyPasswordHash(parsePasswordHash(alice.slice(1)), 'secret'), true);
    const doubled = alice.replaceAll('$', '$$');
    assert.equal(verifyPasswordHash(parsePasswordHash(doubled), 'secret'), true);
    assert.equal(verifyPasswordHash(parsePasswordHash(`${alice}$junk`), 'secret'), true);
  });
});

describe('password hash - refused forms', () => {
  const salt12 = Buffer.alloc(12, 1).toString('base64');
  const hash64 = Buffer.alloc(64, 2).toString('base64');
  const bad: [string, string, RegExp][] = [
    ['plain text', 'secret', /hash type/],
    ['empty', '', /invalid password hash/],
    ['unknown type', `$5$${salt12}$${hash64}`, /hash type/],
    ['zero iterations', `$7$0$${salt12}$${hash64}`, /iterations/],
    ['iterations past INT_MAX', `$7$2147483648$${salt12}$${hash64}`, /iterations/],
    ['no hash', `$6$${salt12}`, /invalid password hash/],
    ['short salt', `$6$AAAA$${hash64}`, /salt/],
    ['short hash', `$6$${salt12}$AAAA`, /decode password hash/],
    ['stray character', `$6$${salt12.slice(0, -1)}!$${hash64}`, /salt/],
    ['argon2id without parameters', '$argon2id$v=19$c2FsdA$aGFzaA', /argon2id/],
  ];
  for (const [name, text, reason] of bad) {
    test(`hash - ${name}`, () => {
      assert.throws(
        () => parsePasswordHash(text),
        (error: unknown) =>
          error instanceof HashFormatError && reason.test(error.message),
      );
    });
  }

  test('hash - a 64-byte salt, as Mosquitto 2.1 writes, is read', () => {
    const text = `$6$${Buffer.alloc(64, 3).toString('base64')}$${hash64}`;
    const h = parsePasswordHash(text);
    assert.equal(h.kind === 'sha512' && h.salt.length, 64);
  });

  test('hash - iterations are read as C atoi reads them', () => {
    const h = parsePasswordHash(`$7$12abc$${salt12}$${hash64}`);
    assert.equal(h.kind === 'sha512-pbkdf2' && h.iterations, 12);
  });
});

describe('password hash - creating', () => {
  test('hash - PBKDF2 by default, 101 rounds, 12-byte salt, fresh each time', () => {
    const a = createPasswordHash('pw');
    const b = createPasswordHash('pw');
    assert.equal(a.kind, 'sha512-pbkdf2');
    assert.equal(a.kind === 'sha512-pbkdf2' && a.iterations, DEFAULT_ITERATIONS);
    assert.equal(a.salt.length, 12);
    assert.notDeepEqual(a.salt, b.salt);
    assert.match(
      formatPasswordHash(a),
      /^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/,
    );
  });

  test('hash - SHA-512 and chosen rounds round-trip through the text form', () => {
    for (const h of [
      createPasswordHash('é', 'sha512'),
      createPasswordHash('é', 'sha512-pbkdf2', 7),
    ]) {
      const again = parsePasswordHash(formatPasswordHash(h));
      assert.deepEqual(again, h);
      assert.equal(verifyPasswordHash(again, 'é'), true);
    }
  });
});
