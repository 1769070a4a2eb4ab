/**
 * Authentication and authorisation options. With per_listener_settings
 * true they belong to the current listener, otherwise to the broker; the
 * setting must come before any of them, and once true it stays true.
 */
import type { ParseContext } from './context.js';
import type { WordReader } from './line-reader.js';
import { boolOption, customOption, type OptionSpec, stringOption } from './spec.js';
import type { PluginConfig } from './types.js';
import { parseBool, parseString } from './values.js';

const PL = { scope: 'per-listener', reload: true } as const;
const PLUGIN = { scope: 'per-listener', reload: false, support: 'plugins' } as const;

function applyPerListener(ctx: ParseContext, words: WordReader): void {
  const value = parseBool(ctx.option, words, ctx.fail);
  // Once on, it cannot be turned off again (Mosquitto ignores the line).
  if (ctx.config.perListenerSettings) return;
  if (value && ctx.securityTouched) {
    ctx.fail('per_listener_settings must come before every other security option');
  }
  ctx.config.perListenerSettings = value;
}

function newPlugin(ctx: ParseContext, name: string | null, path: string): PluginConfig {
  const plugin: PluginConfig = {
    name,
    path,
    options: [],
    denySpecialChars: true,
    source: ctx.position,
  };
  ctx.state.plugin = plugin;
  return plugin;
}

function applyPlugin(ctx: ParseContext, words: WordReader): void {
  const path = parseString(ctx.option, words, ctx.fail);
  ctx.security().plugins.push(newPlugin(ctx, null, path));
}

function applyGlobalPlugin(ctx: ParseContext, words: WordReader): void {
  const path = parseString(ctx.option, words, ctx.fail);
  ctx.config.globalPlugins.push(newPlugin(ctx, null, path));
}

function applyPluginLoad(ctx: ParseContext, words: WordReader): void {
  const name = words.word();
  const path = name === undefined ? '' : words.rest().trim();
  if (name === undefined || path === '') ctx.fail('plugin_load needs a name and a path');
  if (ctx.config.namedPlugins.has(name)) ctx.fail(`plugin "${name}" is loaded twice`);
  ctx.config.namedPlugins.set(name, newPlugin(ctx, name, path));
}

function applyPluginUse(ctx: ParseContext, words: WordReader): void {
  const name = words.word();
  if (name === undefined) ctx.fail('missing value for plugin_use');
  const plugin = ctx.config.namedPlugins.get(name);
  if (plugin === undefined)
    ctx.fail(`plugin_use names "${name}", not loaded by plugin_load`);
  ctx.security().plugins.push(plugin);
}

/** Mosquitto refuses keys shorter than three characters. */
const MIN_KEY = 3;

function applyPluginOpt(ctx: ParseContext, words: WordReader): void {
  const plugin = ctx.plugin();
  const prefix = ctx.option.startsWith('auth_opt_') ? 'auth_opt_' : 'plugin_opt_';
  const key = ctx.option.slice(prefix.length);
  if (key.length < MIN_KEY) {
    ctx.fail(`plugin option name "${key}" is too short (3 characters at least)`);
  }
  // The value keeps trailing blanks: Mosquitto passes the rest of the line.
  const value = words.rest().replace(/^[ \t]+/, '');
  if (value === '') ctx.fail(`missing value for ${ctx.option}`);
  plugin.options.push([key, value]);
}

export const securityOptions: readonly OptionSpec[] = [
  customOption(
    'per_listener_settings',
    'bool',
    {
      scope: 'global',
      reload: true,
      support: 'security',
      default: 'false',
      summary: 'make the security options of this section per listener',
    },
    applyPerListener,
  ),
  boolOption('allow_anonymous', 'allowAnonymous', {
    ...PL,
    default: 'false (true when no listener is configured)',
    summary: 'allow clients that give no username',
  }),
  boolOption('allow_zero_length_clientid', 'allowZeroLengthClientId', {
    ...PL,
    default: 'true',
    summary: 'give clients with an empty client id a generated one',
  }),
  stringOption('auto_id_prefix', 'autoIdPrefix', {
    ...PL,
    default: 'auto-',
    summary: 'prefix of generated client ids',
  }),
  stringOption('password_file', 'passwordFile', {
    ...PL,
    kind: 'path',
    support: 'security',
    default: 'none',
    summary: 'password file made by midge_passwd or mosquitto_passwd',
  }),
  stringOption('acl_file', 'aclFile', {
    ...PL,
    kind: 'path',
    support: 'security',
    default: 'none',
    summary: 'access control list file',
  }),
  stringOption('psk_file', 'pskFile', {
    ...PL,
    kind: 'path',
    support: 'psk',
    default: 'none',
    summary: 'PSK identities and keys, `identity:hexkey` lines',
  }),
  customOption(
    'plugin',
    'path',
    {
      ...PLUGIN,
      aliases: ['auth_plugin'],
      default: 'none',
      summary: 'load a plugin; repeatable, used in order',
    },
    applyPlugin,
  ),
  {
    ...customOption(
      'plugin_opt_*',
      'special',
      {
        ...PLUGIN,
        scope: 'plugin',
        aliases: ['auth_opt_*'],
        default: 'none',
        summary: '`plugin_opt_<key> <value>`: option for the plugin above',
      },
      applyPluginOpt,
    ),
    prefix: true,
  },
  customOption(
    'auth_plugin_deny_special_chars',
    'bool',
    {
      ...PLUGIN,
      scope: 'plugin',
      default: 'true',
      summary: 'deny ACL checks for usernames or client ids with + or #',
    },
    (ctx, words) => {
      ctx.plugin().denySpecialChars = parseBool(ctx.option, words, ctx.fail);
    },
  ),
  customOption(
    'global_plugin',
    'path',
    {
      ...PLUGIN,
      scope: 'global',
      since: '2.1',
      default: 'none',
      summary: 'a plugin for every listener, whatever per_listener_settings says',
    },
    applyGlobalPlugin,
  ),
  customOption(
    'plugin_load',
    'special',
    {
      ...PLUGIN,
      scope: 'global',
      since: '2.1',
      default: 'none',
      summary: 'undocumented: `plugin_load <name> <path>` loads a plugin once',
    },
    applyPluginLoad,
  ),
  customOption(
    'plugin_use',
    'special',
    {
      ...PLUGIN,
      since: '2.1',
      default: 'none',
      summary: 'undocumented: `plugin_use <name>` attaches a loaded plugin here',
    },
    applyPluginUse,
  ),
];
