/**
 * midge_passwd where it deliberately differs from mosquitto_passwd 2.0.11,
 * and its file handling. The shared behaviour is compared with Debian's
 * tool in test/security/passwd-compare.test.ts.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  lstatSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runPasswd } from '../../../src/security/passwd-tool.js';
import { PasswordFile } from '../../../src/security/password-file.js';
import { tempDir } from '../../security/mosquitto.js';

async function passwd(args: string[], input: string[] = []) {
  let out = '';
  let err = '';
  const code = await runPasswd(args, {
    out: (text) => (out += text),
    err: (text) => (err += text),
    readLine: async () => input.shift(),
  });
  return { code, out, err };
}

describe('midge_passwd - where it differs from mosquitto_passwd', () => {
  test('passwd tool - comments and blank lines survive adding a user', async (t) => {
    const file = join(tempDir(t), 'pw');
    writeFileSync(file, '# broker users\n\nold:plain\n');
    assert.equal((await passwd(['-b', file, 'new', 'x'])).code, 0);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# broker users\n\nold:plain\nnew:\$7\$101\$\S+\n$/);
  });

  test('passwd tool - a file without a final newline is not glued to', async (t) => {
    const file = join(tempDir(t), 'pw');
    writeFileSync(file, 'a:pa');
    assert.equal((await passwd(['-b', file, 'b', 'pb'])).code, 0);
    assert.match(readFileSync(file, 'utf8'), /^a:pa\nb:\$7\$/);
  });

  test('passwd tool - -U twice leaves passwords usable', async (t) => {
    const file = join(tempDir(t), 'pw');
    writeFileSync(file, 'a:pa\nb:pb\n');
    assert.equal((await passwd(['-U', file])).code, 0);
    const once = readFileSync(file, 'utf8');
    assert.equal((await passwd(['-U', file])).code, 0);
    assert.equal(readFileSync(file, 'utf8'), once);
    const { passwords } = PasswordFile.parse(once, file);
    assert.equal(passwords.verify('a', 'pa'), true);
    assert.equal(passwords.verify('b', 'pb'), true);
  });

  test('passwd tool - an empty username is refused', async (t) => {
    const file = join(tempDir(t), 'pw');
    const result = await passwd(['-c', '-b', file, '', 'x']);
    assert.deepEqual(result, {
      code: 1,
      out: '',
      err: 'Error: Username must not be empty.\n',
    });
  });

  test('passwd tool - a corrupt line leaves the file as it was', async (t) => {
    const file = join(tempDir(t), 'pw');
    writeFileSync(file, 'a:x\njunk\n');
    const result = await passwd([file, 'b'], ['pw', 'pw']);
    assert.equal(result.code, 1);
    assert.equal(result.err, 'Error: Corrupt password file at line 2.\n');
    assert.equal(readFileSync(file, 'utf8'), 'a:x\njunk\n');
  });
});

describe('midge_passwd - files', () => {
  test('passwd tool - an existing file keeps its mode', async (t) => {
    const file = join(tempDir(t), 'pw');
    writeFileSync(file, 'a:x\n');
    chmodSync(file, 0o640);
    assert.equal((await passwd(['-b', file, 'b', 'y'])).code, 0);
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.equal((await passwd(['-c', '-b', file, 'c', 'z'])).code, 0);
    assert.equal(statSync(file).mode & 0o777, 0o640);
  });

  test('passwd tool - a symbolic link is followed and kept', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'real'), 'a:x\n');
    symlinkSync('real', join(dir, 'link'));
    assert.equal((await passwd(['-b', join(dir, 'link'), 'b', 'y'])).code, 0);
    assert.ok(lstatSync(join(dir, 'link')).isSymbolicLink());
    assert.match(readFileSync(join(dir, 'real'), 'utf8'), /^a:x\nb:\$7\$/);
  });

  test('passwd tool - no temporary file is left behind', async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'pw');
    assert.equal((await passwd(['-c', '-b', file, 'a', 'x'])).code, 0);
    assert.equal((await passwd(['-b', file, 'b', 'y'])).code, 0);
    assert.deepEqual(readdirSync(dir), ['pw']);
  });

  test('passwd tool - a folder cannot be the file', async (t) => {
    const dir = tempDir(t);
    const result = await passwd(['-b', dir, 'a', 'x']);
    assert.equal(result.code, 1);
    assert.match(result.err, /^Error: Unable to open password file .*\. \S.*\.\n$/);
  });
});
