import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../src/config/errors.js';
import { PasswordFile } from '../../../src/security/password-file.js';
import {
  createPasswordHash,
  formatPasswordHash,
} from '../../../src/security/password-hash.js';

const hash = (password: string) => formatPasswordHash(createPasswordHash(password));

describe('password file - reading as Mosquitto reads', () => {
  test('passwd - comments, blank lines, CRLF, blanks and extra fields', () => {
    const text = [
      '# a comment:with a colon',
      '',
      'no colon here',
      `alice:${hash('a')}\r`,
      `  spaced  :  ${hash('s')}  `,
      `::lead:${hash('l')}`,
      `extra:${hash('e')}:ignored`,
    ].join('\n');
    const { passwords, warnings } = PasswordFile.parse(text, 'pw');
    assert.deepEqual(warnings, []);
    assert.deepEqual(passwords.usernames(), ['alice', 'spaced', 'lead', 'extra']);
    assert.equal(passwords.verify('alice', 'a'), true);
    assert.equal(passwords.verify('spaced', 's'), true);
    assert.equal(passwords.verify('lead', 'l'), true);
    assert.equal(passwords.verify('extra', 'e'), true);
  });

  test('passwd - a repeated user: the last entry counts, with a warning', () => {
    const text = `dup:${hash('one')}\ndup:${hash('two')}\n`;
    const { passwords, warnings } = PasswordFile.parse(text, 'pw');
    assert.equal(passwords.verify('dup', 'two'), true);
    assert.equal(passwords.verify('dup', 'one'), false);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.line, 2);
  });

  test('passwd - bad entries are dropped with file:line, the rest loads', () => {
    const text = [
      `ok:${hash('ok')}`,
      'plain:plaintext-password',
      'nohash:',
      'short:$7$101$AAAA$BBBB',
      'zero:$7$0$AAAAAAAAAAAAAAAA$x',
      `long${'x'.repeat(65536)}:${hash('x')}`,
    ].join('\n');
    const { passwords, warnings } = PasswordFile.parse(text, 'pw');
    assert.deepEqual(passwords.usernames(), ['ok']);
    assert.deepEqual(
      warnings.map((w) => [w.line, w.message.slice(0, 40)]),
      [
        [2, 'pw:2: invalid password hash type for use'],
        [3, 'pw:3: invalid password hash for user "no'],
        [4, 'pw:4: unable to decode password salt for'],
        [5, 'pw:5: invalid hash iterations for user "'],
        [6, 'pw:6: username too long, line skipped'],
      ],
    );
  });

  test('passwd - a plain-text password never reaches a warning', () => {
    const { warnings } = PasswordFile.parse('bob:hunter2-plain\n', 'pw');
    assert.equal(warnings.length, 1);
    assert.doesNotMatch(warnings[0]!.message, /hunter2/);
  });

  test('passwd - invalid UTF-8 and NUL lines are skipped with a warning', () => {
    const data = Buffer.concat([
      Buffer.from([0x62, 0xff, 0x62]),
      Buffer.from(`:${hash('x')}\nn\0ul:${hash('y')}\nfine:${hash('z')}\n`),
    ]);
    const { passwords, warnings } = PasswordFile.parse(data, 'pw');
    assert.deepEqual(passwords.usernames(), ['fine']);
    assert.deepEqual(
      warnings.map((w) => w.message),
      ['pw:1: invalid UTF-8, line skipped', 'pw:2: NUL character, line skipped'],
    );
  });

  test('passwd - a line of 200 000 characters is one line', () => {
    const name = 'u'.repeat(60_000);
    const text = `${name}:${hash('pw')}${' '.repeat(140_000)}\nnext:${hash('n')}\n`;
    const { passwords, warnings } = PasswordFile.parse(text, 'pw');
    assert.deepEqual(warnings, []);
    assert.equal(passwords.verify(name, 'pw'), true);
    assert.equal(passwords.verify('next', 'n'), true);
  });
});

describe('password file - verifying', () => {
  const { passwords } = PasswordFile.parse(`alice:${hash('secret')}\n`, 'pw');

  test('passwd - unknown users and missing passwords are refused', async () => {
    assert.equal(passwords.verify('mallory', 'secret'), false);
    assert.equal(passwords.verify('alice', undefined), false);
    assert.equal(await passwords.verifyAsync('mallory', 'secret'), false);
    assert.equal(await passwords.verifyAsync('alice', undefined), false);
  });

  test('passwd - the password is bytes: a NUL does not end it', async () => {
    assert.equal(passwords.verify('alice', Buffer.from('secret')), true);
    assert.equal(passwords.verify('alice', Buffer.from('secret\0more')), false);
    assert.equal(await passwords.verifyAsync('alice', Buffer.from('secret')), true);
  });

  test('passwd - a file that cannot be read is an error naming it', async () => {
    await assert.rejects(PasswordFile.load('/nonexistent/midge/pw'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.line, 0);
      assert.match(
        error.message,
        /^\/nonexistent\/midge\/pw: cannot open password file: ENOENT/,
      );
      return true;
    });
  });
});
