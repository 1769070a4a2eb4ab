/**
 * Who gets in, against both brokers with the same files: every mix of
 * allow_anonymous and password_file, every kind of credentials, in MQTT
 * 3.1.1 and 5.0. The expected CONNACK codes are facts observed on Debian's
 * mosquitto 2.0.11 (the test checks them there too when it is installed):
 * a refusal is always Not Authorized (3.1.1 return code 5, 5.0 0x87),
 * never Bad User Name or Password; a zero-length username counts as none;
 * without a password file allow_anonymous decides for everyone.
 *
 * The password file holds a user made by mosquitto_passwd (when installed)
 * and one made by midge_passwd, so each broker reads the other's hashes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { runPasswd } from '../../src/security/passwd-tool.js';
import { RawClient } from '../helpers/raw-client.js';
import {
  type BrokerKind,
  haveMosquittoPasswd,
  skipWithoutMosquitto,
  startSecured,
  tempDir,
} from './mosquitto.js';

/** [username, password] sent; undefined = the field is left out. */
type Creds = [string | undefined, string | undefined];

const creds: Creds[] = [
  [undefined, undefined],
  ['', undefined],
  ['', 'theirs'],
  ['mosq', 'mosq-pw'],
  ['mosq', 'wrong'],
  ['mosq', undefined],
  ['midge', 'midge pw €'],
  ['midge', 'midge pw'],
  ['nobody', 'mosq-pw'],
];

interface Setup {
  anonymous: boolean;
  passwordFile: boolean;
}

/** Mosquitto 2.0.11's answer: 0 (in) or refused. */
function expected({ anonymous, passwordFile }: Setup, [user, pass]: Creds): boolean {
  if (!passwordFile) return anonymous;
  if (!user) return anonymous;
  return (
    (user === 'mosq' && pass === 'mosq-pw') || (user === 'midge' && pass === 'midge pw €')
  );
}

async function passwordFile(t: TestContext): Promise<string> {
  const dir = tempDir(t);
  const file = join(dir, 'passwd');
  const quiet = { out() {}, err() {}, readLine: async () => undefined };
  await runPasswd(['-c', '-b', file, 'midge', 'midge pw €'], quiet);
  if (haveMosquittoPasswd) {
    const made = spawnSync('mosquitto_passwd', ['-b', file, 'mosq', 'mosq-pw']);
    assert.equal(made.status, 0, String(made.stderr));
  } else {
    await runPasswd(['-b', file, 'mosq', 'mosq-pw'], quiet);
  }
  return readFileSync(file, 'utf8');
}

async function connack(t: TestContext, port: number, version: 4 | 5, [u, p]: Creds) {
  const c = await RawClient.session(t, port, {
    protocolVersion: version,
    clientId: 'auth-test',
    username: u,
    password: p === undefined ? undefined : Buffer.from(p),
    mustSucceed: false,
  });
  c.close();
  return c.connack?.reasonCode ?? c.connack?.returnCode;
}

const setups: Setup[] = [
  { anonymous: false, passwordFile: true },
  { anonymous: true, passwordFile: true },
  { anonymous: false, passwordFile: false },
  { anonymous: true, passwordFile: false },
];

const kinds: Array<[BrokerKind, string | false]> = [
  ['mosquitto', skipWithoutMosquitto],
  ['midge', false],
];

for (const [kind, skip] of kinds) {
  describe(`who gets in - ${kind}`, { skip }, () => {
    for (const setup of setups) {
      const name = `allow_anonymous ${setup.anonymous}, ${
        setup.passwordFile ? 'password file' : 'no password file'
      }`;
      test(`auth - ${kind} - ${name}`, async (t) => {
        const passwd = await passwordFile(t);
        const lines = ['log_type all', `allow_anonymous ${setup.anonymous}`];
        if (setup.passwordFile) lines.push('password_file passwd');
        const broker = await startSecured(t, kind, lines.join('\n'), { passwd });
        const wrong: string[] = [];
        for (const version of [4, 5] as const) {
          const refused = version === 5 ? 0x87 : 5;
          for (const c of creds) {
            const want = expected(setup, c) ? 0 : refused;
            const got = await connack(t, broker.port, version, c);
            if (got !== want) wrong.push(`v${version} ${JSON.stringify(c)}: ${got}`);
          }
        }
        assert.deepEqual(wrong, []);
        // The log never shows a password.
        assert.ok(!/mosq-pw|midge pw|theirs|wrong/.test(broker.output()));
      });
    }
  });
}
