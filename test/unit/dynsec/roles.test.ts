/**
 * Role commands. Expected answers are Mosquitto 2.0.11's; modifyRole's
 * kick follows Mosquitto 2.1.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { harness } from './helpers.js';

describe('dynsec roles - create, get, list, delete', () => {
  test('createRole - ACLs sorted by type then priority, kept as given', (t) => {
    const h = harness(t);
    h.ok({
      command: 'createRole',
      rolename: 'rb',
      textname: 'TN',
      acls: [
        { acltype: 'subscribePattern', topic: 'x/#', allow: true, priority: 3 },
        { acltype: 'publishClientSend', topic: 'a/+', priority: 2.7 },
        { acltype: 'bogus', topic: 'q' },
        { acltype: 'publishClientSend', topic: 'a/#/b', allow: true },
        { acltype: 'publishClientSend', topic: 'z', priority: 9 },
        { acltype: 'PUBLISHCLIENTSEND', topic: 'a/+', priority: 5 },
        { acltype: 'publishClientSend' },
      ],
    });
    assert.deepEqual(h.ok({ command: 'getRole', rolename: 'rb' }).data, {
      role: {
        rolename: 'rb',
        textname: 'TN',
        acls: [
          { acltype: 'publishClientSend', topic: 'z', priority: 9, allow: false },
          { acltype: 'publishClientSend', topic: 'a/+', priority: 5, allow: false },
          { acltype: 'publishClientSend', topic: 'a/+', priority: 2, allow: false },
          { acltype: 'publishClientSend', topic: 'a/#/b', priority: 0, allow: true },
          { acltype: 'subscribePattern', topic: 'x/#', priority: 3, allow: true },
        ],
      },
    });
    const cases: [object, string][] = [
      [{}, 'Invalid/missing rolename'],
      [{ rolename: 'x', textdescription: 1 }, 'Invalid/missing textdescription'],
      [{ rolename: 'rb' }, 'Role already exists'],
    ];
    for (const [args, error] of cases) {
      assert.equal(h.one({ command: 'createRole', ...args }).error, error);
    }
  });

  test('listRoles and getRole', (t) => {
    const h = harness(t);
    for (const r of ['b', 'a']) h.ok({ command: 'createRole', rolename: r });
    assert.deepEqual(h.ok({ command: 'listRoles' }).data, {
      totalCount: 2,
      roles: ['a', 'b'],
    });
    assert.deepEqual(h.ok({ command: 'listRoles', verbose: true, offset: 1 }).data, {
      totalCount: 2,
      roles: [{ rolename: 'b', acls: [] }],
    });
    assert.equal(h.one({ command: 'getRole', rolename: 'c' }).error, 'Role not found');
  });

  test('deleteRole - unlinks it everywhere, kicks whoever held it', (t) => {
    const h = harness(t);
    h.ok({ command: 'createRole', rolename: 'r' });
    h.ok({ command: 'createGroup', groupname: 'g', roles: [{ rolename: 'r' }] });
    h.ok({ command: 'createClient', username: 'direct', roles: [{ rolename: 'r' }] });
    h.ok({ command: 'createClient', username: 'member', groups: [{ groupname: 'g' }] });
    h.ok({ command: 'deleteRole', rolename: 'r' });
    assert.deepEqual(new Set(h.kicks), new Set(['direct', 'member']));
    assert.deepEqual(h.ds.state.clients.get('direct')!.roles, []);
    assert.deepEqual(h.ds.state.groups.get('g')!.roles, []);
    assert.equal(h.one({ command: 'deleteRole', rolename: 'r' }).error, 'Role not found');
  });
});

describe('dynsec roles - ACLs', () => {
  test('addRoleACL - defaults, checks in Mosquitto order', (t) => {
    const h = harness(t);
    h.ok({ command: 'createRole', rolename: 'r' });
    h.ok({
      command: 'addRoleACL',
      rolename: 'r',
      acltype: 'publishClientSend',
      topic: 't/1',
    });
    h.ok({
      command: 'addRoleACL',
      rolename: 'r',
      acltype: 'publishClientSend',
      topic: 't/2',
      allow: true,
      priority: '7',
    });
    // An empty topic passes Mosquitto's filter check.
    h.ok({
      command: 'addRoleACL',
      rolename: 'r',
      acltype: 'subscribeLiteral',
      topic: '',
    });
    const acls = (
      h.ok({ command: 'getRole', rolename: 'r' }).data as { role: { acls: [] } }
    ).role.acls;
    assert.deepEqual(acls, [
      { acltype: 'publishClientSend', topic: 't/1', priority: 0, allow: false },
      { acltype: 'publishClientSend', topic: 't/2', priority: 0, allow: true },
      { acltype: 'subscribeLiteral', topic: '', priority: 0, allow: false },
    ]);
    const base = { rolename: 'r', acltype: 'publishClientSend' };
    const cases: [object, string][] = [
      [{ ...base, rolename: 'x', topic: 't' }, 'Role not found'],
      [{ rolename: 'r', topic: 't' }, 'Invalid/missing acltype'],
      [{ ...base, acltype: 'xx', topic: 't' }, 'Unknown acltype'],
      [base, 'Invalid/missing topic'],
      [{ ...base, topic: 5 }, 'Invalid/missing topic'],
      [{ ...base, topic: 't/#/x' }, 'Invalid ACL topic'],
      [{ ...base, topic: 'a+' }, 'Invalid ACL topic'],
      [{ ...base, topic: `${'a/'.repeat(201)}a` }, 'Invalid ACL topic'],
      [{ ...base, topic: 'bad\u0001' }, 'Topic not valid UTF-8'],
      [{ ...base, topic: 't/1' }, 'ACL with this topic already exists'],
    ];
    for (const [args, error] of cases) {
      assert.equal(
        h.one({ command: 'addRoleACL', ...args }).error,
        error,
        JSON.stringify(args),
      );
    }
  });

  test('add/removeRoleACL - kick the role holders', (t) => {
    const h = harness(t);
    h.ok({ command: 'createRole', rolename: 'r' });
    h.ok({ command: 'createClient', username: 'u', roles: [{ rolename: 'r' }] });
    const acl = { rolename: 'r', acltype: 'subscribePattern', topic: 'a/#' };
    h.ok({ command: 'addRoleACL', ...acl, allow: true });
    assert.deepEqual(h.kicks, ['u']);
    assert.equal(
      h.one({ command: 'removeRoleACL', ...acl, acltype: 'subscribeLiteral' }).error,
      'ACL not found',
    );
    h.ok({ command: 'removeRoleACL', ...acl, acltype: 'SUBSCRIBEPATTERN' });
    assert.deepEqual(h.kicks, ['u', 'u']);
    assert.equal(
      h.one({ command: 'removeRoleACL', rolename: 'r', acltype: 'subscribePattern' })
        .error,
      'Invalid/missing topic',
    );
  });

  test('modifyRole - replaces the ACLs and kicks; text alone kicks nobody', (t) => {
    const h = harness(t);
    h.ok({
      command: 'createRole',
      rolename: 'r',
      acls: [{ acltype: 'publishClientSend', topic: 'a', allow: true }],
    });
    h.ok({ command: 'createClient', username: 'u', roles: [{ rolename: 'r' }] });
    h.ok({ command: 'modifyRole', rolename: 'r', textdescription: 'RD' });
    assert.deepEqual(h.kicks, []);
    h.ok({
      command: 'modifyRole',
      rolename: 'r',
      acls: [{ acltype: 'unsubscribePattern', topic: 'u/#', priority: -5 }],
    });
    assert.deepEqual(h.kicks, ['u']);
    assert.deepEqual(h.ok({ command: 'getRole', rolename: 'r' }).data, {
      role: {
        rolename: 'r',
        textdescription: 'RD',
        acls: [
          { acltype: 'unsubscribePattern', topic: 'u/#', priority: -5, allow: false },
        ],
      },
    });
    assert.equal(
      h.one({ command: 'modifyRole', rolename: 'x' }).error,
      'Role does not exist',
    );
  });
});
