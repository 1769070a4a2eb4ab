/**
 * midge against Debian's Mosquitto 2.0.11 and its dynamic-security
 * plugin (skipped when mosquitto is not installed):
 *
 * - the same requests get the same answers, byte for byte, and leave the
 *   same config file (password hashes aside: their salts are random);
 * - a file made by `midge_ctrl dynsec init` runs Mosquitto, and one made
 *   by `mosquitto_ctrl dynsec init` runs midge;
 * - midge_ctrl's requests work on Mosquitto, and it prints what
 *   mosquitto_ctrl prints for the same command.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { initConfigText } from '../../src/cli/ctrl/dynsec-init.js';
import { MqttClient } from '../../src/client/index.js';
import '../../src/dynsec/plugin.js';
import { startInProcess } from '../security/in-process.js';
import { skipWithoutMosquitto, startMosquitto, tempDir } from '../security/mosquitto.js';
import { as, ctrl } from './helpers.js';
import { requests } from './requests.js';

const pluginLines =
  'plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so\n' +
  'plugin_opt_config_file dynsec.json';

/** Mosquitto with `json` as its dynsec file, which it may rewrite. */
async function mosquittoWith(t: TestContext, json: string) {
  const mosquitto = await startMosquitto(t, pluginLines, { 'dynsec.json': json });
  // Started as root, mosquitto runs as user "mosquitto": let it save.
  chmodSync(mosquitto.dir, 0o777);
  chmodSync(join(mosquitto.dir, 'dynsec.json'), 0o666);
  return { port: mosquitto.port, file: join(mosquitto.dir, 'dynsec.json') };
}

async function midgeWith(t: TestContext, json: string | Buffer) {
  const lines = pluginLines.replace('dynsec.json', '{dir}/dynsec.json');
  const midge = await startInProcess(t, `allow_anonymous false\n${lines}`, {
    files: { 'dynsec.json': json },
  });
  return { port: midge.port, file: join(midge.dir, 'dynsec.json') };
}

/** Sends requests as admin over one connection; resolves each answer. */
async function requester(t: TestContext, port: number) {
  const client = new MqttClient({
    host: '127.0.0.1',
    port,
    protocolVersion: 5,
    username: 'admin',
    password: 'adminpw',
    reconnect: false,
  });
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  const answers: string[] = [];
  client.on('message', (m) => answers.push(m.payload.toString()));
  await client.subscribe('$CONTROL/dynamic-security/v1/response');
  return async (request: string): Promise<string> => {
    const before = answers.length;
    await client.publish('$CONTROL/dynamic-security/v1', request, { qos: 1 });
    const deadline = Date.now() + 3000;
    while (answers.length === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return answers[before] ?? 'no answer';
  };
}

/** mosquitto_ctrl's run, stderr without its no-TLS warning. */
function mosquittoCtrl(args: string[]) {
  const run = spawnSync('mosquitto_ctrl', args, { encoding: 'utf8', timeout: 15_000 });
  return { code: run.status, out: run.stdout, err: stripWarning(run.stderr) };
}

function stripWarning(stderr: string): string {
  return stderr.replace(/^Warning: You are running mosquitto_ctrl[^\n]*\n[^\n]*\n\n/, '');
}

/** mosquitto_ctrl without blocking this process (for midge in-process). */
function mosquittoCtrlAsync(args: string[]) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn('mosquitto_ctrl', args);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => resolve({ code, out, err: stripWarning(err) }));
  });
}

const hashes = /"(password|salt)":\t"[^"]*"/g;
const skip = skipWithoutMosquitto;

describe('dynsec mosquitto - same requests, same answers', { skip }, () => {
  test('compare - every answer and the saved file match Mosquitto 2.0.11', async (t) => {
    const init = initConfigText('admin', 'adminpw');
    const mosquitto = await mosquittoWith(t, init);
    const midge = await midgeWith(t, init);
    const theirs = await requester(t, mosquitto.port);
    const ours = await requester(t, midge.port);
    for (const request of requests) {
      const text = typeof request === 'string' ? request : JSON.stringify(request);
      assert.equal(await ours(text), await theirs(text), text);
    }
    assert.equal(
      readFileSync(midge.file, 'utf8').replace(hashes, ''),
      readFileSync(mosquitto.file, 'utf8').replace(hashes, ''),
    );
  });
});

