/**
 * SIGHUP: the configuration is read again without dropping clients; a
 * file that no longer reads keeps the running configuration; the log file
 * is reopened (log rotation).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { startBroker } from '../helpers/broker.js';
import { until } from '../helpers/wait.js';

test('SIGHUP applies a reloadable option and keeps connected clients', async (t) => {
  let port = 0;
  const conf = (extra: string) =>
    `listener ${port} 127.0.0.1\nallow_anonymous true\n${extra}`;
  const broker = await startBroker({
    rawConfig: (p) => {
      port = p;
      return conf('retain_available true\n');
    },
  });
  t.after(() => broker.stop());
  const url = `mqtt://127.0.0.1:${port}`;
  const stayer = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0 });
  t.after(() => stayer.endAsync(true));
  let stayerClosed = false;
  stayer.on('close', () => {
    stayerClosed = true;
  });
  await stayer.publishAsync('reload/a', 'kept', { retain: true, qos: 1 });

  writeFileSync(join(broker.dir, 'broker.conf'), conf('retain_available false\n'));
  broker.process.kill('SIGHUP');
  await broker.waitForOutput('Reloading config.');

  // A new 5.0 client now sees Retain Available 0 in its CONNACK.
  const fresh = mqtt.connect(url, { protocolVersion: 5, reconnectPeriod: 0 });
  t.after(() => fresh.endAsync(true));
  const connack = await new Promise<mqtt.IConnackPacket>((resolve) =>
    fresh.once('connect', resolve),
  );
  assert.equal(connack.properties?.retainAvailable, false);
  // The client connected before the reload is still there and served.
  const got = new Promise<string>((resolve) => {
    stayer.on('message', (_topic, payload) => resolve(payload.toString()));
  });
  await stayer.subscribeAsync('reload/b');
  await fresh.publishAsync('reload/b', 'after reload', { qos: 1 });
  assert.equal(await got, 'after reload');
  assert.equal(stayerClosed, false);
});

test('SIGHUP with a broken file keeps the running configuration', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  writeFileSync(join(broker.dir, 'broker.conf'), 'listener nonsense\n');
  broker.process.kill('SIGHUP');
  await broker.waitForOutput(/Unable to reload configuration.*broker\.conf:1/);
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
  t.after(() => client.endAsync());
  assert.equal(client.connected, true);
});

test('SIGHUP reopens the log file after rotation', async (t) => {
  let logPath = '';
  const broker = await startBroker({
    rawConfig: (port) => {
      logPath = join(process.env.TMPDIR ?? '/tmp', `midge-rotate-${port}.log`);
      return `listener ${port} 127.0.0.1\nallow_anonymous true\nlog_dest file ${logPath}\n`;
    },
  });
  t.after(() => broker.stop());
  t.after(() => rmSync(logPath, { force: true }));
  t.after(() => rmSync(`${logPath}.1`, { force: true }));
  await until(
    () => existsSync(logPath) && readFileSync(logPath, 'utf8').includes('running'),
  );
  renameSync(logPath, `${logPath}.1`);
  broker.process.kill('SIGHUP');
  await until(() => existsSync(logPath));
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
    clientId: 'after-rotation',
  });
  await client.endAsync();
  await until(() => readFileSync(logPath, 'utf8').includes('after-rotation'));
  assert.doesNotMatch(readFileSync(`${logPath}.1`, 'utf8'), /after-rotation/);
});

test('SIGUSR2 writes the subscription tree to the log', async (t) => {
  // No $SYS tree, so the only retained message is the test's.
  const broker = await startBroker({ config: 'sys_interval 0' });
  t.after(() => broker.stop());
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
    clientId: 'dumped',
  });
  t.after(() => client.endAsync());
  await client.subscribeAsync('dump/+/x', { qos: 1 });
  await client.publishAsync('dump/r', 'kept', { retain: true, qos: 1 });
  broker.process.kill('SIGUSR2');
  await broker.waitForOutput('dump/+/x: dumped (QoS 1)');
  await broker.waitForOutput(/Retained messages: 1 \(4 bytes\)/);
});
