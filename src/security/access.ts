/**
 * Access checks, in Mosquitto 2.0's order (observed with its dynamic
 * security plugin beside an acl_file):
 *
 * 1. The broker's own bridges are not checked.
 * 2. The '$' rules (./special-topics.ts): nobody publishes to $SYS,
 *    nothing is published or delivered on $share topics. These hold with
 *    or without an ACL file.
 * 3. Plugins with an aclCheck handler, in order; the first to allow or
 *    deny decides. With auth_plugin_deny_special_chars (the default) a
 *    client whose username or id holds '+' or '#' is refused before the
 *    plugin is asked: it could turn a pattern rule into a wildcard.
 * 4. The acl_file, if configured: its answer is final (no rule = refused).
 * 5. Everyone asked deferred: refused; nobody was asked: allowed.
 *
 * Synchronous: it runs for every message and every recipient.
 */
import { AclAccess, type ClientInfo } from '../broker/hooks.js';
import { clientView } from '../plugins/client-view.js';
import { FAILED, type HostedPlugin } from '../plugins/host.js';
import type { AccessName, AclCheckEvent, PluginClient } from '../plugins/types.js';
import type { QoS } from '../protocol/packets.js';
import { isDecision } from './authenticate.js';
import type { SecurityScope } from './scope.js';
import { checkSpecialTopic } from './special-topics.js';

const NAMES: Readonly<Record<AclAccess, AccessName>> = {
  [AclAccess.Read]: 'read',
  [AclAccess.Write]: 'write',
  [AclAccess.Subscribe]: 'subscribe',
  [AclAccess.Unsubscribe]: 'unsubscribe',
};

/** Called when a client is refused for a dangerous name (NOTICE line). */
export type DangerReport = (what: 'username' | 'client id', value: string) => void;

/** True if the client may have this access to the topic. */
export function checkAccess(
  scope: SecurityScope,
  client: ClientInfo,
  topic: string,
  accessBit: AclAccess,
  qos: QoS,
  retain: boolean,
  payload: Buffer | undefined,
  report: DangerReport,
): boolean {
  if (client.listener.localBridge === true) return true;
  const access = NAMES[accessBit];
  if (!checkSpecialTopic(topic, access)) return false;
  const plugins = scope.handling('aclCheck');
  if (plugins.length > 0) {
    const event = { client: clientView(client), access, topic, qos, retain, payload };
    for (let i = 0; i < plugins.length; i++) {
      const answer = askPlugin(plugins[i] as HostedPlugin, event, report);
      if (answer !== 'defer') return answer === 'allow';
    }
  }
  const acl = scope.files.acl;
  if (acl !== undefined) return acl.check(clientView(client), topic, access);
  return plugins.length === 0;
}

function askPlugin(
  hosted: HostedPlugin,
  event: AclCheckEvent,
  report: DangerReport,
): 'allow' | 'deny' | 'defer' {
  const client = event.client;
  if (hosted.denySpecialChars && isDangerous(client, report)) return 'deny';
  const handler = hosted.plugin.aclCheck as NonNullable<typeof hosted.plugin.aclCheck>;
  const out = hosted.call(
    'aclCheck',
    () => handler.call(hosted.plugin, event),
    isDecision,
    true,
  );
  if (out === FAILED || out instanceof Promise) return 'deny';
  return out ?? 'defer';
}

function isDangerous(client: PluginClient, report: DangerReport): boolean {
  const { username, id: clientId } = client;
  if (username !== undefined && widens(username)) {
    report('username', username);
    return true;
  }
  if (widens(clientId)) {
    report('client id', clientId);
    return true;
  }
  return false;
}

function widens(name: string): boolean {
  return name.includes('+') || name.includes('#');
}