describe('dynsec mosquitto - init files both ways', { skip }, () => {
  test('init - midge_ctrl writes it, Mosquitto runs it', async (t) => {
    const file = join(tempDir(t), 'dynsec.json');
    assert.equal((await ctrl(['dynsec', 'init', file, 'admin', 'adminpw'])).code, 0);
    const mosquitto = await mosquittoWith(t, readFileSync(file, 'utf8'));
    const run = mosquittoCtrl([...as(mosquitto.port), 'dynsec', 'getRole', 'admin']);
    assert.equal(run.err, '');
    assert.match(run.out, /^Rolename: admin\nACLs: {5}publishClientSend {4}: allow : /);
    assert.equal(run.out.split('\n').length, 10);
  });

  test('init - mosquitto_ctrl writes it, midge runs it', async (t) => {
    const file = join(tempDir(t), 'dynsec.json');
    const made = spawnSync('mosquitto_ctrl', [
      'dynsec',
      'init',
      file,
      'admin',
      'adminpw',
    ]);
    assert.equal(made.status, 0);
    const midge = await midgeWith(t, readFileSync(file));
    const run = await ctrl([...as(midge.port), 'dynsec', 'createClient', 'x', '-p', 'y']);
    assert.deepEqual(run, { code: 0, out: '', err: '' });
    // mosquitto_ctrl works with midge too (midge runs in this process,
    // so the tool must run without blocking it).
    const listed = await mosquittoCtrlAsync([...as(midge.port), 'dynsec', 'listClients']);
    assert.deepEqual(listed, { code: 0, out: 'admin\nx\n', err: '' });
  });
});

describe('dynsec mosquitto - midge_ctrl and mosquitto_ctrl', { skip }, () => {
  test('ctrl - same output for the same commands on Mosquitto', async (t) => {
    const mosquitto = await mosquittoWith(t, initConfigText('admin', 'adminpw'));
    const admin = as(mosquitto.port);
    const setup = [
      ['createRole', 'r1'],
      ['addRoleACL', 'r1', 'publishClientSend', 'a/#', 'allow', '5'],
      ['addRoleACL', 'r1', 'subscribeLiteral', 'a/#', 'deny'],
      ['createGroup', 'g1'],
      ['addGroupRole', 'g1', 'r1', '3'],
      ['createClient', 'u1', '-c', 'cid1', '-p', 'pw'],
      ['addClientRole', 'u1', 'r1', '2'],
      ['addGroupClient', 'g1', 'u1'],
      ['disableClient', 'u1'],
      ['setAnonymousGroup', 'g1'],
      ['setDefaultACLAccess', 'subscribe', 'allow'],
    ];
    for (const args of setup) {
      const run = await ctrl([...admin, 'dynsec', ...args]);
      assert.deepEqual(run, { code: 0, out: '', err: '' }, args.join(' '));
    }
    const reads = [
      ['getClient', 'u1'],
      ['getClient', 'admin'],
      ['getGroup', 'g1'],
      ['getRole', 'r1'],
      ['getRole', 'admin'],
      ['listClients'],
      ['listGroups', '1'],
      ['listRoles', '1', '1'],
      ['getDefaultACLAccess'],
      ['getAnonymousGroup'],
      ['getClient', 'nobody'],
      ['createRole', 'r1'],
      ['removeRoleACL', 'r1', 'publishClientSend', 'x'],
    ];
    for (const args of reads) {
      const expected = mosquittoCtrl([...admin, 'dynsec', ...args]);
      const actual = await ctrl([...admin, 'dynsec', ...args]);
      assert.deepEqual(actual, expected, args.join(' '));
    }
  });

  test('ctrl - same refusals of bad command lines', async () => {
    const lines = [
      ['dynsec', 'getClient'],
      ['dynsec', 'addRoleACL', 'r', 'bogus', 't', 'allow'],
      ['dynsec', 'setDefaultACLAccess', 'subscribe', 'maybe'],
      ['dynsec', 'createClient', 'u', '-p'],
      ['dynsec', 'bogus'],
      ['dynsec', 'init', 'onlyfile'],
      ['dynsec', 'init', 'a', 'b', 'c', 'd'],
      ['-x', 'dynsec', 'listClients'],
      ['-q', '3', 'dynsec', 'listClients'],
      ['-V', '4', 'dynsec', 'listClients'],
      ['foo', 'bar'],
    ];
    for (const args of lines) {
      assert.deepEqual(await ctrl(args), mosquittoCtrl(args), args.join(' '));
    }
  });
});
