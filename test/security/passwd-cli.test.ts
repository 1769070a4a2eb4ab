/**
 * The midge_passwd process itself (src/cli/midge-passwd.ts): arguments,
 * piped passwords with mosquitto_passwd's prompts, exit status.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PasswordFile } from '../../src/security/password-file.js';
import { tempDir } from './mosquitto.js';

const cli = new URL('../../src/cli/midge-passwd.ts', import.meta.url).pathname;

function run(args: string[], input: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args]);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk));
  child.stdin.end(input);
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('midge_passwd - the process', () => {
  test('passwd cli - passwords piped in, prompts on stdout', async (t) => {
    const file = join(tempDir(t), 'pw');
    const created = await run(['-c', file, 'alice'], 'one\r\none\r\n');
    assert.deepEqual(created, {
      code: 0,
      out: 'Password: \nReenter password: \n',
      err: '',
    });
    const added = await run(['-H', 'sha512', file, 'bob'], 'two\ntwo');
    assert.equal(added.code, 0);
    const { passwords } = PasswordFile.parse(readFileSync(file), file);
    assert.equal(passwords.verify('alice', 'one'), true);
    assert.equal(passwords.verify('bob', 'two'), true);
    assert.match(readFileSync(file, 'utf8'), /^alice:\$7\$101\$.*\nbob:\$6\$/);
  });

  test('passwd cli - passwords that differ: exit 2, file unchanged', async (t) => {
    const file = join(tempDir(t), 'pw');
    assert.equal((await run(['-c', '-b', file, 'a', 'pw'], '')).code, 0);
    const before = readFileSync(file, 'utf8');
    const result = await run([file, 'a'], 'x\ny\n');
    assert.deepEqual(result, {
      code: 2,
      out: 'Password: \nReenter password: \n',
      err: 'Error: Passwords do not match.\n',
    });
    assert.equal(readFileSync(file, 'utf8'), before);
  });
});
