/**
 * Mosquitto 2.1's Argon2id password hashes: read from a password file and
 * verified, right and wrong, with the parameters Mosquitto 2.1 writes
 * (m=47104, t=1, p=1, a 64-byte salt).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { argon2id } from 'hash-wasm';
import {
  formatPasswordHash,
  parsePasswordHash,
  verifyPasswordHashAsync,
} from '../../../src/security/index.js';
import { PasswordFile } from '../../../src/security/password-file.js';

async function mosquitto21Hash(password: string): Promise<string> {
  return argon2id({
    password,
    salt: randomBytes(64),
    parallelism: 1,
    iterations: 1,
    memorySize: 47104,
    hashLength: 64,
    outputType: 'encoded',
  });
}

test('argon2id hashes verify the right password and refuse a wrong one', async () => {
  const encoded = await mosquitto21Hash('s3cret');
  assert.match(encoded, /^\$argon2id\$v=19\$m=47104,t=1,p=1\$/);
  const hash = parsePasswordHash(encoded);
  assert.equal(formatPasswordHash(hash), encoded);
  assert.equal(await verifyPasswordHashAsync(hash, 's3cret'), true);
  assert.equal(await verifyPasswordHashAsync(hash, 's3cret!'), false);
  assert.equal(await verifyPasswordHashAsync(hash, Buffer.from('s3cret')), true);
});

test('a password file mixing argon2id and PBKDF2 entries serves both', async () => {
  const { passwords: file, warnings } = PasswordFile.parse(
    [
      `alice:${await mosquitto21Hash('alice-pw')}`,
      'bob:$7$101$Lp1KIZ6Tqtv4MMXm$x1RFvCwHWSLNHL6pN/0jeAFIzf0CNWmOdbyYwQ/VsHXVyk0iwpDnZP3eGYx9m+Eaf2ydgxQa7W53mEAalZrKjA==',
      '',
    ].join('\n'),
    'passwords',
  );
  assert.equal(await file.verifyAsync('alice', 'alice-pw'), true);
  assert.equal(await file.verifyAsync('alice', 'wrong'), false);
  assert.equal(file.has('bob'), true);
  assert.deepEqual(warnings, []);
});

test('a malformed argon2id entry is refused, not half-read', () => {
  assert.throws(
    () => parsePasswordHash('$argon2id$v=19$m=47104$abc$def'),
    /invalid argon2id/,
  );
  assert.throws(
    () => parsePasswordHash('$argon2id$v=19$m=1,t=1,p=1$sa lt$hash'),
    /invalid/,
  );
});
