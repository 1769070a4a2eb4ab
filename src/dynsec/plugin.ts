/**
 * Dynamic security as a midge plugin, registered as the built-in
 * `dynamic-security`: what a config naming Mosquitto's
 * `mosquitto_dynamic_security.so` loads, with the same option:
 *
 *   plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so
 *   plugin_opt_config_file /etc/mosquitto/dynamic-security.json
 *
 * It answers basic authentication and access checks from the config file
 * and serves `$CONTROL/dynamic-security/v1`, publishing each answer on
 * `$CONTROL/dynamic-security/v1/response` as the broker (QoS 0, not
 * retained), so every client allowed to receive it does.
 */
import { registerBuiltinPlugin } from '../plugins/builtin.js';
import type { MidgePlugin, PluginContext, PluginFactory } from '../plugins/types.js';
import { CONTROL_TOPIC, DynamicSecurity, RESPONSE_TOPIC } from './engine.js';
import { asciiLower } from './json.js';

export const PLUGIN_NAME = 'dynamic-security';

/** The first `plugin_opt_config_file`, its key matched ignoring case. */
function configFileOption(ctx: PluginContext): string | undefined {
  return ctx.options.find(([key]) => asciiLower(key) === 'config_file')?.[1];
}

/** Disconnects a username's clients; null: those without a username. */
function kicker(ctx: PluginContext) {
  return (username: string | null) => {
    if (username !== null) {
      ctx.broker.disconnectUsername(username);
      return;
    }
    for (const client of ctx.broker.clients()) {
      if (client.username === undefined) ctx.broker.disconnectClient(client.id);
    }
  };
}

export const dynamicSecurityPlugin: PluginFactory = (ctx) => {
  const configFile = configFileOption(ctx);
  if (configFile === undefined) {
    ctx.log.warning(
      'Warning: Dynamic security plugin has no plugin_opt_config_file defined. ' +
        'The plugin will not be activated.',
    );
    return { name: PLUGIN_NAME };
  }
  const dynsec = new DynamicSecurity({
    configFile,
    log: (level, line) => ctx.log[level](line),
    kick: kicker(ctx),
  });
  dynsec.load();
  const plugin: MidgePlugin = {
    name: PLUGIN_NAME,
    basicAuth: ({ client, username, password }) =>
      dynsec.authenticate(username, password, client.id),
    aclCheck: ({ client, topic, access }) =>
      dynsec.checkAcl({ username: client.username }, topic, access),
    control: {
      [CONTROL_TOPIC]: (event) => {
        const requester = { clientId: event.client.id, username: event.client.username };
        const response = dynsec.handleControl(event.payload, requester);
        ctx.broker.publish({ topic: RESPONSE_TOPIC, payload: response, qos: 0 });
        return undefined;
      },
    },
  };
  return plugin;
};

registerBuiltinPlugin(PLUGIN_NAME, dynamicSecurityPlugin);
