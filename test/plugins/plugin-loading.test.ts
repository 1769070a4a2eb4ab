/**
 * Loading plugins: files (with Mosquitto's old `auth_plugin`/`auth_opt_`
 * names too), the dynamic-security library name mapped to midge's own,
 * what stops start-up, and which listeners a plugin serves.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MidgePlugin, PluginContext } from '../../src/plugins/index.js';
import { registerBuiltinPlugin } from '../../src/plugins/index.js';
import { startInProcess } from '../security/in-process.js';
import { connackCode, login, pluginLine } from './helpers.js';

describe('plugin files', () => {
  test('auth_plugin and auth_opt_* load a module, options in order', async (t) => {
    const midge = await startInProcess(
      t,
      [
        'allow_anonymous false',
        'auth_plugin {dir}/greeter.mjs',
        'auth_opt_user alice',
        'plugin_opt_user bob',
        'auth_opt_other x',
      ].join('\n'),
      {
        files: {
          'greeter.mjs': [
            'export default (ctx) => {',
            "  ctx.log.notice('options ' + JSON.stringify(ctx.options));",
            "  const user = ctx.option('user');",
            "  return { basicAuth: (e) => (e.username === user ? 'allow' : 'deny') };",
            '};',
          ].join('\n'),
        },
      },
    );
    assert.ok(
      midge.lines.includes('options [["user","alice"],["user","bob"],["other","x"]]'),
    );
    assert.ok(midge.lines.includes(`Loading plugin: ${midge.dir}/greeter.mjs`));
    assert.equal(await connackCode(t, midge.port, login('bob')), 0);
    assert.equal(await connackCode(t, midge.port, login('alice')), 5);
  });

  const refusals: Array<[string, string, Record<string, string>, RegExp]> = [
    ['a missing file', 'plugin {dir}/nothing.mjs', {}, /cannot load .*nothing\.mjs/],
    [
      'no default export',
      'plugin {dir}/p.mjs',
      { 'p.mjs': 'export const x = 1;' },
      /no default export/,
    ],
    [
      'a module that throws',
      'plugin {dir}/p.mjs',
      { 'p.mjs': "throw new Error('bad module');" },
      /cannot load .*bad module/,
    ],
    [
      'a native library',
      'plugin /usr/lib/mosquitto_go_auth.so',
      {},
      /native Mosquitto plugin/,
    ],
    [
      'a bad control topic',
      'plugin {dir}/p.mjs',
      { 'p.mjs': "export default () => ({ control: { '$CONTROL/x': () => {} } });" },
      /invalid control topic "\$CONTROL\/x"/,
    ],
  ];
  for (const [what, line, files, message] of refusals) {
    test(`start-up stops for ${what}`, async (t) => {
      await assert.rejects(startInProcess(t, line, { files }), message);
    });
  }

  test('two plugins may not handle the same control topic', async (t) => {
    const control = { '$CONTROL/same/v1': () => undefined };
    const a = pluginLine({ control });
    const b = pluginLine({ control });
    await assert.rejects(
      startInProcess(t, `${a}\n${b}`),
      /both handle \$CONTROL\/same\/v1/,
    );
  });
});

describe("Mosquitto's dynamic security library name", () => {
  test('loads the built-in dynamic-security, with its options', async (t) => {
    const seen: PluginContext[] = [];
    // The real one registers when the built-ins load; a stand-in replaces it.
    await import('../../src/plugins/builtins.js');
    registerBuiltinPlugin('dynamic-security', (ctx): MidgePlugin => {
      seen.push(ctx);
      return { basicAuth: ({ username }) => (username === 'admin' ? 'allow' : 'defer') };
    });
    const midge = await startInProcess(
      t,
      [
        'allow_anonymous false',
        'plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
        'plugin_opt_config_file {dir}/dynamic-security.json',
      ].join('\n'),
    );
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.option('config_file'), `${midge.dir}/dynamic-security.json`);
    assert.equal(await connackCode(t, midge.port, login('admin')), 0);
    assert.equal(await connackCode(t, midge.port, login('guest')), 5);
  });
});

describe('which clients a plugin serves', () => {
  test('per_listener_settings: a plugin serves its own listener', async (t) => {
    const denyAll = pluginLine({ basicAuth: () => 'deny' });
    const midge = await startInProcess(
      t,
      [
        'per_listener_settings true',
        'allow_anonymous true',
        denyAll,
        'listener {other} 127.0.0.1',
        'allow_anonymous true',
      ].join('\n'),
      { extraPorts: ['other'] },
    );
    assert.equal(await connackCode(t, midge.port, {}), 5);
    assert.equal(await connackCode(t, midge.ports.other as number, {}), 0);
  });

  test('plugin_load/plugin_use is one instance; global_plugin serves all', async (t) => {
    let made = 0;
    registerBuiltinPlugin('counted', () => {
      made++;
      return { basicAuth: ({ username }) => (username === 'named' ? 'allow' : 'defer') };
    });
    const everywhere = pluginLine({
      basicAuth: ({ username }) => (username === 'global' ? 'allow' : 'defer'),
    });
    const midge = await startInProcess(
      t,
      [
        'per_listener_settings true',
        `global_plugin ${everywhere.slice('plugin '.length)}`,
        'plugin_load shared builtin:counted',
        'plugin_use shared',
        'listener {other} 127.0.0.1',
        'plugin_use shared',
      ].join('\n'),
      { extraPorts: ['other'] },
    );
    assert.equal(made, 1);
    for (const port of [midge.port, midge.ports.other as number]) {
      assert.equal(await connackCode(t, port, login('named')), 0);
      assert.equal(await connackCode(t, port, login('global')), 0);
      assert.equal(await connackCode(t, port, login('nobody')), 5);
    }
  });
});

describe('plugins across a reload', () => {
  test('plugin lines and per_listener_settings wait for a restart', async (t) => {
    let made = 0;
    const line = pluginLine(() => {
      made++;
      return { basicAuth: () => 'allow' };
    });
    const midge = await startInProcess(t, `allow_anonymous false\n${line}`);
    await midge.reload('allow_anonymous false');
    assert.ok(
      midge.lines.includes('Warning: plugin changes take effect when midge restarts'),
    );
    // The plugin still decides, and was not loaded again.
    assert.equal(await connackCode(t, midge.port, login('anyone')), 0);
    assert.equal(made, 1);
    await midge.reload(`per_listener_settings true\n${line}`);
    assert.ok(
      midge.lines.includes(
        'Warning: per_listener_settings changes take effect when midge restarts',
      ),
    );
  });
});
