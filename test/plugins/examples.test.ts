/**
 * The two example plugins of docs/plugins.md, loaded from their files:
 * auth-by-ip.ts in this process (a TypeScript plugin needs tsx, which the
 * tests run under), message-stamp.js in a real midge process from dist/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../helpers/broker.js';
import { open } from '../interop/mqttjs-support.js';
import { startInProcess } from '../security/in-process.js';
import { connackCode, login, passwordLine } from './helpers.js';

const examples = fileURLToPath(new URL('../../docs/examples/plugins/', import.meta.url));

async function connack(
  t: TestContext,
  port: number,
  version: 3 | 4 | 5,
  username?: string,
  password?: string,
): Promise<number | undefined> {
  return connackCode(t, port, {
    protocolVersion: version,
    clientId: `c${version}`,
    ...login(username, password),
  });
}

describe('example plugin auth-by-ip.ts', () => {
  const config = (trusted: string) =>
    [
      'allow_anonymous false',
      'password_file {dir}/passwd',
      `plugin ${examples}auth-by-ip.ts`,
      `plugin_opt_trusted_addresses ${trusted}`,
      'plugin_opt_deny_protocol_versions 3',
    ].join('\n');
  const files = { passwd: passwordLine('alice', 's3cret') };

  test('untrusted address: the password file decides; MQTT 3.1 refused', async (t) => {
    const midge = await startInProcess(t, config('10.9.9.*'), { files });
    assert.equal(await connack(t, midge.port, 4, 'alice', 's3cret'), 0);
    assert.equal(await connack(t, midge.port, 4, 'alice', 'wrong'), 5);
    assert.equal(await connack(t, midge.port, 5, 'alice', 'wrong'), 0x87);
    assert.equal(await connack(t, midge.port, 4), 5);
    assert.equal(await connack(t, midge.port, 3, 'alice', 's3cret'), 5);
    assert.ok(midge.lines.some((l) => l.includes('auth-by-ip: refused c3: MQTT v3')));
  });

  test('trusted address: no password needed', async (t) => {
    const midge = await startInProcess(t, config('127.0.0.*'), { files });
    assert.equal(await connack(t, midge.port, 4, 'alice', 'wrong'), 0);
    assert.equal(await connack(t, midge.port, 5), 0);
    assert.equal(await connack(t, midge.port, 3), 5);
  });
});

describe('example plugin message-stamp.js', () => {
  test('stamps, drops and answers its control topic in a midge process', async (t) => {
    const broker = await startBroker({
      config: [
        `plugin ${examples}message-stamp.js`,
        'plugin_opt_ban spam',
        'plugin_opt_stamp news/#',
        'plugin_opt_prefix [checked] ',
      ].join('\n'),
    });
    t.after(() => broker.stop());
    const { client: sub, inbox } = await open(t, broker.port, { protocolVersion: 5 });
    await sub.subscribeAsync(['#', '$CONTROL/#'], { qos: 1 });
    const { client: pub } = await open(t, broker.port, { protocolVersion: 5 });
    await pub.publishAsync('news/today', 'hello', { qos: 1 });
    await pub.publishAsync('weather', 'plain', { qos: 1 });
    await assert.rejects(pub.publishAsync('news/ads', 'spam offer', { qos: 1 }), {
      code: 0x87,
    });
    const [news, weather] = await inbox.take(2);
    assert.equal(news?.payload, '[checked] hello');
    const stamp = news?.packet.properties?.userProperties?.['received-at'];
    assert.match(String(stamp), /^\d{4}-\d\d-\d\dT/);
    assert.equal(weather?.payload, 'plain');
    // The control request is answered, never delivered itself.
    const cli = spawnSync('mosquitto_pub', [
      ...['-h', '127.0.0.1', '-p', String(broker.port)],
      ...['-t', '$CONTROL/message-stamp/v1', '-m', '{}', '-q', '1'],
    ]);
    if (cli.error) {
      await pub.publishAsync('$CONTROL/message-stamp/v1', '{}', { qos: 1 });
    }
    const all = await inbox.take(3);
    assert.equal(all[2]?.topic, '$CONTROL/message-stamp/v1/response');
    assert.deepEqual(JSON.parse(String(all[2]?.payload)), { stamped: 1, dropped: 1 });
    assert.equal((await inbox.settle(200)).length, 3);
  });
});
