/**
 * Client commands. The expected answers are those Mosquitto 2.0.11 gives
 * to the same requests (observed with its dynamic-security plugin).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { harness } from './helpers.js';

describe('dynsec clients - createClient', () => {
  test('createClient - all fields, then getClient shows them', (t) => {
    const h = harness(t);
    h.ok({ command: 'createRole', rolename: 'r' });
    h.ok({ command: 'createGroup', groupname: 'g' });
    h.ok({
      command: 'createClient',
      username: 'u1',
      password: 'p',
      clientid: 'c1',
      textname: 'T',
      textdescription: 'D',
      roles: [{ rolename: 'r', priority: 3 }],
      groups: [{ groupname: 'g' }],
    });
    assert.deepEqual(h.one({ command: 'getClient', username: 'u1' }), {
      command: 'getClient',
      data: {
        client: {
          username: 'u1',
          clientid: 'c1',
          textname: 'T',
          textdescription: 'D',
          roles: [{ rolename: 'r', priority: 3 }],
          groups: [{ groupname: 'g' }],
        },
      },
    });
    assert.deepEqual(h.kicks, []);
    assert.ok(
      h.logs.includes('dynsec: ctl/admin | createClient | username=u1 | password=*****'),
    );
  });

  test('createClient - refusals', (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u1' });
    const cases: [object, string][] = [
      [{}, 'Invalid/missing username'],
      [{ username: 5 }, 'Invalid/missing username'],
      [{ username: 'bad\u0001' }, 'Username not valid UTF-8'],
      [{ username: 'x', password: 1 }, 'Invalid/missing password'],
      [{ username: 'x', clientid: true }, 'Invalid/missing client id'],
      [{ username: 'x', clientid: '\u007f' }, 'Client ID not valid UTF-8'],
      [{ username: 'x', textname: 5 }, 'Invalid/missing textname'],
      [{ username: 'x', textdescription: [] }, 'Invalid/missing textdescription'],
      [{ username: 'u1' }, 'Client already exists'],
      [{ username: 'x', roles: [{ rolename: 'nope' }] }, 'Role not found'],
      [{ username: 'x', roles: 'r' }, "'roles' not an array or missing/invalid rolename"],
      [
        { username: 'x', roles: [{ x: 1 }] },
        "'roles' not an array or missing/invalid rolename",
      ],
      [{ username: 'x', groups: [{ groupname: 'nope' }] }, 'Group not found'],
    ];
    for (const [args, error] of cases) {
      assert.deepEqual(h.one({ command: 'createClient', ...args }), {
        command: 'createClient',
        error,
      });
    }
    // Refused creations leave nothing behind.
    const list = h.ok({ command: 'listClients' });
    assert.deepEqual(list.data, { totalCount: 1, clients: ['u1'] });
  });

  test('createClient - an empty client id is none; an empty password is one', (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u', clientid: '', password: '' });
    const client = h.ds.state.clients.get('u')!;
    assert.equal(client.clientId, undefined);
    assert.ok(client.password);
  });
});

describe('dynsec clients - changes that disconnect the client', () => {
  test('deleteClient - removes it from its groups and roles, kicks it', (t) => {
    const h = harness(t);
    h.ok({ command: 'createRole', rolename: 'r' });
    h.ok({ command: 'createGroup', groupname: 'g' });
    h.ok({ command: 'createClient', username: 'u', roles: [{ rolename: 'r' }] });
    h.ok({ command: 'addGroupClient', groupname: 'g', username: 'u' });
    h.kicks.length = 0;
    h.ok({ command: 'deleteClient', username: 'u' });
    assert.deepEqual(h.kicks, ['u']);
    const group = h.ok({ command: 'getGroup', groupname: 'g' }).data;
    assert.deepEqual(group, { group: { groupname: 'g', clients: [], roles: [] } });
    assert.equal(h.ds.state.roles.get('r')!.clients.size, 0);
    assert.deepEqual(
      h.one({ command: 'deleteClient', username: 'u' }).error,
      'Client not found',
    );
  });

  test('disableClient / enableClient', (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u' });
    h.ok({ command: 'disableClient', username: 'u' });
    assert.deepEqual(h.kicks, ['u']);
    assert.deepEqual(h.ok({ command: 'getClient', username: 'u' }).data, {
      client: { username: 'u', disabled: true, roles: [], groups: [] },
    });
    h.ok({ command: 'enableClient', username: 'u' });
    assert.deepEqual(h.kicks, ['u'], 'enabling disconnects nobody');
    assert.equal(h.ds.state.clients.get('u')!.disabled, false);
    assert.equal(
      h.one({ command: 'enableClient', username: 'x' }).error,
      'Client not found',
    );
    assert.equal(h.one({ command: 'disableClient' }).error, 'Invalid/missing username');
  });

  test('setClientId - sets, removes, refuses', (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u' });
    h.ok({ command: 'setClientId', username: 'u', clientid: 'c1' });
    assert.equal(h.ds.state.clients.get('u')!.clientId, 'c1');
    h.ok({ command: 'setClientId', username: 'u' });
    assert.equal(h.ds.state.clients.get('u')!.clientId, undefined);
    assert.deepEqual(h.kicks, ['u', 'u']);
    const bad = h.one({ command: 'setClientId', username: 'u', clientid: 5 });
    assert.equal(bad.error, 'Invalid/missing client ID');
    const none = h.one({ command: 'setClientId', username: 'x', clientid: 'c' });
    assert.equal(none.error, 'Client not found');
  });

  test('setClientPassword - changes the hash, refuses empty', (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u', password: 'a' });
    const before = h.ds.state.clients.get('u')!.password!;
    h.ok({ command: 'setClientPassword', username: 'u', password: 'b' });
    const after = h.ds.state.clients.get('u')!.password!;
    assert.notDeepEqual(after.hash, before.hash);
    assert.deepEqual(h.kicks, ['u']);
    const cases: [object, string][] = [
      [{ username: 'u' }, 'Invalid/missing password'],
      [{ username: 'u', password: '' }, 'Empty password is not allowed'],
      [{ username: 'x', password: 'a' }, 'Client not found'],
    ];
    for (const [args, error] of cases) {
      assert.equal(h.one({ command: 'setClientPassword', ...args }).error, error);
    }
    assert.ok(
      h.logs.some((l) => l.endsWith('setClientPassword | username=u | password=******')),
    );
  });

  test('addClientRole / removeClientRole', (t) => {
    const h = harness(t);
    h.ok({ command: 'createRole', rolename: 'r' });
    h.ok({ command: 'createClient', username: 'u' });
    h.ok({ command: 'addClientRole', username: 'u', rolename: 'r', priority: 4 });
    assert.deepEqual(h.kicks, ['u']);
    // Mosquitto 2.0.11's answer to a role the client already has.
    const again = h.one({ command: 'addClientRole', username: 'u', rolename: 'r' });
    assert.equal(again.error, 'Internal error');
    const cases: [object, string][] = [
      [{ username: 'x', rolename: 'r' }, 'Client not found'],
      [{ username: 'u', rolename: 'x' }, 'Role not found'],
      [{ username: 'u' }, 'Invalid/missing rolename'],
      [{ username: 'u', rolename: '\u0000' }, 'Role not found'],
    ];
    for (const [args, error] of cases) {
      assert.equal(h.one({ command: 'addClientRole', ...args }).error, error);
    }
    h.ok({ command: 'removeClientRole', username: 'u', rolename: 'r' });
    // Removing a role the client does not have is not an error.
    h.ok({ command: 'removeClientRole', username: 'u', rolename: 'r' });
    assert.deepEqual(h.ds.state.clients.get('u')!.roles, []);
  });
});

describe('dynsec clients - modifyClient', () => {
  test('modifyClient - replaces what it is given', (t) => {
    const h = harness(t);
    for (const r of ['ra', 'rb']) h.ok({ command: 'createRole', rolename: r });
    h.ok({ command: 'createGroup', groupname: 'g1' });
    h.ok({ command: 'createGroup', groupname: 'g2' });
    h.ok({
      command: 'createClient',
      username: 'u',
      textname: 'T',
      textdescription: 'D',
      roles: [{ rolename: 'ra' }],
      groups: [{ groupname: 'g1' }],
    });
    h.ok({
      command: 'modifyClient',
      username: 'u',
      clientid: 'cc',
      password: 'np',
      textname: 'T2',
      roles: [
        { rolename: 'rb', priority: 1 },
        { rolename: 'ra', priority: 1 },
      ],
      groups: [{ groupname: 'g2' }, { groupname: 'nope' }],
    });
    assert.deepEqual(h.ok({ command: 'getClient', username: 'u' }).data, {
      client: {
        username: 'u',
        clientid: 'cc',
        textname: 'T2',
        textdescription: 'D',
        roles: [
          { rolename: 'ra', priority: 1 },
          { rolename: 'rb', priority: 1 },
        ],
        groups: [{ groupname: 'g2' }],
      },
    });
    const g1 = h.ok({ command: 'getGroup', groupname: 'g1' }).data as {
      group: { clients: unknown[] };
    };
    assert.deepEqual(g1.group.clients, []);
    assert.deepEqual(h.kicks, ['u']);
  });

  test('modifyClient - a bad roles list refuses after earlier fields changed', (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u' });
    const answer = h.one({
      command: 'modifyClient',
      username: 'u',
      textname: 'changed',
      roles: [{ rolename: 'nope' }],
    });
    assert.equal(answer.error, 'Role not found');
    assert.equal(h.ds.state.clients.get('u')!.textName, 'changed');
    const bad = h.one({ command: 'modifyClient', username: 'u', roles: 'x' });
    assert.equal(bad.error, "'roles' not an array or missing/invalid rolename");
    assert.equal(
      h.one({ command: 'modifyClient', username: 'x' }).error,
      'Client not found',
    );
    // A field of the wrong type is ignored, not refused.
    h.ok({ command: 'modifyClient', username: 'u', textname: 5, clientid: '' });
  });
});

describe('dynsec clients - listClients', () => {
  test('listClients - sorted by name, paged, verbose', (t) => {
    const h = harness(t);
    for (const u of ['b', 'a', 'é', 'c', 'Z'])
      h.ok({ command: 'createClient', username: u });
    const list = (args: object) => h.ok({ command: 'listClients', ...args }).data;
    assert.deepEqual(list({}), { totalCount: 5, clients: ['Z', 'a', 'b', 'c', 'é'] });
    assert.deepEqual(list({ count: 2, offset: 1 }), {
      totalCount: 5,
      clients: ['a', 'b'],
    });
    // Mosquitto's paging: count 0 still gives one entry, negatives mean all.
    assert.deepEqual(list({ count: 0 }), { totalCount: 5, clients: ['Z'] });
    assert.deepEqual(list({ count: -5, offset: -2 }), {
      totalCount: 5,
      clients: ['Z', 'a', 'b', 'c', 'é'],
    });
    assert.deepEqual(list({ offset: 10 }), { totalCount: 5, clients: [] });
    assert.deepEqual(list({ verbose: true, count: 1 }), {
      totalCount: 5,
      clients: [{ username: 'Z', roles: [], groups: [] }],
    });
    // A verbose flag that is not a boolean is false.
    assert.deepEqual(list({ verbose: 1, count: 1 }), { totalCount: 5, clients: ['Z'] });
  });
});
