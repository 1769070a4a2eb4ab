/**
 * The built programs: `midge` started from dist/ with Mosquitto's plugin
 * lines, and `midge_ctrl` from dist/ administering it (run `npm run build`
 * first; `npm test` does). A change made with midge_ctrl is in the file
 * the next broker start reads.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { initConfigText } from '../../src/cli/ctrl/dynsec-init.js';
import { startSecured } from '../security/mosquitto.js';
import { as, login, mustLogin } from './helpers.js';

const ctrlBin = new URL('../../dist/cli/midge-ctrl.js', import.meta.url).pathname;

function midgeCtrl(args: string[]) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [ctrlBin, ...args]);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

function startMidge(t: TestContext, dynsecJson: string) {
  const config =
    'allow_anonymous false\n' +
    'plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so\n' +
    'plugin_opt_config_file dynsec.json';
  return startSecured(t, 'midge', config, { 'dynsec.json': dynsecJson });
}

describe('dynsec process - midge and midge_ctrl as programs', () => {
  test('process - midge_ctrl runs a midge process; the file outlives it', async (t) => {
    const first = await startMidge(t, initConfigText('admin', 'adminpw'));
    const admin = as(first.port);
    for (const args of [
      ['createRole', 'r'],
      ['addRoleACL', 'r', 'publishClientSend', 't/#', 'allow'],
      ['createClient', 'dev', '-p', 'pw'],
      ['addClientRole', 'dev', 'r'],
    ]) {
      assert.deepEqual(await midgeCtrl([...admin, 'dynsec', ...args]), {
        code: 0,
        out: '',
      });
    }
    assert.deepEqual(await midgeCtrl([...admin, 'dynsec', 'listClients']), {
      code: 0,
      out: 'admin\ndev\n',
    });
    const dev = await mustLogin(t, first.port, { username: 'dev', password: 'pw' });
    await dev.client.publish('t/1', 'x', { qos: 1 });
    // A second midge on the saved file knows the new client.
    const saved = readFileSync(join(first.dir, 'dynsec.json'), 'utf8');
    const second = await startMidge(t, saved);
    assert.notEqual(
      typeof (await login(t, second.port, { username: 'dev', password: 'pw' })),
      'number',
    );
    assert.equal(await login(t, second.port, { username: 'dev', password: 'no' }), 0x87);
  });
});
