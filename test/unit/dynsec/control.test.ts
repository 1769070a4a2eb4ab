/**
 * Requests as a whole: malformed payloads, several commands, command-name
 * case, correlation data and default access. The answers are byte for
 * byte those of Mosquitto 2.0.11.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandNames } from '../../../src/dynsec/index.js';
import { harness, raw } from './helpers.js';

describe('dynsec control - malformed requests', () => {
  const cases: [string, string][] = [
    [
      'not json',
      '{"responses":[{"command":"Unknown command","error":"Payload not valid JSON"}]}',
    ],
    [
      '{}',
      '{"responses":[{"command":"Unknown command","error":"Invalid/missing commands"}]}',
    ],
    [
      '{"commands":{}}',
      '{"responses":[{"command":"Unknown command","error":"Invalid/missing commands"}]}',
    ],
    ['{"commands":[]}', '{"responses":[]}'],
    [
      '{"commands":[1,{"x":1},{"command":"zz","correlationData":"c"}]}',
      '{"responses":[{"command":"Unknown command","error":"Command not an object"},' +
        '{"command":"Unknown command","error":"Missing command"},' +
        '{"command":"zz","error":"Unknown command","correlationData":"c"}]}',
    ],
    [
      '{"commands":[{"command":"listRoles"}]}xyz',
      '{"responses":[{"command":"listRoles","data":{"totalCount":0,"roles":[]}}]}',
    ],
    [
      '{"commands":[{"command":"getGroup","groupname":"\\ud800"}]}',
      '{"responses":[{"command":"Unknown command","error":"Payload not valid JSON"}]}',
    ],
  ];
  for (const [payload, expected] of cases) {
    test(`control - ${payload}`, (t) => {
      assert.equal(raw(harness(t), payload), expected);
    });
  }

  test('control - a correlationData that is not a string stops the request', (t) => {
    const h = harness(t);
    const text = raw(
      h,
      '{"commands":[{"command":"listRoles","correlationData":"abc"},' +
        '{"command":"getRole","correlationData":5},{"command":"listRoles"}]}',
    );
    assert.equal(
      text,
      '{"responses":[{"command":"listRoles","data":{"totalCount":0,"roles":[]},' +
        '"correlationData":"abc"},' +
        '{"command":"getRole","error":"Invalid correlationData data type."}]}',
    );
  });

  test('control - names and keys in any case; answers use Mosquitto spelling', (t) => {
    const h = harness(t);
    const text = raw(h, '{"Commands":[{"COMMAND":"CREATEROLE","RoleName":"r"}]}');
    assert.equal(text, '{"responses":[{"command":"createRole"}]}');
    assert.ok(h.ds.state.roles.has('r'));
  });

  test('control - 31 commands', () => {
    assert.equal(commandNames.length, 31);
    assert.equal(new Set(commandNames).size, 31);
  });

  test('control - commands of one request see each other', (t) => {
    const h = harness(t);
    const answers = h.send(
      { command: 'createRole', rolename: 'r' },
      { command: 'createClient', username: 'u', roles: [{ rolename: 'r' }] },
      { command: 'getClient', username: 'u', correlationData: '' },
    );
    assert.deepEqual(answers, [
      { command: 'createRole' },
      { command: 'createClient' },
      {
        command: 'getClient',
        data: { client: { username: 'u', roles: [{ rolename: 'r' }], groups: [] } },
        correlationData: '',
      },
    ]);
  });
});

describe('dynsec control - default ACL access', () => {
  test('setDefaultACLAccess - applies good entries, skips others', (t) => {
    const h = harness(t);
    h.ok({
      command: 'setDefaultACLAccess',
      acls: [
        { acltype: 'SUBSCRIBE', allow: true },
        { acltype: 'bogus', allow: true },
        { acltype: 'unsubscribe', allow: 'x' },
        5,
      ],
    });
    assert.deepEqual(h.ok({ command: 'getDefaultACLAccess' }).data, {
      acls: [
        { acltype: 'publishClientSend', allow: false },
        { acltype: 'publishClientReceive', allow: false },
        { acltype: 'subscribe', allow: true },
        { acltype: 'unsubscribe', allow: false },
      ],
    });
    const bad = h.one({ command: 'setDefaultACLAccess', acls: {} });
    assert.equal(bad.error, 'Missing/invalid actions array');
  });

  test('log - each command is logged with who sent it', (t) => {
    const h = harness(t);
    h.ds.handleControl(Buffer.from('{"commands":[{"command":"listRoles"}]}'));
    assert.equal(
      h.logs.at(-1),
      'dynsec: (null)/(null) | listRoles | verbose=false | count=-1 | offset=0',
    );
  });
});
