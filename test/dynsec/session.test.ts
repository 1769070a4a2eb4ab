/**
 * A dynamic-security session against midge, driven by midge_ctrl: midge
 * runs in this process with Mosquitto's plugin lines (the .so path loads
 * midge's built-in), the config file is one `midge_ctrl dynsec init`
 * wrote, and real MQTT clients check that each change takes effect.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import '../../src/dynsec/plugin.js';
import { ReasonCode } from '../../src/protocol/index.js';
import { until } from '../helpers/wait.js';
import { startInProcess } from '../security/in-process.js';
import { tempDir } from '../security/mosquitto.js';
import { as, ctrl, login, mustLogin, within } from './helpers.js';

const pluginLines =
  'plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so\n' +
  'plugin_opt_config_file {dir}/dynsec.json';

/** midge with a config file made by `midge_ctrl dynsec init`. */
async function midgeWithInit(t: TestContext, extra = 'allow_anonymous false') {
  const scratch = tempDir(t);
  const file = join(scratch, 'dynsec.json');
  const init = await ctrl(['dynsec', 'init', file, 'admin', 'adminpw']);
  assert.equal(init.code, 0);
  assert.match(
    init.out,
    /^The client 'admin' has been created in the file '.*dynsec.json'/,
  );
  const midge = await startInProcess(t, `${extra}\n${pluginLines}`, {
    files: { 'dynsec.json': readFileSync(file) },
  });
  const admin = as(midge.port);
  /** Runs `dynsec <args>` as admin; fails the test unless it worked. */
  const ok = async (...args: string[]) => {
    const run = await ctrl([...admin, 'dynsec', ...args]);
    assert.deepEqual([run.code, run.err], [0, ''], `dynsec ${args.join(' ')}`);
    return run.out;
  };
  return { midge, admin, ok, file: join(midge.dir, 'dynsec.json') };
}

