/**
 * Access rules as clients meet them, on Mosquitto 2.0.11 and on midge
 * with the same dynamic-security configuration: SUBACK codes, PUBACK
 * codes and which client receives which message must be the same.
 * Covers priorities between ACLs, roles and groups, literal and pattern
 * subscribe ACLs, receive ACLs, default access and the anonymous group.
 * Skipped when mosquitto is not installed.
 */
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { initConfigText } from '../../src/cli/ctrl/dynsec-init.js';
import { MqttClient } from '../../src/client/index.js';
import '../../src/dynsec/plugin.js';
import { startInProcess } from '../security/in-process.js';
import { skipWithoutMosquitto, startMosquitto } from '../security/mosquitto.js';
import { ctrl } from './helpers.js';

const pluginLines =
  'allow_anonymous true\n' +
  'plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so\n' +
  'plugin_opt_config_file dynsec.json';

/** The configuration, as midge_ctrl commands. */
const setup = [
  ['createRole', 'rA'],
  ['addRoleACL', 'rA', 'publishClientSend', 'a/#', 'allow', '1'],
  ['addRoleACL', 'rA', 'publishClientSend', 'a/secret', 'deny', '5'],
  ['addRoleACL', 'rA', 'subscribePattern', 'a/#', 'allow'],
  ['addRoleACL', 'rA', 'subscribeLiteral', 'a/+', 'deny'],
  ['addRoleACL', 'rA', 'publishClientReceive', 'a/noread', 'deny'],
  ['createRole', 'rB'],
  ['addRoleACL', 'rB', 'subscribePattern', 'b/+/c', 'allow'],
  ['addRoleACL', 'rB', 'subscribePattern', '#', 'deny', '-5'],
  ['addRoleACL', 'rB', 'publishClientSend', 'b/#', 'allow'],
  ['addRoleACL', 'rB', 'publishClientSend', 'a/secret', 'allow', '50'],
  ['createGroup', 'g'],
  ['addGroupRole', 'g', 'rB'],
  ['createClient', 'u1', '-p', 'p1'],
  ['addClientRole', 'u1', 'rA'],
  ['addGroupClient', 'g', 'u1'],
  ['createClient', 'u2', '-p', 'p2'],
  ['addGroupClient', 'g', 'u2'],
  ['createRole', 'rAnon'],
  ['addRoleACL', 'rAnon', 'subscribePattern', 'pub/#', 'allow'],
  ['addRoleACL', 'rAnon', 'publishClientSend', 'pub/x', 'allow'],
  ['createGroup', 'anon'],
  ['addGroupRole', 'anon', 'rAnon'],
  ['setAnonymousGroup', 'anon'],
  ['setDefaultACLAccess', 'unsubscribe', 'deny'],
];

// No two granted filters of one client match one published topic: how
// many copies overlapping subscriptions get is the broker's business.
const filters = ['a/#', 'a/+', 'a/c', 'b/x/c', 'b/#', '#', 'pub/#', '$SYS/#', 'c'];
const topics = ['a/b', 'a/secret', 'a/noread', 'b/x/c', 'pub/x', 'pub/y', 'c'];
const users = [
  { name: 'u1', username: 'u1', password: 'p1' },
  { name: 'u2', username: 'u2', password: 'p2' },
  { name: 'anon' },
];

/** What every client saw, in a form both brokers can be compared on. */
async function outcome(t: TestContext, port: number) {
  const clients = [];
  for (const user of users) {
    const client = new MqttClient({
      host: '127.0.0.1',
      port,
      protocolVersion: 5,
      clientId: `c-${user.name}`,
      reconnect: false,
      ...(user.username ? { username: user.username, password: user.password } : {}),
    });
    await client.connect();
    t.after(() => client.end().catch(() => {}));
    const received: string[] = [];
    client.on('message', (m) => received.push(m.topic));
    clients.push({ user: user.name, client, received });
  }
  const result: Record<string, unknown> = {};
  for (const { user, client } of clients) {
    const granted = await client.subscribe(filters, { qos: 1 });
    result[`${user} suback`] = granted.granted.map((g) => g.reasonCode);
  }
  for (const { user, client } of clients) {
    const codes = [];
    for (const topic of topics) {
      codes.push(
        await client.publish(topic, user, { qos: 1 }).then(
          (r) => r.reasonCode,
          (e: { reasonCode?: number }) => e.reasonCode ?? -1,
        ),
      );
    }
    result[`${user} puback`] = codes;
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const { user, client, received } of clients) {
    result[`${user} received`] = [...received].sort();
    const gone = await client.unsubscribe(['a/#', 'pub/#']);
    result[`${user} unsuback`] = gone.reasonCodes;
  }
  return result;
}

async function configure(port: number) {
  for (const args of setup) {
    const run = await ctrl([
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-u',
      'admin',
      '-P',
      'adminpw',
      'dynsec',
      ...args,
    ]);
    assert.deepEqual(run, { code: 0, out: '', err: '' }, args.join(' '));
  }
}

describe('dynsec acl compare - midge and Mosquitto', {
  skip: skipWithoutMosquitto,
}, () => {
  test('acl compare - subscribe, publish, receive outcomes are the same', async (t) => {
    const init = initConfigText('admin', 'adminpw');
    const mosquitto = await startMosquitto(t, pluginLines, { 'dynsec.json': init });
    chmodSync(mosquitto.dir, 0o777);
    chmodSync(join(mosquitto.dir, 'dynsec.json'), 0o666);
    const midge = await startInProcess(
      t,
      pluginLines.replace('dynsec.json', '{dir}/dynsec.json'),
      { files: { 'dynsec.json': init } },
    );
    await configure(mosquitto.port);
    await configure(midge.port);
    const expected = await outcome(t, mosquitto.port);
    const actual = await outcome(t, midge.port);
    assert.deepEqual(actual, expected);
    // The comparison is not empty: some things were refused, some allowed.
    const u1 = expected['u1 suback'] as number[];
    assert.ok(u1.includes(1) && u1.includes(0x87), JSON.stringify(expected));
  });
});
