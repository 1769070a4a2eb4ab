/**
 * A password file carried over from Mosquitto 2.1, with an Argon2id entry:
 * the user logs in to midge with the right password and only with it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { argon2id } from 'hash-wasm';
import mqtt from 'mqtt';
import { startBroker, useMosquitto } from '../helpers/broker.js';

test('an Argon2id user logs in', {
  skip: useMosquitto && 'mosquitto 2.0 has no Argon2',
}, async (t) => {
  const hash = await argon2id({
    password: 'argon-pw',
    salt: randomBytes(64),
    parallelism: 1,
    iterations: 1,
    memorySize: 47104,
    hashLength: 64,
    outputType: 'encoded',
  });
  const broker = await startBroker({
    rawConfig: (port) => `listener ${port} 127.0.0.1\npassword_file passwords\n`,
    files: { passwords: `anna:${hash}\n` },
  });
  t.after(() => broker.stop());
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const options = { username: 'anna', reconnectPeriod: 0 };
  const ok = await mqtt.connectAsync(url, { ...options, password: 'argon-pw' });
  await ok.endAsync();
  await assert.rejects(
    mqtt.connectAsync(url, { ...options, password: 'wrong' }),
    /Not authorized|Bad username/i,
  );
});
