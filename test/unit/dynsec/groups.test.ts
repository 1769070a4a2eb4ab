/**
 * Group commands and the anonymous group. Expected answers are Mosquitto
 * 2.0.11's, except where a test says midge departs from it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { harness } from './helpers.js';

describe('dynsec groups - create, get, list, delete', () => {
  test('createGroup - with roles; refusals', (t) => {
    const h = harness(t);
    h.ok({ command: 'createRole', rolename: 'r' });
    h.ok({
      command: 'createGroup',
      groupname: 'g',
      textname: 'T',
      textdescription: 'D',
      roles: [{ rolename: 'r', priority: 2 }],
    });
    assert.deepEqual(h.ok({ command: 'getGroup', groupname: 'g' }).data, {
      group: {
        groupname: 'g',
        textname: 'T',
        textdescription: 'D',
        clients: [],
        roles: [{ rolename: 'r', priority: 2 }],
      },
    });
    const cases: [object, string][] = [
      [{}, 'Invalid/missing groupname'],
      [{ groupname: '\ufffe' }, 'Group name not valid UTF-8'],
      [{ groupname: 'x', textname: 5 }, 'Invalid/missing textname'],
      [{ groupname: 'g' }, 'Group already exists'],
      [{ groupname: 'x', roles: [{ rolename: 'nope' }] }, 'Role not found'],
      // createGroup answers a malformed roles list this way in Mosquitto.
      [{ groupname: 'x', roles: 'r' }, 'Internal error'],
    ];
    for (const [args, error] of cases) {
      assert.equal(h.one({ command: 'createGroup', ...args }).error, error);
    }
    assert.equal(h.one({ command: 'getGroup', groupname: 'x' }).error, 'Group not found');
  });

  test('listGroups - names or full groups', (t) => {
    const h = harness(t);
    for (const g of ['g2', 'g1']) h.ok({ command: 'createGroup', groupname: g });
    h.ok({ command: 'createClient', username: 'u' });
    h.ok({ command: 'addGroupClient', groupname: 'g1', username: 'u', priority: 7 });
    assert.deepEqual(h.ok({ command: 'listGroups' }).data, {
      totalCount: 2,
      groups: ['g1', 'g2'],
    });
    assert.deepEqual(h.ok({ command: 'listGroups', verbose: true, count: 1 }).data, {
      totalCount: 2,
      groups: [{ groupname: 'g1', clients: [{ username: 'u' }], roles: [] }],
    });
  });

  test('deleteGroup - kicks its members, refuses the anonymous group', (t) => {
    const h = harness(t);
    h.ok({ command: 'createGroup', groupname: 'g' });
    h.ok({ command: 'createGroup', groupname: 'anon' });
    h.ok({ command: 'createClient', username: 'u', groups: [{ groupname: 'g' }] });
    h.ok({ command: 'setAnonymousGroup', groupname: 'anon' });
    h.kicks.length = 0;
    h.ok({ command: 'deleteGroup', groupname: 'g' });
    assert.deepEqual(h.kicks, ['u']);
    assert.deepEqual(h.ds.state.clients.get('u')!.groups, []);
    // Mosquitto 2.1's answer; 2.0.11 deletes it and then crashes.
    assert.deepEqual(h.one({ command: 'deleteGroup', groupname: 'anon' }), {
      command: 'deleteGroup',
      error: 'Deleting the anonymous group is forbidden',
    });
    assert.equal(
      h.one({ command: 'deleteGroup', groupname: 'g' }).error,
      'Group not found',
    );
  });
});

describe('dynsec groups - members and roles', () => {
  test('addGroupClient / removeGroupClient - kick the user even on refusal', (t) => {
    const h = harness(t);
    h.ok({ command: 'createGroup', groupname: 'g' });
    h.ok({ command: 'createClient', username: 'u' });
    h.ok({ command: 'addGroupClient', groupname: 'g', username: 'u', priority: 4 });
    assert.deepEqual(h.ok({ command: 'getClient', username: 'u' }).data, {
      client: { username: 'u', roles: [], groups: [{ groupname: 'g', priority: 4 }] },
    });
    const cases: [object, string][] = [
      [{ groupname: 'g', username: 'u' }, 'Client is already in this group'],
      [{ groupname: 'x', username: 'u' }, 'Group not found'],
      [{ groupname: 'g', username: 'x' }, 'Client not found'],
      [{ username: 'u' }, 'Invalid/missing groupname'],
    ];
    for (const [args, error] of cases) {
      assert.equal(h.one({ command: 'addGroupClient', ...args }).error, error);
    }
    assert.deepEqual(h.kicks, ['u', 'u', 'u', 'x']);
    h.ok({ command: 'removeGroupClient', groupname: 'g', username: 'u' });
    // Not a member: still fine, as in Mosquitto.
    h.ok({ command: 'removeGroupClient', groupname: 'g', username: 'u' });
    const missing = h.one({
      command: 'removeGroupClient',
      groupname: 'x',
      username: 'u',
    });
    assert.equal(missing.error, 'Group not found');
  });

  test('addGroupRole / removeGroupRole - kick every member', (t) => {
    const h = harness(t);
    h.ok({ command: 'createRole', rolename: 'r' });
    h.ok({ command: 'createGroup', groupname: 'g' });
    for (const u of ['u1', 'u2']) {
      h.ok({ command: 'createClient', username: u, groups: [{ groupname: 'g' }] });
    }
    h.ok({ command: 'addGroupRole', groupname: 'g', rolename: 'r', priority: 1 });
    assert.deepEqual(h.kicks, ['u1', 'u2']);
    const again = h.one({ command: 'addGroupRole', groupname: 'g', rolename: 'r' });
    assert.equal(again.error, 'Group is already in this role');
    assert.equal(
      h.one({ command: 'addGroupRole', groupname: 'g', rolename: 'x' }).error,
      'Role not found',
    );
    h.ok({ command: 'removeGroupRole', groupname: 'g', rolename: 'r' });
    assert.deepEqual(h.ds.state.groups.get('g')!.roles, []);
    assert.equal(h.ds.state.roles.get('r')!.groups.size, 0);
  });

  test('modifyGroup - replaces roles and members, kicks old and new members', (t) => {
    const h = harness(t);
    for (const r of ['ra', 'rb']) h.ok({ command: 'createRole', rolename: r });
    h.ok({ command: 'createGroup', groupname: 'g', roles: [{ rolename: 'ra' }] });
    h.ok({ command: 'createClient', username: 'old', groups: [{ groupname: 'g' }] });
    h.ok({ command: 'createClient', username: 'new' });
    h.kicks.length = 0;
    h.ok({
      command: 'modifyGroup',
      groupname: 'g',
      textname: 'GT',
      roles: [{ rolename: 'rb', priority: 2 }],
      clients: [{ username: 'new', priority: 5 }, { username: 'nobody' }],
    });
    assert.deepEqual(h.ok({ command: 'getGroup', groupname: 'g' }).data, {
      group: {
        groupname: 'g',
        textname: 'GT',
        clients: [{ username: 'new' }],
        roles: [{ rolename: 'rb', priority: 2 }],
      },
    });
    assert.deepEqual(h.ds.state.clients.get('new')!.groups[0]!.priority, 5);
    assert.deepEqual(h.ds.state.clients.get('old')!.groups, []);
    assert.deepEqual(new Set(h.kicks), new Set(['old', 'new']));
    // The role links are kept in both directions.
    assert.equal(h.ds.state.roles.get('ra')!.groups.size, 0);
    assert.equal(h.ds.state.roles.get('rb')!.groups.size, 1);
    const cases: [object, string][] = [
      [{ groupname: 'x' }, 'Group not found'],
      [{ groupname: 'g', roles: [{ rolename: 'x' }] }, 'Role not found'],
      [{ groupname: 'g', roles: 5 }, "'roles' not an array or missing/invalid rolename"],
    ];
    for (const [args, error] of cases) {
      assert.equal(h.one({ command: 'modifyGroup', ...args }).error, error);
    }
  });
});

describe('dynsec groups - anonymous group', () => {
  test('setAnonymousGroup / getAnonymousGroup', (t) => {
    const h = harness(t);
    assert.deepEqual(h.ok({ command: 'getAnonymousGroup' }).data, {
      group: { groupname: '' },
    });
    h.ok({ command: 'createGroup', groupname: 'guests' });
    h.ok({ command: 'setAnonymousGroup', groupname: 'guests' });
    assert.deepEqual(h.kicks, [null], 'clients without a username are disconnected');
    assert.deepEqual(h.ok({ command: 'getAnonymousGroup' }).data, {
      group: { groupname: 'guests' },
    });
    const missing = h.one({ command: 'setAnonymousGroup', groupname: 'x' });
    assert.equal(missing.error, 'Group not found');
    // A change to the anonymous group's roles disconnects anonymous clients.
    h.ok({ command: 'createRole', rolename: 'r' });
    h.kicks.length = 0;
    h.ok({ command: 'addGroupRole', groupname: 'guests', rolename: 'r' });
    assert.deepEqual(h.kicks, [null]);
    h.kicks.length = 0;
    h.ok({ command: 'deleteRole', rolename: 'r' });
    assert.deepEqual(h.kicks, [null]);
  });
});
