/**
 * Example plugin (TypeScript): who may connect, by address and MQTT
 * version.
 *
 *   plugin docs/examples/plugins/auth-by-ip.ts
 *   plugin_opt_trusted_addresses 127.0.0.1 10.1.2.*
 *   plugin_opt_deny_protocol_versions 3
 *
 * A client speaking a refused version (3 = MQTT 3.1, 4 = 3.1.1, 5 = 5.0)
 * is refused. A client from a trusted address is let in without a
 * password. Everyone else is left to the next check: other plugins, then
 * the password file. A trailing `*` matches any rest of an address.
 *
 * A `.ts` plugin loads when midge runs under tsx; compile it to `.js` for
 * a plain `node` run. The type import below is erased when it runs.
 */
import type { MidgePlugin, PluginContext } from '../../../src/plugins/index.js';

export default function createAuthByIp(ctx: PluginContext): MidgePlugin {
  const trusted = words(ctx.option('trusted_addresses'));
  const refused = new Set(words(ctx.option('deny_protocol_versions')).map(Number));
  return {
    name: 'auth-by-ip',
    basicAuth({ client }) {
      if (refused.has(client.protocolVersion)) {
        ctx.log.notice(
          `auth-by-ip: refused ${client.id}: MQTT v${client.protocolVersion}`,
        );
        return 'deny';
      }
      if (trusted.some((pattern) => matches(pattern, client.address))) return 'allow';
      return 'defer';
    },
  };
}

function words(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((w) => w !== '');
}

function matches(pattern: string, address: string): boolean {
  if (pattern.endsWith('*')) return address.startsWith(pattern.slice(0, -1));
  return address === pattern;
}
