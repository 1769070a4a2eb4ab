import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { harness } from './helpers.js';

function acl(acltype: string, topic: string, allow: boolean, priority = 0) {
  return { acltype, topic, allow, priority };
}

describe('dynsec acl - order of evaluation', () => {
  test('acl - the higher-priority ACL of a role decides', (t) => {
    const h = harness(t);
    h.ok({
      command: 'createRole',
      rolename: 'r',
      acls: [
        acl('publishClientSend', 'a/#', true, 1),
        acl('publishClientSend', 'a/secret', false, 5),
      ],
    });
    h.ok({ command: 'createClient', username: 'u', roles: [{ rolename: 'r' }] });
    const u = { username: 'u' };
    assert.equal(h.ds.checkAcl(u, 'a/secret', 'write'), 'deny');
    assert.equal(h.ds.checkAcl(u, 'a/open', 'write'), 'allow');
    h.ok({
      command: 'addRoleACL',
      rolename: 'r',
      acltype: 'publishClientSend',
      topic: 'a/+',
      allow: true,
      priority: 9,
    });
    assert.equal(h.ds.checkAcl(u, 'a/secret', 'write'), 'allow');
  });

  test('acl - equal priorities: the ACL added first decides', (t) => {
    const h = harness(t);
    h.ok({ command: 'createRole', rolename: 'r' });
    h.ok({ command: 'createClient', username: 'u', roles: [{ rolename: 'r' }] });
    for (const [topic, allow] of [
      ['x/#', false],
      ['x/+', true],
    ] as const) {
      h.ok({
        command: 'addRoleACL',
        rolename: 'r',
        acltype: 'publishClientSend',
        topic,
        allow,
      });
    }
    assert.equal(h.ds.checkAcl({ username: 'u' }, 'x/y', 'write'), 'deny');
  });

  test('acl - client roles before groups, and by priority in each', (t) => {
    const h = harness(t);
    h.ok({
      command: 'createRole',
      rolename: 'deny',
      acls: [acl('publishClientReceive', 't', false)],
    });
    h.ok({
      command: 'createRole',
      rolename: 'allow',
      acls: [acl('publishClientReceive', 't', true)],
    });
    h.ok({ command: 'createGroup', groupname: 'g', roles: [{ rolename: 'allow' }] });
    h.ok({ command: 'createClient', username: 'u', groups: [{ groupname: 'g' }] });
    const u = { username: 'u' };
    assert.equal(h.ds.checkAcl(u, 't', 'read'), 'allow');
    // A role of the client's own comes before any group's.
    h.ok({ command: 'addClientRole', username: 'u', rolename: 'deny', priority: -100 });
    assert.equal(h.ds.checkAcl(u, 't', 'read'), 'deny');
    h.ok({ command: 'removeClientRole', username: 'u', rolename: 'deny' });
    // Two groups: the higher priority one first.
    h.ok({ command: 'createGroup', groupname: 'g2', roles: [{ rolename: 'deny' }] });
    h.ok({ command: 'addGroupClient', groupname: 'g2', username: 'u', priority: 10 });
    assert.equal(h.ds.checkAcl(u, 't', 'read'), 'deny');
    // Two roles of one client: the higher priority one first.
    h.ok({ command: 'addClientRole', username: 'u', rolename: 'allow', priority: 2 });
    h.ok({ command: 'addClientRole', username: 'u', rolename: 'deny', priority: 1 });
    assert.equal(h.ds.checkAcl(u, 't', 'read'), 'allow');
    // Equal priorities: by role name ('allow' < 'deny').
    h.ok({ command: 'removeClientRole', username: 'u', rolename: 'deny' });
    h.ok({ command: 'addClientRole', username: 'u', rolename: 'deny', priority: 2 });
    assert.equal(h.ds.checkAcl(u, 't', 'read'), 'allow');
  });

  test('acl - subscribe: literal ACLs before patterns, exact text only', (t) => {
    const h = harness(t);
    h.ok({
      command: 'createRole',
      rolename: 'r',
      acls: [
        acl('subscribePattern', 'a/#', false, 100),
        acl('subscribeLiteral', 'a/+', true, -100),
        acl('unsubscribePattern', 'a/#', true),
        acl('unsubscribeLiteral', 'a/b', false),
      ],
    });
    h.ok({ command: 'createClient', username: 'u', roles: [{ rolename: 'r' }] });
    const u = { username: 'u' };
    assert.equal(h.ds.checkAcl(u, 'a/+', 'subscribe'), 'allow');
    assert.equal(h.ds.checkAcl(u, 'a/x', 'subscribe'), 'deny');
    assert.equal(h.ds.checkAcl(u, 'a/b', 'unsubscribe'), 'deny');
    assert.equal(h.ds.checkAcl(u, 'a/c', 'unsubscribe'), 'allow');
  });
});