describe('dynsec session - midge_ctrl against midge', () => {
  test('session - clients, roles and ACLs take effect at once', async (t) => {
    const { midge, ok, file } = await midgeWithInit(t);
    const port = midge.port;
    await ok('createRole', 'sensors');
    await ok('addRoleACL', 'sensors', 'publishClientSend', 'sensors/#', 'allow');
    await ok('addRoleACL', 'sensors', 'subscribePattern', 'sensors/#', 'allow');
    await ok('createClient', 'alice', '-p', 'apw', '-c', 'alice-1');
    await ok('addClientRole', 'alice', 'sensors', '5');
    assert.equal(
      await ok('getClient', 'alice'),
      'Username: alice\nClientid: alice-1\nRoles:    sensors (priority: 5)\n',
    );
    assert.equal(await ok('listClients'), 'admin\nalice\n');
    assert.match(readFileSync(file, 'utf8'), /"username":\t"alice"/);

    const alice = await mustLogin(t, port, {
      username: 'alice',
      password: 'apw',
      clientId: 'alice-1',
    });
    const granted = await alice.client.subscribe(['sensors/#', 'other/#'], { qos: 1 });
    assert.deepEqual(
      granted.granted.map((g) => g.reasonCode),
      [1, ReasonCode.NotAuthorized],
    );
    await alice.client.publish('sensors/t', 'ok', { qos: 1 });
    await assert.rejects(alice.client.publish('other/t', 'no', { qos: 1 }), (e: Error) =>
      /NotAuthorized/.test(e.message),
    );
    await until(() => alice.messages.length === 1);
    assert.equal(alice.messages[0]!.topic, 'sensors/t');

    // Wrong password, wrong client id: refused.
    const wrong = { username: 'alice', password: 'bad', clientId: 'alice-1' };
    assert.equal(await login(t, port, wrong), ReasonCode.NotAuthorized);
    const otherId = { username: 'alice', password: 'apw', clientId: 'x' };
    assert.equal(await login(t, port, otherId), ReasonCode.NotAuthorized);
  });

  test('session - disabling, a new password and ACL changes disconnect', async (t) => {
    const { midge, ok } = await midgeWithInit(t);
    const port = midge.port;
    await ok('createRole', 'r');
    await ok('createClient', 'bob', '-p', 'one');
    await ok('addClientRole', 'bob', 'r');
    const creds = { username: 'bob', password: 'one', clientId: 'bob' };
    let bob = await mustLogin(t, port, creds);
    await ok('disableClient', 'bob');
    await within(bob.closed);
    assert.equal(await login(t, port, creds), ReasonCode.NotAuthorized);
    await ok('enableClient', 'bob');
    bob = await mustLogin(t, port, creds);
    await ok('setClientPassword', 'bob', 'two');
    await within(bob.closed);
    assert.equal(await login(t, port, creds), ReasonCode.NotAuthorized);
    bob = await mustLogin(t, port, { ...creds, password: 'two' });
    await ok('addRoleACL', 'r', 'publishClientSend', 'x', 'allow');
    await within(bob.closed);
  });

  test('session - answers, errors, prompts as mosquitto_ctrl prints them', async (t) => {
    const { midge, admin, ok } = await midgeWithInit(t);
    const missing = await ctrl([...admin, 'dynsec', 'getClient', 'nobody']);
    assert.deepEqual(missing, {
      code: 0,
      out: '',
      err: 'getClient: Error: Client not found\n',
    });
    assert.equal(
      await ok('getDefaultACLAccess'),
      'publishClientSend    : deny\npublishClientReceive : allow\n' +
        'subscribe            : deny\nunsubscribe          : allow\n',
    );
    await ok('createGroup', 'g');
    await ok('createRole', 'r');
    await ok('addGroupRole', 'g', 'r', '3');
    const prompted = await ctrl(
      [...admin, 'dynsec', 'createClient', 'carol'],
      ['pw', 'pw'],
    );
    assert.equal(prompted.code, 0);
    assert.match(
      prompted.out,
      /New password for carol: \nReenter password for carol: \n$/,
    );
    await ok('addGroupClient', 'g', 'carol');
    assert.equal(
      await ok('getGroup', 'g'),
      'Groupname: g\nRoles:     r (priority: 3)\nClients:   carol\n',
    );
    await ok('addRoleACL', 'r', 'subscribeLiteral', 'a/b', 'deny', '7');
    assert.equal(
      await ok('getRole', 'r'),
      'Rolename: r\nACLs:     subscribeLiteral     : deny  : a/b (priority: 7)\n',
    );
    // -u without -P asks for the password.
    const asked = await ctrl(
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(midge.port),
        '-u',
        'admin',
        'dynsec',
        'listGroups',
      ],
      ['adminpw'],
    );
    assert.deepEqual(asked, { code: 0, out: 'Password for admin: \ng\n', err: '' });
    // MQTT 3.1.1 and 3.1 work as well as 5.0.
    for (const v of ['311', '31']) {
      const old = await ctrl([...admin, '-V', v, 'dynsec', 'listGroups']);
      assert.deepEqual(old, { code: 0, out: 'g\n', err: '' });
    }
    // A refused login prints the reason and exits 0, as mosquitto_ctrl.
    const refused = await ctrl([...as(midge.port, 'admin', 'x'), 'dynsec', 'listRoles']);
    assert.deepEqual(refused, {
      code: 0,
      out: '',
      err: 'Connection error: Not authorized\n',
    });
  });

  test('session - an admin who changes their own rights gets no answer', async (t) => {
    const { admin, ok } = await midgeWithInit(t);
    await ok('createRole', 'r');
    // As with Mosquitto: the admin is disconnected before the answer.
    const self = await ctrl([...admin, 'dynsec', 'addClientRole', 'admin', 'r']);
    assert.deepEqual(self, { code: 0, out: '', err: '' });
    assert.match(await ok('getClient', 'admin'), /\n {10}r \(priority: -1\)\n$/);
  });

  test('session - the response topic is only for those allowed to read it', async (t) => {
    const { midge, ok } = await midgeWithInit(t);
    await ok('createClient', 'eve', '-p', 'e');
    const eve = await mustLogin(t, midge.port, { username: 'eve', password: 'e' });
    const topic = '$CONTROL/dynamic-security/v1/response';
    const granted = await eve.client.subscribe(topic);
    assert.equal(granted.granted[0]!.reasonCode, ReasonCode.NotAuthorized);
    // Nor may she send commands: default access never opens $CONTROL.
    await ok('setDefaultACLAccess', 'publishClientSend', 'allow');
    await eve.client
      .publish('$CONTROL/dynamic-security/v1', '{"commands":[]}', { qos: 1 })
      .then(
        () => assert.fail('the request was accepted'),
        (e: Error) => assert.match(e.message, /NotAuthorized/),
      );
  });
});

describe('dynsec session - anonymous clients', () => {
  test('anonymous - the anonymous group gives rights to nameless clients', async (t) => {
    const { midge, ok } = await midgeWithInit(t, 'allow_anonymous true');
    await ok('createRole', 'guest');
    await ok('addRoleACL', 'guest', 'subscribePattern', 'public/#', 'allow');
    await ok('createGroup', 'guests');
    await ok('addGroupRole', 'guests', 'guest');
    const anon = await mustLogin(t, midge.port, { clientId: 'anon' });
    const before = await anon.client.subscribe('public/#');
    assert.equal(before.granted[0]!.reasonCode, ReasonCode.NotAuthorized);
    await ok('setAnonymousGroup', 'guests');
    // Setting the anonymous group disconnects anonymous clients.
    await within(anon.closed);
    const again = await mustLogin(t, midge.port, { clientId: 'anon2' });
    const after = await again.client.subscribe('public/#');
    assert.equal(after.granted[0]!.reasonCode, 0);
    assert.equal(await ok('getAnonymousGroup'), 'guests\n');
  });

  test('anonymous - without plugin_opt_config_file the plugin stays idle', async (t) => {
    const midge = await startInProcess(
      t,
      `allow_anonymous true\n${pluginLines.split('\n')[0]}`,
    );
    assert.ok(
      midge.lines.some((l) => l.includes('has no plugin_opt_config_file defined')),
      midge.lines.join('\n'),
    );
    await mustLogin(t, midge.port, { clientId: 'a' });
  });
});
