/**
 * $SYS: the broker's figures as retained messages, and `log_dest topic`.
 * Runs against the built broker with real MQTT.js clients.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { startBroker, useMosquitto } from '../helpers/broker.js';
import { until } from '../helpers/wait.js';

function collect(client: mqtt.MqttClient) {
  const seen = new Map<string, string>();
  client.on('message', (topic, payload) => seen.set(topic, payload.toString()));
  return seen;
}

test('$SYS tree is published, retained, and counts clients', async (t) => {
  const broker = await startBroker({ config: 'sys_interval 1' });
  t.after(() => broker.stop());
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const watcher = await mqtt.connectAsync(url, { clientId: 'sys-watcher' });
  t.after(() => watcher.endAsync());
  const seen = collect(watcher);
  const retainedFlags = new Map<string, boolean>();
  watcher.on('message', (topic, _p, packet) => retainedFlags.set(topic, packet.retain));
  await watcher.subscribeAsync('$SYS/broker/#');

  await until(() => seen.has('$SYS/broker/clients/connected'));
  const version = seen.get('$SYS/broker/version') ?? '';
  assert.match(version, useMosquitto ? /^mosquitto version/ : /^midge version \d/);
  // Values sent before our subscription reach us as retained messages.
  assert.equal(retainedFlags.get('$SYS/broker/version'), true);
  assert.match(seen.get('$SYS/broker/uptime') ?? '', /^\d+ seconds$/);

  const other = await mqtt.connectAsync(url, { clientId: 'sys-other' });
  await until(() => seen.get('$SYS/broker/clients/connected') === '2');
  await other.endAsync();
  await until(() => seen.get('$SYS/broker/clients/connected') === '1');
  assert.match(seen.get('$SYS/broker/load/connections/1min') ?? '', /^\d+\.\d\d$/);
});

test('[MQTT-4.7.2-1] a # subscription does not receive $SYS topics', async (t) => {
  const broker = await startBroker({ config: 'sys_interval 1' });
  t.after(() => broker.stop());
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
  t.after(() => client.endAsync());
  const seen = collect(client);
  await client.subscribeAsync('#');
  await client.publishAsync('plain/topic', 'x');
  await until(() => seen.has('plain/topic'));
  await new Promise((r) => setTimeout(r, 1200));
  assert.deepEqual([...seen.keys()], ['plain/topic']);
});

test('log_dest topic publishes log lines on $SYS/broker/log', async (t) => {
  const broker = await startBroker({
    config: 'log_dest topic\nlog_dest stderr\nlog_type all',
  });
  t.after(() => broker.stop());
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const watcher = await mqtt.connectAsync(url, { clientId: 'log-watcher' });
  t.after(() => watcher.endAsync());
  const lines: string[] = [];
  watcher.on('message', (topic, payload) => lines.push(`${topic} ${payload}`));
  await watcher.subscribeAsync('$SYS/broker/log/#');
  const other = await mqtt.connectAsync(url, { clientId: 'log-other' });
  await other.subscribeAsync('watched/topic');
  await other.endAsync();
  await until(() => lines.some((l) => l.includes('log-other disconnected')));
  const connected = lines.find((l) => l.includes('New client connected'));
  assert.match(connected ?? '', /^\$SYS\/broker\/log\/N \d+: New client connected from /);
  assert.ok(
    lines.some((l) => /^\$SYS\/broker\/log\/M\/subscribe .*watched\/topic/.test(l)),
    `no subscribe line in ${lines.join('\n')}`,
  );
  // Debug lines never go to topics.
  assert.ok(!lines.some((l) => l.includes('Sending CONNACK')));
});
