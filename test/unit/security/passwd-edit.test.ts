import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { editPasswordFile, PasswdEditError } from '../../../src/security/passwd-edit.js';

// A stand-in hash that shows which password it was made from.
const fake = (password: Buffer) => `H(${password.toString('hex')})`;
const hex = (s: string) => Buffer.from(s).toString('hex');

function edit(text: string | Buffer, e: Parameters<typeof editPasswordFile>[1]): string {
  return editPasswordFile(Buffer.from(text), e, fake).toString('latin1');
}

const set = (username: string, password: string) =>
  ({ op: 'set', username, password: Buffer.from(password) }) as const;

describe('password file edits', () => {
  test('edit - a new user is appended; a missing final newline is added first', () => {
    assert.equal(edit('a:x', set('b', 'p')), `a:x\nb:H(${hex('p')})\n`);
    assert.equal(edit('', set('b', 'p')), `b:H(${hex('p')})\n`);
  });

  test('edit - every entry of the user is replaced in place', () => {
    const text = 'u:old1\nother:x\n  u  :old2\n';
    assert.equal(
      edit(text, set('u', 'n')),
      `u:H(${hex('n')})\nother:x\nu:H(${hex('n')})\n`,
    );
  });

  test('edit - comments, blank lines and CRLF of other lines are kept', () => {
    const text = '# users\r\n\r\na:x\r\n\n   \nb:y\r\n';
    assert.equal(
      edit(text, { op: 'delete', username: 'b' }),
      '# users\r\n\r\na:x\r\n\n   \n',
    );
  });

  test('edit - bytes that are not UTF-8 survive an edit elsewhere', () => {
    const text = Buffer.concat([
      Buffer.from('caf'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from(':x\n'),
    ]);
    const out = editPasswordFile(text, set('b', 'p'), fake);
    assert.deepEqual(out.subarray(0, text.length), text);
  });

  test('edit - a UTF-8 username matches its entry', () => {
    assert.equal(edit('jöhn:x\n', { op: 'delete', username: 'jöhn' }), '');
  });

  test('edit - deleting an unknown user fails and changes nothing', () => {
    assert.throws(
      () => edit('a:x\n', { op: 'delete', username: 'zed' }),
      (e: unknown) =>
        e instanceof PasswdEditError &&
        e.kind === 'not-found' &&
        e.message === 'User zed not found in password file.',
    );
  });

  for (const [name, text, line] of [
    ['a line without a colon', 'a:x\njunk\n', 2],
    ['an empty hash', 'a:x\nb:\n', 2],
    ['an empty username', ':x\n', 1],
    ['only blanks around the colon', '  :  \n', 1],
  ] as const) {
    test(`edit - ${name} is a corrupt file`, () => {
      assert.throws(
        () => edit(text, set('c', 'p')),
        (e: unknown) =>
          e instanceof PasswdEditError &&
          e.kind === 'corrupt' &&
          e.message === `Corrupt password file at line ${line}.`,
      );
    });
  }

  test('edit - upgrading hashes plain passwords and leaves hashes alone', () => {
    const text =
      'a:pa\r\n  b  :  pb  \nc:$7$101$s$h\nd:$6$s$h\ne:$argon2id$v=19$x\nf:pf:extra\n';
    assert.equal(
      edit(text, { op: 'upgrade' }),
      [
        `a:H(${hex('pa')})`,
        `b:H(${hex('pb')})`,
        'c:$7$101$s$h',
        'd:$6$s$h',
        'e:$argon2id$v=19$x',
        `f:H(${hex('pf')})`,
        '',
      ].join('\n'),
    );
  });
});
