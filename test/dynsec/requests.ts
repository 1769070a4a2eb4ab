/**
 * Requests sent to Mosquitto 2.0.11 with its dynamic-security plugin and to
 * midge, whose answers must be identical byte for byte. Objects are sent
 * as JSON.stringify writes them; strings are sent as they are (payloads
 * JSON.stringify cannot write: invalid JSON, duplicate keys, trailing text).
 * Sequences known to crash Mosquitto 2.0.11 (use after free) are left out:
 * deleting the anonymous group, deleting a role that modifyGroup or
 * createClient linked, a duplicate group in createClient.
 */
export const requests: Array<object | string> = [
  {
    commands: [
      { command: 'createRole', rolename: 'r1' },
      { command: 'createRole', rolename: 'r2' },
      { command: 'createRole', rolename: 'zzz' },
    ],
  },
  {
    commands: [
      { command: 'createClient' },
      { command: 'createClient', username: 5 },
      {
        command: 'createClient',
        username: 'u1',
        password: 'p1',
        clientid: '',
        textname: 'T',
        textdescription: 'D',
      },
      { command: 'createClient', username: 'u2', roles: [{ rolename: 'nope' }] },
      { command: 'createClient', username: 'u3', groups: [{ groupname: 'nope' }] },
      { command: 'createClient', username: 'u4', roles: 'x' },
      { command: 'createClient', username: 'u5', roles: [{ x: 1 }] },
      { command: 'createClient', username: 'u6', password: '' },
      { command: 'createClient', username: 'u1' },
    ],
  },
  {
    commands: [
      { command: 'listClients' },
      { command: 'getClient', username: 'u1' },
      { command: 'getClient', username: 'u3' },
      { command: 'getClient', username: 'u6' },
    ],
  },
  {
    commands: [
      { command: 'createGroup', groupname: 'g1' },
      { command: 'createGroup', groupname: 'g0', textname: 5 },
      { command: 'createRole', rolename: 'ra' },
      {
        command: 'createRole',
        rolename: 'rb',
        textname: 'TN',
        acls: [
          { acltype: 'subscribePattern', topic: 'x/#', allow: true, priority: 3 },
          { acltype: 'publishClientSend', topic: 'a/+', priority: 2.7 },
          { acltype: 'bogus', topic: 'q' },
          { acltype: 'publishClientSend', topic: 'a/#/b', allow: true },
          { acltype: 'publishClientSend', topic: 'z', priority: 9 },
          { acltype: 'publishClientSend', topic: 'a/+', priority: 5 },
        ],
      },
      { command: 'getRole', rolename: 'rb' },
    ],
  },
  {
    commands: [
      { command: 'addClientRole', username: 'u1', rolename: 'ra', priority: 3 },
      { command: 'addClientRole', username: 'u1', rolename: 'rb' },
      { command: 'addClientRole', username: 'u1', rolename: 'ra' },
      { command: 'removeClientRole', username: 'u6', rolename: 'ra' },
      { command: 'addGroupClient', groupname: 'g1', username: 'u1', priority: 4 },
      { command: 'addGroupClient', groupname: 'g1', username: 'u1' },
      { command: 'addGroupClient', groupname: 'gx', username: 'u1' },
      { command: 'addGroupClient', groupname: 'g1', username: 'ux' },
      { command: 'removeGroupClient', groupname: 'g1', username: 'u6' },
      { command: 'addGroupRole', groupname: 'g1', rolename: 'ra', priority: 1 },
      { command: 'addGroupRole', groupname: 'g1', rolename: 'ra' },
      { command: 'removeGroupRole', groupname: 'g1', rolename: 'rb' },
      { command: 'getClient', username: 'u1' },
      { command: 'getGroup', groupname: 'g1' },
      { command: 'listGroups', verbose: true },
      { command: 'listRoles', verbose: true, count: 1, offset: 1 },
    ],
  },
  {
    commands: [
      {
        command: 'addRoleACL',
        rolename: 'ra',
        acltype: 'publishClientSend',
        topic: 't/1',
      },
      {
        command: 'addRoleACL',
        rolename: 'ra',
        acltype: 'publishClientSend',
        topic: 't/1',
        allow: true,
      },
      {
        command: 'addRoleACL',
        rolename: 'ra',
        acltype: 'PUBLISHCLIENTSEND',
        topic: 't/2',
        allow: true,
        priority: '7',
      },
      {
        command: 'addRoleACL',
        rolename: 'ra',
        acltype: 'publishClientSend',
        topic: 't/#/x',
      },
      { command: 'addRoleACL', rolename: 'ra', acltype: 'publishClientSend' },
      { command: 'addRoleACL', rolename: 'ra', acltype: 'xx', topic: 't' },
      { command: 'addRoleACL', rolename: 'ra', topic: 't' },
      { command: 'addRoleACL', rolename: 'rz', acltype: 'publishClientSend', topic: 't' },
      {
        command: 'removeRoleACL',
        rolename: 'ra',
        acltype: 'publishClientSend',
        topic: 't/9',
      },
      {
        command: 'removeRoleACL',
        rolename: 'ra',
        acltype: 'publishClientSend',
        topic: 't/1',
      },
      { command: 'getRole', rolename: 'ra' },
    ],
  },
  {
    commands: [
      { command: 'setClientId', username: 'u1', clientid: 'c1' },
      { command: 'getClient', username: 'u1' },
      { command: 'setClientId', username: 'u1' },
      { command: 'getClient', username: 'u1' },
      { command: 'setClientId', username: 'u1', clientid: 5 },
      { command: 'setClientPassword', username: 'u1', password: '' },
      { command: 'setClientPassword', username: 'u1' },
      { command: 'setClientPassword', username: 'ux', password: 'a' },
      { command: 'disableClient', username: 'u6' },
      { command: 'getClient', username: 'u6' },
      { command: 'enableClient', username: 'u6' },
      { command: 'getClient', username: 'u6' },
    ],
  },
  {
    commands: [
      { command: 'setDefaultACLAccess' },
      {
        command: 'setDefaultACLAccess',
        acls: [
          { acltype: 'subscribe', allow: true },
          { acltype: 'bogus', allow: true },
          { acltype: 'unsubscribe', allow: 'x' },
        ],
      },
      { command: 'getDefaultACLAccess' },
      { command: 'setAnonymousGroup', groupname: 'gx' },
      { command: 'setAnonymousGroup', groupname: 'g1' },
      { command: 'getAnonymousGroup' },
      { command: 'getGroup', groupname: 'gx' },
      { command: 'deleteGroup', groupname: 'gx' },
      { command: 'deleteRole', rolename: 'rx' },
      { command: 'deleteClient', username: 'ux' },
    ],
  },
  {
    commands: [
      {
        command: 'modifyClient',
        username: 'u1',
        clientid: 'cc',
        password: 'np',
        textname: 'T2',
        roles: [
          { rolename: 'rb', priority: 1 },
          { rolename: 'ra', priority: 1 },
        ],
        groups: [{ groupname: 'g1' }, { groupname: 'nope' }],
      },
      { command: 'getClient', username: 'u1' },
      { command: 'modifyClient', username: 'u1', clientid: '' },
      { command: 'getClient', username: 'u1' },
      { command: 'modifyClient', username: 'ux' },
      { command: 'modifyClient', username: 'u1', roles: [{ rolename: 'zz' }] },
      { command: 'getClient', username: 'u1' },
      { command: 'modifyClient', username: 'u1', roles: 'x' },
      { command: 'modifyClient', username: 'u1', textname: 5 },
    ],
  },
  {
    commands: [
      {
        command: 'modifyGroup',
        groupname: 'g1',
        textname: 'GT',
        roles: [{ rolename: 'rb', priority: 2 }],
        clients: [{ username: 'u6', priority: 5 }, { username: 'nobody' }],
      },
      { command: 'getGroup', groupname: 'g1' },
      { command: 'getClient', username: 'u1' },
      { command: 'getClient', username: 'u6' },
      { command: 'modifyGroup', groupname: 'gx' },
      { command: 'modifyGroup', groupname: 'g1', roles: [{ rolename: 'nope' }] },
    ],
  },
  {
    commands: [
      {
        command: 'modifyRole',
        rolename: 'ra',
        textdescription: 'RD',
        acls: [
          { acltype: 'subscribeLiteral', topic: 'l/1', allow: true },
          { acltype: 'unsubscribePattern', topic: 'u/#', priority: -5 },
        ],
      },
      { command: 'getRole', rolename: 'ra' },
      { command: 'modifyRole', rolename: 'rx' },
      { command: 'listClients', verbose: true },
      { command: 'listClients', count: 1, offset: 1 },
      { command: 'listClients', count: -5, offset: -2 },
      { command: 'listClients', offset: 10 },
    ],
  },
  {
    commands: [
      { command: 'createGroup', groupname: 'anon' },
      { command: 'setAnonymousGroup', groupname: 'anon' },
      { command: 'deleteGroup', groupname: 'g0' },
      { command: 'getAnonymousGroup' },
      { command: 'getClient', username: 'u1' },
      { command: 'deleteClient', username: 'u6' },
      { command: 'getGroup', groupname: 'g1' },
    ],
  },
  {
    commands: [
      { command: 'getClient', username: 'u1', correlationData: 'abc' },
      { command: 'getClient', username: 'u1', correlationData: 5 },
      { command: 'getClient', username: 'u1' },
    ],
  },
  { commands: [] },
  '{"commands":{}',
  '{"commands":[{"command":"listRoles"}]}xyz',
  '  {"Commands":[{"command":"listGroups","count":0}]}',
  '{"commands":[{"command":"listGroups","count":01}]}',
  { commands: [{ command: 'getClient', username: 'u\u0000x' }] },
  { commands: [{ command: 'createClient', username: 'bad\u0001' }] },
  '{"commands":[{"command":"getGroup","groupname":"\\ud800"}]}',
  '{"commands":[{"command":"getGroup","groupname":"x"}],"commands":5}',
  '{"commands":[{"command":"getGroup","groupname":"x"}],}',
  { commands: [{ command: 'listRoles', verbose: 1 }] },
  {
    commands: [
      { command: 'createClient', username: 'p1', groups: [{ groupname: 'g1' }] },
      { command: 'getClient', username: 'p1' },
      {
        command: 'createClient',
        username: 'p2',
        groups: [
          { groupname: 'g1', priority: 2 },
          { groupname: 'anon', priority: 2 },
        ],
      },
      { command: 'getClient', username: 'p2' },
      { command: 'getGroup', groupname: 'anon' },
    ],
  },
  '{"commands":[{"command":"addRoleACL","rolename":"zzz","acltype":"subsc' +
    'ribeLiteral","topic":"","allow":true},' +
    '{"command":"addRoleACL","rolename":"zzz","acltype":"subscribeLiteral",' +
    '"topic":"a+"},' +
    '{"command":"addRoleACL","rolename":"zzz","acltype":"unsubscribeLiteral' +
    '","topic":"x/+/y/#","priority":2147483648},' +
    '{"command":"addRoleACL","rolename":"zzz","acltype":"unsubscribeLiteral' +
    '","topic":"x/+","priority":-1e20},' +
    '{"command":"getRole","rolename":"zzz"}]}',
  '{"commands":[{"command":"createGroup","groupname":"gr","textdescriptio' +
    'n":"hello \\"quoted\\" \\n\\t\\u00e9\\u2028/"},' +
    '{"command":"createGroup","groupname":"gr2","roles":"x"},' +
    '{"command":"createGroup","groupname":"gr3","roles":[{"rolename":"nope"' +
    '}]},{"command":"listGroups","verbose":true}]}',
  {
    commands: [
      {
        command: 'setDefaultACLAccess',
        acls: [
          { acltype: 'PUBLISHCLIENTSEND', allow: true },
          { acltype: 'publishClientReceive', allow: false },
        ],
      },
      { command: 'getDefaultACLAccess', correlationData: '' },
    ],
  },
  {
    commands: [
      { command: 'deleteRole', rolename: 'r2' },
      { command: 'getGroup', groupname: 'gr' },
      { command: 'getClient', username: 'p2' },
    ],
  },
  {
    commands: [
      { command: 'modifyRole', rolename: 'ra', textname: 'x', acls: 'notarray' },
      { command: 'getRole', rolename: 'ra' },
      {
        command: 'modifyGroup',
        groupname: 'gr',
        clients: [{ username: 'p2', priority: 9 }, { username: 'p1' }],
      },
      { command: 'getGroup', groupname: 'gr' },
      { command: 'getClient', username: 'p2' },
    ],
  },
];
