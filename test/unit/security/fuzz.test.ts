/**
 * Whatever bytes a security file holds, reading it ends in a result or a
 * ConfigError naming a line, never in another exception; and a loaded ACL
 * answers every question with a boolean.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConfigError } from '../../../src/config/errors.js';
import { AclFile } from '../../../src/security/acl-file.js';
import { PasswordFile } from '../../../src/security/password-file.js';
import { PskFile } from '../../../src/security/psk-file.js';

// Bytes biased towards what these files are made of.
const piece = fc.constantFrom(
  'topic ',
  'pattern ',
  'user ',
  'read ',
  'write ',
  'deny ',
  'readwrite ',
  '#',
  '+',
  '/',
  '%c',
  '%u',
  '%',
  ':',
  '$',
  '$7$',
  '$6$',
  '\n',
  '\r\n',
  ' ',
  '\t',
  'a',
  'é',
  '\0',
  'AAAAAAAAAAAAAAAA',
  '101',
);
const fileBytes = fc.oneof(
  fc.array(piece, { maxLength: 40 }).map((parts) => Buffer.from(parts.join(''))),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

function onlyConfigErrors(read: () => unknown): void {
  try {
    read();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `threw ${error}`);
    assert.ok(error.line >= 1);
  }
}

test('fuzz - ACL files load or fail with a ConfigError; checks give booleans', () => {
  const names = fc.string({ maxLength: 6 });
  fc.assert(
    fc.property(fileBytes, names, names, names, (bytes, id, username, topic) => {
      onlyConfigErrors(() => {
        const { acl } = AclFile.parse(bytes, 'acl');
        for (const access of ['read', 'write', 'subscribe', 'unsubscribe'] as const) {
          const allowed = acl.check({ id, username }, topic, access);
          assert.equal(typeof allowed, 'boolean');
        }
      });
    }),
    { numRuns: 2000 },
  );
});

test('fuzz - password files always load, bad lines becoming warnings', () => {
  fc.assert(
    fc.property(fileBytes, (bytes) => {
      const { passwords, warnings } = PasswordFile.parse(bytes, 'pw');
      assert.ok(warnings.every((w) => w instanceof ConfigError && w.line >= 1));
      for (const name of passwords.usernames()) passwords.verify(name, 'x');
    }),
    { numRuns: 1000 },
  );
});

test('fuzz - PSK files load or fail with a ConfigError', () => {
  fc.assert(
    fc.property(fileBytes, (bytes) =>
      onlyConfigErrors(() => PskFile.parse(bytes, 'psk')),
    ),
    { numRuns: 2000 },
  );
});
