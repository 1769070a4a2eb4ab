/**
 * TLS-PSK listeners of the built midge with Debian's mosquitto_pub
 * (`--psk KEY --psk-identity ID`), over TLS 1.3 and 1.2, with
 * use_identity_as_username and with the client's own username.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, type RunningBroker } from '../helpers/broker.js';
import { pubArgs, runTool, startListening } from './support.js';

let broker: RunningBroker;
let dir: string;
let identityPort: number;
let pskPort: number;

const KEY = '0a1b2c3d4e5f60718293';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'midge-psk-'));
  const pskFile = join(dir, 'psk');
  writeFileSync(pskFile, `# sensors\nsensor-1:${KEY}\nsensor-2:ffee\n`);
  [identityPort, pskPort] = await Promise.all([freePort(), freePort()]);
  broker = await startListening({
    rawConfig: (port) =>
      `log_type all\nallow_anonymous true\npsk_file ${pskFile}\n` +
      `listener ${port} 127.0.0.1\n` +
      `listener ${identityPort} 127.0.0.1\npsk_hint midge\n` +
      'use_identity_as_username true\n' +
      `listener ${pskPort} 127.0.0.1\npsk_hint other\n`,
  });
});
after(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const psk = (key: string, identity: string) => ['--psk', key, '--psk-identity', identity];

describe('TLS-PSK', () => {
  test('the right key gets in', async () => {
    const pub = await runTool(
      'mosquitto_pub',
      pubArgs(pskPort, 'psk-13', psk(KEY, 'sensor-1')),
    );
    assert.equal(pub.code, 0, pub.stderr);
    await broker.waitForOutput(/New client connected from 127\.0\.0\.1:\d+ as psk-13 /);
  });

  test('and over TLS 1.2 with a PSK cipher suite', async () => {
    const args = pubArgs(pskPort, 'psk-12', [
      ...psk(KEY, 'sensor-1'),
      ...['--tls-version', 'tlsv1.2', '--ciphers', 'PSK-AES128-GCM-SHA256'],
    ]);
    const pub = await runTool('mosquitto_pub', args);
    assert.equal(pub.code, 0, pub.stderr);
  });

  test('a wrong key or an unknown identity is refused', async () => {
    for (const [id, args] of [
      ['psk-bad-key', psk('0a1b2c3d4e5f60718294', 'sensor-1')],
      ['psk-no-id', psk(KEY, 'sensor-9')],
    ] as const) {
      const pub = await runTool('mosquitto_pub', pubArgs(pskPort, id, [...args]));
      assert.notEqual(pub.code, 0, `${id} should fail`);
      assert.doesNotMatch(broker.output(), new RegExp(`as ${id} `));
    }
    await broker.waitForOutput(/OpenSSL Error\[0\]: error:[0-9A-F]+:SSL routines::/);
  });

  test('without use_identity_as_username the client names itself', async () => {
    const args = pubArgs(pskPort, 'psk-user', [
      ...psk('ffee', 'sensor-2'),
      '-u',
      'alice',
    ]);
    const pub = await runTool('mosquitto_pub', args);
    assert.equal(pub.code, 0, pub.stderr);
    await broker.waitForOutput(/as psk-user \(p2, c1, k60, u'alice'\)/);
  });

  test('use_identity_as_username: the identity is the username', async () => {
    const args = pubArgs(identityPort, 'psk-ident', [
      ...psk(KEY, 'sensor-1'),
      '-u',
      'bob',
    ]);
    const pub = await runTool('mosquitto_pub', args);
    assert.equal(pub.code, 0, pub.stderr);
    await broker.waitForOutput(/as psk-ident \(p2, c1, k60, u'sensor-1'\)/);
  });

  test('a plain client on a PSK port gets nowhere', async () => {
    const pub = await runTool('mosquitto_pub', pubArgs(pskPort, 'psk-plain'), 3000);
    assert.notEqual(pub.code, 0);
    assert.doesNotMatch(broker.output(), /as psk-plain /);
  });
});
