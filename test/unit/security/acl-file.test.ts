import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../src/config/errors.js';
import { AclFile } from '../../../src/security/acl-file.js';

function parseError(text: string | Uint8Array): ConfigError {
  try {
    AclFile.parse(text, 'acl.conf');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
    return error;
  }
  assert.fail('the file was accepted');
}

describe('acl file - errors name file and line', () => {
  const bad: [string, string, number, RegExp][] = [
    ['unknown keyword', 'topic a\nfoo bar\n', 2, /invalid line "foo"/],
    ['keyword case', 'Topic read a\n', 1, /invalid line "Topic"/],
    ['indented comment', 'topic a\n  # note\n', 2, /invalid line "#"/],
    ['tab between words', 'topic\tread\ta\n', 1, /invalid line "topic\tread\ta"/],
    ['user without name', 'user   \n', 1, /missing username/],
    ['topic without filter', 'topic\n', 1, /empty topic/],
    ['unknown access', 'topic blah a\n', 1, /invalid topic access type "blah"/],
    ['# inside a level', 'topic read a/#/b\n', 1, /invalid ACL topic "a\/#\/b"/],
    ['+ glued to text', 'pattern read a+/%u\n', 1, /invalid ACL topic/],
    ['201 levels', `topic read ${'a/'.repeat(201)}a\n`, 1, /200 levels/],
    ['65536 bytes', `topic read ${'é'.repeat(32768)}\n`, 1, /65535 bytes/],
    ['byte-order mark', '\uFEFFtopic read a\n', 1, /byte-order mark/],
    ['NUL', 'topic read a\nuser bo\0b\n', 2, /NUL/],
  ];
  for (const [name, text, line, reason] of bad) {
    test(`acl - ${name}`, () => {
      const error = parseError(text);
      assert.equal(error.file, 'acl.conf');
      assert.equal(error.line, line);
      assert.match(error.reason, reason);
      assert.ok(error.message.startsWith(`acl.conf:${line}: `));
    });
  }

  test('acl - invalid UTF-8 stops the load rather than matching a mangled name', () => {
    const bytes = Buffer.concat([
      Buffer.from('topic read a\nuser al'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('ice\ntopic read secret/#\n'),
    ]);
    const error = parseError(bytes);
    assert.equal(error.line, 2);
    assert.match(error.reason, /invalid UTF-8/);
  });

  test('acl - the limits are inclusive: 200 slashes and 65535 bytes load', () => {
    const deep = `${'a/'.repeat(200)}a`;
    const wide = `${'é'.repeat(32767)}x`;
    const { acl } = AclFile.parse(`topic read ${deep}\ntopic read ${wide}\n`, 'acl');
    assert.equal(acl.check({ id: 'c' }, deep, 'read'), true);
    assert.equal(acl.check({ id: 'c' }, wide, 'read'), true);
  });
});

describe('acl file - reading', () => {
  test('acl - a pattern without %c or %u is kept, with a warning at its line', () => {
    const { acl, warnings } = AclFile.parse('topic a\n\npattern read fixed/#\n', 'acl');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.line, 3);
    assert.match(warnings[0]!.reason, /neither %c nor %u/);
    assert.equal(acl.check({ id: 'c', username: 'u' }, 'fixed/x', 'read'), true);
  });

  test('acl - CRLF bytes read as LF, trailing blanks ignored', () => {
    const text = 'user bob\r\ntopic readwrite bob/#  \t\r\n';
    const { acl } = AclFile.parse(Buffer.from(text), 'acl');
    assert.equal(acl.check({ id: 'c', username: 'bob' }, 'bob/x', 'write'), true);
  });

  test('acl - a 100 000 character username and topic line load', () => {
    const name = 'n'.repeat(100_000);
    const topic = `t/${'x'.repeat(60_000)}`;
    const { acl } = AclFile.parse(`user ${name}\ntopic read ${topic}\n`, 'acl');
    assert.equal(acl.check({ id: 'c', username: name }, topic, 'read'), true);
    assert.equal(acl.check({ id: 'c', username: `${name}x` }, topic, 'read'), false);
  });

  test('acl - an empty file refuses everything but subscribing', () => {
    const { acl } = AclFile.parse('', 'acl');
    assert.equal(acl.check({ id: 'c' }, 'a', 'read'), false);
    assert.equal(acl.check({ id: 'c' }, 'a', 'write'), false);
    assert.equal(acl.check({ id: 'c' }, 'a', 'subscribe'), true);
  });

  test('acl - an empty topic is refused even under #', () => {
    const { acl } = AclFile.parse('topic #\n', 'acl');
    assert.equal(acl.check({ id: 'c' }, '', 'write'), false);
    assert.equal(acl.check({ id: 'c' }, 'x', 'write'), true);
  });

  test('acl - username null is anonymous', () => {
    const { acl } = AclFile.parse('topic read a\n', 'acl');
    assert.equal(acl.check({ id: 'c', username: null }, 'a', 'read'), true);
  });
});

