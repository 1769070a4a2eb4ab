/**
 * The config file: Mosquitto's files load, midge writes them back byte
 * for byte, saving is atomic, and broken entries are skipped as Mosquitto
 * skips them. The fixtures were written by Debian's Mosquitto 2.0.11:
 * mosquitto-init by `mosquitto_ctrl dynsec init ... admin adminpw`, and
 * mosquitto-saved by its plugin after a session of commands (passwords:
 * admin/adminpw, u1/np).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DynamicSecurity } from '../../../src/dynsec/index.js';
import { harness } from './helpers.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const saved = readFileSync(join(fixtures, 'mosquitto-saved.json.txt'), 'utf8');
const init = readFileSync(join(fixtures, 'mosquitto-init.json.txt'), 'utf8');

describe('dynsec config - Mosquitto files', () => {
  test('config - a file saved by Mosquitto is saved back unchanged', (t) => {
    const h = harness(t, saved);
    assert.ok(h.ds.save());
    assert.equal(readFileSync(h.file, 'utf8'), saved);
  });

  test('config - the init file: admin logs in and administers', async (t) => {
    const h = harness(t, init);
    const ds = h.ds;
    assert.equal(await ds.authenticate('admin', Buffer.from('adminpw'), 'any'), 'allow');
    assert.equal(await ds.authenticate('admin', Buffer.from('wrong'), 'any'), 'deny');
    const admin = { username: 'admin' };
    assert.equal(ds.checkAcl(admin, '$CONTROL/dynamic-security/v1', 'write'), 'allow');
    assert.equal(ds.checkAcl(admin, '$CONTROL/dynamic-security/#', 'subscribe'), 'allow');
    assert.equal(ds.checkAcl(admin, '$SYS/broker/uptime', 'read'), 'allow');
    // Not allowed to publish to ordinary topics, as the init file intends.
    assert.equal(ds.checkAcl(admin, 'a/b', 'write'), 'defer');
    // textName (as init writes it) is read; saved as textname.
    h.ds.save();
    assert.match(readFileSync(h.file, 'utf8'), /"textname":\t"Dynsec admin user"/);
  });

  test('config - a saved client logs in with its password', async (t) => {
    const h = harness(t, saved);
    assert.equal(await h.ds.authenticate('u1', Buffer.from('np'), 'x'), 'allow');
    assert.equal(h.ds.state.anonymousGroup?.name, 'anon');
  });
});

describe('dynsec config - saving', () => {
  test('config - each changing request is saved at once, atomically', (t) => {
    const h = harness(t, init);
    h.ok({ command: 'createRole', rolename: 'r1' });
    assert.match(readFileSync(h.file, 'utf8'), /"rolename":\t"r1"/);
    assert.equal(existsSync(`${h.file}.new`), false);
    // Reading requests do not rewrite the file.
    const before = statSync(h.file).mtimeMs;
    writeFileSync(h.file, readFileSync(h.file));
    const touched = statSync(h.file).mtimeMs;
    h.ok({ command: 'listRoles' });
    assert.equal(statSync(h.file).mtimeMs, touched);
    assert.ok(touched >= before);
  });

  test('config - the file keeps its permissions', (t) => {
    const h = harness(t, init);
    chmodSync(h.file, 0o600);
    h.ok({ command: 'createRole', rolename: 'r1' });
    assert.equal(statSync(h.file).mode & 0o777, 0o600);
  });

  test('config - a file that cannot be written: logged, change kept', (t) => {
    const h = harness(t);
    const ds = new DynamicSecurity({
      configFile: join(h.dir, 'no-such-dir', 'f.json'),
      log: (_level, line) => h.logs.push(line),
    });
    ds.handleControl(
      Buffer.from('{"commands":[{"command":"createRole","rolename":"r"}]}'),
    );
    assert.ok(ds.state.roles.has('r'));
    assert.ok(
      h.logs.includes(
        'Error saving Dynamic security plugin config: ' +
          'File is not writable - check permissions.',
      ),
    );
  });
});

describe('dynsec config - loading', () => {
  test('config - missing, empty and broken files', (t) => {
    const missing = harness(t);
    assert.deepEqual(missing.logs, [
      'Error loading Dynamic security plugin config: ' +
        'File is not readable - check permissions.',
    ]);
    const empty = harness(t, '');
    assert.deepEqual(empty.logs, []);
    const broken = harness(t, '{"clients": [');
    assert.deepEqual(broken.logs, [
      'Error loading Dynamic security plugin config: File is not valid JSON.',
    ]);
    // Nothing is allowed by default without a file.
    assert.equal(broken.ds.checkAcl({ username: undefined }, 'a', 'read'), 'defer');
  });

  test('config - unusable entries are skipped, the rest kept', (t) => {
    const h = harness(t, {
      defaultACLAccess: { publishClientSend: true, subscribe: 'yes' },
      roles: [
        {
          rolename: 'r',
          acls: [{ acltype: 'publishClientSend', topic: 'a', allow: true }],
        },
        { rolename: 'r', acls: [] },
        { acls: [] },
      ],
      clients: [
        { username: 'ok', roles: [{ rolename: 'r', priority: 2 }, { rolename: 'gone' }] },
        { username: 'badsalt', password: 'x', salt: 'AAAA', iterations: 101 },
        { username: 'zero', password: 'x', salt: 'x', iterations: 0 },
        { username: 'ok', disabled: true },
        { password: 'p' },
        7,
      ],
      groups: [
        { groupname: 'g', clients: [{ username: 'ok' }, { username: 'ghost' }] },
        { groupname: 5 },
      ],
      anonymousGroup: 'g',
    });
    const { state } = h.ds;
    assert.deepEqual([...state.clients.keys()], ['ok']);
    assert.equal(state.clients.get('ok')!.disabled, false);
    assert.deepEqual(
      state.clients.get('ok')!.roles.map((l) => [l.role.name, l.priority]),
      [['r', 2]],
    );
    assert.equal(state.roles.get('r')!.acls.publishClientSend.length, 1);
    assert.deepEqual(
      state.groups.get('g')!.clients.map((l) => l.client.username),
      ['ok'],
    );
    assert.equal(state.anonymousGroup?.name, 'g');
    assert.deepEqual(state.defaultAccess, {
      publishClientSend: true,
      publishClientReceive: false,
      subscribe: false,
      unsubscribe: false,
    });
  });

  test('config - a top-level list of the wrong type stops the load there', (t) => {
    const h = harness(t, {
      roles: [{ rolename: 'r' }],
      clients: 'nope',
      groups: [{ groupname: 'g' }],
    });
    assert.ok(h.ds.state.roles.has('r'));
    assert.equal(h.ds.state.groups.size, 0);
  });
});