describe('dynsec acl - defaults, anonymous clients, unknown users', () => {
  test('acl - nothing matches: the default access decides', (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u' });
    const u = { username: 'u' };
    // A fresh configuration refuses everything by default: 'defer'.
    for (const kind of ['read', 'write', 'subscribe', 'unsubscribe'] as const) {
      assert.equal(h.ds.checkAcl(u, 'x', kind), 'defer');
    }
    h.ok({
      command: 'setDefaultACLAccess',
      acls: [
        { acltype: 'publishClientSend', allow: true },
        { acltype: 'publishClientReceive', allow: true },
        { acltype: 'subscribe', allow: true },
        { acltype: 'unsubscribe', allow: true },
      ],
    });
    for (const kind of ['read', 'write', 'subscribe', 'unsubscribe'] as const) {
      assert.equal(h.ds.checkAcl(u, 'x/y', kind), 'allow');
      // A default allow never opens $CONTROL topics.
      assert.equal(h.ds.checkAcl(u, '$CONTROL/dynamic-security/v1', kind), 'defer');
    }
  });

  test('acl - an explicit ACL opens $CONTROL', (t) => {
    const h = harness(t);
    h.ok({
      command: 'createRole',
      rolename: 'admin',
      acls: [acl('publishClientSend', '$CONTROL/dynamic-security/#', true)],
    });
    h.ok({ command: 'createClient', username: 'a', roles: [{ rolename: 'admin' }] });
    const topic = '$CONTROL/dynamic-security/v1';
    assert.equal(h.ds.checkAcl({ username: 'a' }, topic, 'write'), 'allow');
  });

  test('acl - unknown usernames are not ours to decide', (t) => {
    const h = harness(t);
    h.ok({
      command: 'setDefaultACLAccess',
      acls: [{ acltype: 'publishClientSend', allow: true }],
    });
    assert.equal(h.ds.checkAcl({ username: 'nobody' }, 'x', 'write'), 'defer');
  });

  test('acl - clients without a username use the anonymous group', (t) => {
    const h = harness(t);
    const anon = { username: undefined };
    h.ok({
      command: 'createRole',
      rolename: 'pub',
      acls: [acl('publishClientSend', 'p/#', true)],
    });
    h.ok({ command: 'createGroup', groupname: 'guests', roles: [{ rolename: 'pub' }] });
    assert.equal(h.ds.checkAcl(anon, 'p/1', 'write'), 'defer');
    h.ok({ command: 'setAnonymousGroup', groupname: 'guests' });
    assert.equal(h.ds.checkAcl(anon, 'p/1', 'write'), 'allow');
    assert.equal(h.ds.checkAcl(anon, 'q/1', 'write'), 'defer');
    // A client with a username does not get the anonymous group's rights.
    h.ok({ command: 'createClient', username: 'u' });
    assert.equal(h.ds.checkAcl({ username: 'u' }, 'p/1', 'write'), 'defer');
  });
});