describe('acl file - names that would widen a pattern', () => {
  const file = 'pattern readwrite users/%u/#\npattern readwrite clients/%c/#\n';

  test('acl - + and # in a username or id refuse every pattern', () => {
    const { acl } = AclFile.parse(file, 'acl');
    // Substituted, these would be users/+/# and users/#/#: every user's tree.
    for (const username of ['+', '#', 'a+b', 'x/#']) {
      const client = { id: 'ok', username };
      assert.equal(acl.check(client, `users/other/x`, 'read'), false, username);
      assert.equal(acl.check(client, 'clients/ok/x', 'read'), false, username);
    }
    assert.equal(acl.check({ id: '+' }, 'clients/other/x', 'read'), false);
    assert.equal(acl.check({ id: 'a#' }, 'clients/a#/x', 'read'), false);
  });

  test('acl - NUL in a name is refused too', () => {
    const { acl } = AclFile.parse(file, 'acl');
    assert.equal(acl.check({ id: 'c', username: 'a\0b' }, 'users/a\0b/x', 'read'), false);
    assert.equal(acl.check({ id: 'c\0' }, 'clients/c\0/x', 'read'), false);
  });

  test('acl - the refusal is reported, as Mosquitto logs it', () => {
    const seen: string[] = [];
    const { acl } = AclFile.parse(file, 'acl', {
      onDangerousClient: (what, value) => seen.push(`${what}=${value}`),
    });
    acl.check({ id: 'c', username: 'a+' }, 'users/x', 'read');
    acl.check({ id: 'b#' }, 'clients/x', 'read');
    assert.deepEqual(seen, ['username=a+', 'client id=b#']);
  });

  test('acl - a user section still applies to a dangerous username', () => {
    const { acl } = AclFile.parse(`user a+b\ntopic read mine\n${file}`, 'acl');
    assert.equal(acl.check({ id: 'c', username: 'a+b' }, 'mine', 'read'), true);
    assert.equal(acl.check({ id: 'c', username: 'a+b' }, 'users/a+b', 'read'), false);
  });

  test('acl - "/" in a name adds levels but no wildcard', () => {
    const { acl } = AclFile.parse(file, 'acl');
    const client = { id: 'c', username: 'a/b' };
    assert.equal(acl.check(client, 'users/a/b/x', 'read'), true);
    assert.equal(acl.check(client, 'users/a/x', 'read'), false);
  });

  test('acl - a connection whose names change gets its patterns refilled', () => {
    const { acl } = AclFile.parse(file, 'acl');
    const client: { id: string; username: string } = { id: 'c', username: 'u1' };
    assert.equal(acl.check(client, 'users/u1/x', 'read'), true);
    client.username = 'u2';
    assert.equal(acl.check(client, 'users/u1/x', 'read'), false);
    assert.equal(acl.check(client, 'users/u2/x', 'read'), true);
    client.id = 'd';
    assert.equal(acl.check(client, 'clients/c/x', 'read'), false);
    assert.equal(acl.check(client, 'clients/d/x', 'read'), true);
  });
});
