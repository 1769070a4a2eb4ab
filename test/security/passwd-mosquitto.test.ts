/**
 * Password files cross over both ways: a file midge_passwd writes works in
 * Debian's mosquitto (mosquitto_pub -u/-P with the right password gets in,
 * with a wrong one does not), and a file mosquitto_passwd writes verifies
 * in midge's checker.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runPasswd } from '../../src/security/passwd-tool.js';
import { PasswordFile } from '../../src/security/password-file.js';
import {
  haveMosquittoPasswd,
  skipWithoutMosquitto,
  startMosquitto,
  tempDir,
} from './mosquitto.js';

/** [username, password, extra midge_passwd / mosquitto_passwd options] */
const users: [string, string, string[]][] = [
  ['alice', 'secret', []],
  ['bob', 'hunter2', ['-H', 'sha512']],
  ['carol', 'few rounds', ['-I', '7']],
  ['jöhn', 'pässwörd €', []],
  ['dave', 'x:y$z#+/ "q"', ['-H', 'sha512-pbkdf2', '-I', '1000']],
];

async function midgePasswd(args: string[]): Promise<number> {
  return runPasswd(args, { out() {}, err() {}, readLine: async () => undefined });
}

describe('password files - midge_passwd to mosquitto', {
  skip: skipWithoutMosquitto,
}, () => {
  test('passwd - mosquitto checks a midge_passwd file', async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'pw');
    for (const [i, [username, password, options]] of users.entries()) {
      const create = i === 0 ? ['-c'] : [];
      assert.equal(
        await midgePasswd([...create, ...options, '-b', file, username, password]),
        0,
      );
    }
    const broker = await startMosquitto(t, 'allow_anonymous false\npassword_file pw', {
      pw: readFileSync(file),
    });
    const tries = users.flatMap(([username, password]) => [
      [username, password, 0],
      [username, `${password}x`, 5],
      [username, password.slice(0, -1), 5],
    ]);
    tries.push(['nobody', 'secret', 5], ['alice', '', 5]);
    for (const [username, password, expected] of tries) {
      const run = spawnSync('mosquitto_pub', [
        ...['-h', '127.0.0.1', '-p', String(broker.port), '-t', 't', '-m', 'm'],
        ...['-u', String(username), '-P', String(password)],
      ]);
      assert.equal(run.status, expected, `${username} / ${password}: ${run.stderr}`);
    }
  });
});

describe('password files - mosquitto_passwd to midge', {
  skip: haveMosquittoPasswd ? false : 'mosquitto_passwd is not installed',
}, () => {
  test('passwd - midge verifies a mosquitto_passwd file', async (t) => {
    const file = join(tempDir(t), 'pw');
    for (const [i, [username, password, options]] of users.entries()) {
      const create = i === 0 ? ['-c'] : [];
      const run = spawnSync('mosquitto_passwd', [
        ...create,
        ...options,
        ...['-b', file, username, password],
      ]);
      assert.equal(run.status, 0, String(run.stderr));
    }
    const { passwords, warnings } = await PasswordFile.load(file);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      passwords.usernames(),
      users.map(([username]) => username),
    );
    for (const [username, password] of users) {
      assert.equal(passwords.verify(username, password), true, username);
      assert.equal(await passwords.verifyAsync(username, Buffer.from(password)), true);
      assert.equal(passwords.verify(username, `${password} `), false);
      assert.equal(passwords.verify(username, password.toUpperCase()), false);
    }
  });
});
