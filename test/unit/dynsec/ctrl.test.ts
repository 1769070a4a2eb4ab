/**
 * midge_ctrl without a broker: command lines to JSON commands (as
 * mosquitto_ctrl 2.0.11 builds them), answers to printed text, options,
 * prompts and `dynsec init`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { dynsecRequest, type PasswordAsker } from '../../../src/cli/ctrl/dynsec-args.js';
import { initConfigText, writeInitFile } from '../../../src/cli/ctrl/dynsec-init.js';
import { printResponse } from '../../../src/cli/ctrl/dynsec-print.js';
import { parseCtrlOptions } from '../../../src/cli/ctrl/options.js';
import { getPassword } from '../../../src/cli/password-prompt.js';
import { DynamicSecurity } from '../../../src/dynsec/index.js';

const noPrompt: PasswordAsker = async () => assert.fail('unexpected prompt');

async function command(...args: string[]) {
  const req = await dynsecRequest(args, noPrompt);
  assert.equal(req.kind, 'command', JSON.stringify(req));
  return JSON.stringify((req as { command: object }).command);
}

function tmp(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'midge-ctrl-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('midge_ctrl - command lines to JSON', () => {
  const cases: [string[], string][] = [
    [
      ['setDefaultACLAccess', 'Subscribe', 'ALLOW'],
      '{"command":"setDefaultACLAccess","acls":[{"acltype":"Subscribe","allow":true}]}',
    ],
    [['getDefaultACLAccess', 'extra'], '{"command":"getDefaultACLAccess"}'],
    [
      ['createClient', 'u', '-p', 'pw', '-c', 'id', 'junk'],
      '{"command":"createClient","username":"u","clientid":"id","password":"pw"}',
    ],
    [['deleteClient', 'u'], '{"command":"deleteClient","username":"u"}'],
    [['DISABLECLIENT', 'u'], '{"command":"DISABLECLIENT","username":"u"}'],
    [['listClients'], '{"command":"listClients"}'],
    [['listclients', '5', '2'], '{"command":"listClients","count":5,"offset":2}'],
    [['listRoles', '0', '-3'], '{"command":"listRoles"}'],
    [['setClientId', 'u'], '{"command":"setClientId","username":"u"}'],
    [
      ['setClientId', 'u', 'c'],
      '{"command":"setClientId","username":"u","clientid":"c"}',
    ],
    [
      ['setClientPassword', 'u', 'p'],
      '{"command":"setClientPassword","username":"u","password":"p"}',
    ],
    [
      ['addClientRole', 'u', 'r'],
      '{"command":"addClientRole","username":"u","rolename":"r"}',
    ],
    [
      ['addClientRole', 'u', 'r', 'abc'],
      '{"command":"addClientRole","username":"u","rolename":"r","priority":0}',
    ],
    [
      ['addClientRole', 'u', 'r', '-1'],
      '{"command":"addClientRole","username":"u","rolename":"r"}',
    ],
    [
      ['addGroupClient', 'g', 'u', '7'],
      '{"command":"addGroupClient","username":"u","groupname":"g","priority":7}',
    ],
    [
      ['removeGroupRole', 'g', 'r'],
      '{"command":"removeGroupRole","groupname":"g","rolename":"r"}',
    ],
    [['getAnonymousGroup'], '{"command":"getAnonymousGroup"}'],
    [
      ['addRoleACL', 'r', 'subscribePattern', 'a/#', 'Deny', '4'],
      '{"command":"addRoleACL","rolename":"r","acltype":"subscribePattern",' +
        '"topic":"a/#",' +
        '"allow":false,"priority":4}',
    ],
    [
      ['removeRoleACL', 'r', 'publishClientSend', 't'],
      '{"command":"removeRoleACL","rolename":"r","acltype":"publishClientSend",' +
        '"topic":"t"}',
    ],
  ];
  for (const [args, json] of cases) {
    test(`args - ${args.join(' ')}`, async () => {
      assert.equal(await command(...args), json);
    });
  }

  test('args - refusals and their exit statuses', async () => {
    const invalid = 'Error: Invalid function arguments provided.\n';
    const refused: [string[], string, number][] = [
      [['getClient'], invalid, 3],
      [['getClient', 'a', 'b'], invalid, 3],
      [['listGroups', '1', '2', '3'], invalid, 3],
      [['addRoleACL', 'r', 'bogus', 't', 'allow'], invalid, 3],
      [['addRoleACL', 'r', 'publishClientSend', 't', 'maybe'], invalid, 3],
      [['setDefaultACLAccess', 'subscribeLiteral', 'allow'], invalid, 3],
      [
        ['setDefaultACLAccess', 'subscribe', 'maybe'],
        `Error: access must be "allow" or "deny".\n${invalid}`,
        3,
      ],
      [
        ['createClient', 'u', '-c'],
        `Error: -c argument given, but no clientid provided.\n${invalid}`,
        3,
      ],
      [['nosuch'], "Command 'nosuch' not recognised.\n", 13],
    ];
    for (const [args, text, code] of refused) {
      assert.deepEqual(await dynsecRequest(args, noPrompt), {
        kind: 'error',
        text,
        code,
      });
    }
  });

  test('args - passwords asked for when not given', async () => {
    const asked: string[] = [];
    const ask: PasswordAsker = async (user, mode) => {
      asked.push(`${user}:${mode}`);
      return mode === 'optional' ? undefined : 'typed';
    };
    const created = await dynsecRequest(['createClient', 'u'], ask);
    assert.deepEqual(created, {
      kind: 'command',
      command: { command: 'createClient', username: 'u' },
    });
    const set = await dynsecRequest(['setClientPassword', 'v'], ask);
    assert.deepEqual(set, {
      kind: 'command',
      command: { command: 'setClientPassword', username: 'v', password: 'typed' },
    });
    assert.deepEqual(asked, ['u:optional', 'v:required']);
    // Two different answers end the command quietly (exit 0), as mosquitto_ctrl.
    const mismatch = await dynsecRequest(['createClient', 'u'], async () => 'mismatch');
    assert.deepEqual(mismatch, { kind: 'error', text: '', code: 0 });
  });
});

describe('midge_ctrl - answers printed', () => {
  const print = (responses: object[]) => printResponse(JSON.stringify({ responses }));

  test('print - client, group, role, lists, default access, anonymous group', () => {
    const client = {
      username: 'u1',
      disabled: true,
      roles: [{ rolename: 'r1', priority: 2 }, { rolename: 'r2' }],
      groups: [{ groupname: 'g1' }, { groupname: 'g2', priority: 9.7 }],
    };
    assert.deepEqual(print([{ command: 'getClient', data: { client } }]), {
      out:
        'Username: u1\nClientid:\nDisabled: true\nRoles:    r1 (priority: 2)\n' +
        '          r2 (priority: -1)\nGroups:   g1 (priority: -1)\n' +
        '          g2 (priority: 9)\n',
      err: '',
    });
    const group = {
      groupname: 'g',
      roles: [],
      clients: [{ username: 'a' }, { username: 'b' }],
    };
    assert.equal(
      print([{ command: 'getGroup', data: { group } }]).out,
      'Groupname: g\nClients:   a\n           b\n',
    );
    const role = {
      rolename: 'r',
      acls: [
        { acltype: 'publishClientSend', topic: 'a/#', priority: 5, allow: true },
        { acltype: 'unsubscribePattern', topic: '#', allow: false },
      ],
    };
    assert.equal(
      print([{ command: 'getRole', data: { role } }]).out,
      'Rolename: r\nACLs:     publishClientSend    : allow : a/# (priority: 5)\n' +
        '          unsubscribePattern   : deny  : # (priority: -1)\n',
    );
    assert.equal(
      print([{ command: 'listRoles', data: { roles: ['a', { rolename: 'b' }, 5] } }]).out,
      'a\nb\n',
    );
    assert.equal(
      print([{ command: 'getAnonymousGroup', data: { group: { groupname: '' } } }]).out,
      '\n',
    );
    // Commands that change something print nothing.
    assert.deepEqual(print([{ command: 'createRole' }]), { out: '', err: '' });
  });

  test('print - errors and broken answers', () => {
    assert.deepEqual(print([{ command: 'getRole', error: 'Role not found' }]), {
      out: '',
      err: 'getRole: Error: Role not found\n',
    });
    assert.deepEqual(printResponse('nope'), {
      out: '',
      err: 'Error: Payload not JSON.\n',
    });
    assert.deepEqual(printResponse('{"responses":[]}'), {
      out: '',
      err: 'Error: Payload missing data.\n',
    });
    assert.deepEqual(print([{ command: 'getClient', data: {} }]), {
      out: '',
      err: 'Error: Invalid response from server.\n',
    });
    const access = { acls: [{ acltype: 'subscribe', allow: true }, { acltype: 'x' }] };
    assert.deepEqual(print([{ command: 'getDefaultACLAccess', data: access }]), {
      out: 'subscribe            : allow\n',
      err: 'Error: Invalid response from server.\n',
    });
  });
});

describe('midge_ctrl - options, prompts, init', () => {
  test('options - file first, then the command line; the module ends them', (t) => {
    const dir = tmp(t);
    writeFileSync(
      join(dir, 'midge_ctrl'),
      '# comment\n-h  file-host\n-p 1234 extra\n-u fileuser\n',
    );
    const parsed = parseCtrlOptions(['-u', 'cli', 'dynsec', '-p', 'x'], {
      XDG_CONFIG_HOME: dir,
    });
    assert.equal(parsed.kind, 'ok');
    const { cfg, rest } = parsed as Extract<typeof parsed, { kind: 'ok' }>;
    assert.deepEqual(
      [cfg.host, cfg.port, cfg.username, cfg.qos],
      ['file-host', 1234, 'cli', 1],
    );
    assert.equal(cfg.protocolVersion, 5);
    assert.deepEqual(rest, ['dynsec', '-p', 'x']);
    writeFileSync(join(dir, 'other'), '-p 99\n');
    const other = parseCtrlOptions(['-o', join(dir, 'other'), 'dynsec'], {});
    assert.equal((other as { cfg: { port: number } }).cfg.port, 99);
  });

  test('options - errors', () => {
    assert.deepEqual(parseCtrlOptions(['-k', '5', 'dynsec'], {}), {
      kind: 'error',
      text: "Error: Unknown option '-k'.\n",
    });
    assert.deepEqual(parseCtrlOptions(['-q', '3'], {}), {
      kind: 'error',
      text: 'Error: Invalid QoS given: 3\n',
    });
    assert.deepEqual(parseCtrlOptions(['--cert', 'c', 'dynsec'], {}), {
      kind: 'fatal',
      text: 'Error: Both certfile and keyfile must be provided if one of them is set.\n',
    });
    assert.deepEqual(parseCtrlOptions(['--help', 'dynsec'], {}), { kind: 'help' });
  });

  test('prompt - empty answers and answers that differ', async () => {
    const io = (answers: string[]) => {
      const log: string[] = [];
      return {
        log,
        out: (s: string) => log.push(`out:${s}`),
        err: (s: string) => log.push(`err:${s}`),
        readLine: async () => answers.shift(),
      };
    };
    const same = io(['a', 'a']);
    assert.deepEqual(await getPassword(same, 'P: ', 'R: ', false), {
      ok: true,
      password: 'a',
    });
    assert.deepEqual(same.log, ['out:P: ', 'out:\n', 'out:R: ', 'out:\n']);
    const differ = io(['a', 'b']);
    assert.deepEqual(await getPassword(differ, 'P: ', 'R: ', false), {
      ok: false,
      code: 2,
    });
    assert.equal(differ.log.at(-1), 'err:Error: Passwords do not match.\n');
    const empty = io(['']);
    assert.deepEqual(await getPassword(empty, 'P: ', undefined, true), {
      ok: false,
      code: 1,
    });
    assert.deepEqual(empty.log, ['out:P: ']);
  });

  test('init - the file Mosquitto writes, loaded by the engine', async (t) => {
    const dir = tmp(t);
    const file = join(dir, 'd.json');
    assert.equal(writeInitFile(file, 'boss', 'pw'), 'written');
    assert.equal(writeInitFile(file, 'boss', 'pw'), 'exists');
    assert.equal(writeInitFile(join(dir, 'no', 'd.json'), 'boss', 'pw'), 'unwritable');
    const text = readFileSync(file, 'utf8');
    assert.match(
      text,
      /^\{\n\t"clients":\t\[\{\n\t\t\t"username":\t"boss",\n\t\t\t"textName":/,
    );
    assert.ok(text.endsWith('\n\t}\n}'));
    const ds = new DynamicSecurity({ configFile: file });
    ds.load();
    assert.equal(await ds.authenticate('boss', Buffer.from('pw'), 'any'), 'allow');
    assert.equal(
      ds.checkAcl({ username: 'boss' }, '$SYS/broker/uptime', 'read'),
      'allow',
    );
    assert.notEqual(
      initConfigText('a', 'b'),
      initConfigText('a', 'b'),
      'fresh salt each time',
    );
  });

  test('process - midge_ctrl exits with the status and flushes its output', (t) => {
    const file = join(tmp(t), 'x.json');
    const bin = new URL('../../../src/cli/midge-ctrl.ts', import.meta.url).pathname;
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', bin, ...args], {
        encoding: 'utf8',
      });
    const made = run('dynsec', 'init', file, 'admin', 'pw');
    assert.equal(made.status, 0);
    assert.match(made.stdout, /has been created in the file/);
    const bad = run('dynsec', 'getClient');
    assert.deepEqual(
      [bad.status, bad.stderr],
      [3, 'Error: Invalid function arguments provided.\n'],
    );
  });
});
