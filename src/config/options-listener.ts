/**
 * Listener options. Each applies to the listener section it appears in;
 * before the first `listener` line of a file they apply to the default
 * listener (port 1883 on every address), which then exists if it differs
 * from its defaults. None is reloaded on SIGHUP.
 */

import type { ProtocolVersion } from '../protocol/packets.js';
import type { ParseContext } from './context.js';
import { createListener } from './defaults.js';
import type { WordReader } from './line-reader.js';
import {
  boolOption,
  customOption,
  enumOption,
  intOption,
  type OptionSpec,
  stringOption,
  withWarning,
} from './spec.js';
import { checkRange, isPublishTopic, parseIntWord, parseString } from './values.js';

const L = { scope: 'listener', reload: false } as const;

function applyListener(ctx: ParseContext, words: WordReader): void {
  const port = checkRange(
    'listener port',
    parseIntWord('listener', words.word(), ctx.fail),
    {
      min: 0,
      max: 65535,
    },
    ctx.fail,
  );
  let address = words.word();
  if (address?.startsWith('#')) address = undefined;
  if (port === 0 && address === undefined) {
    ctx.fail('a listener on port 0 needs a Unix socket path');
  }
  const listener = createListener(port, port === 0 ? null : (address ?? null));
  if (port === 0) {
    listener.unixSocketPath = address!;
    ctx.requireFeature('unix-sockets');
  }
  listener.source = ctx.position;
  ctx.config.listeners.push(listener);
  ctx.config.localOnly = false;
  ctx.state.listener = listener;
}

function applyPort(ctx: ParseContext, words: WordReader): void {
  ctx.config.localOnly = false;
  const port = parseIntWord('port', words.word(), ctx.fail);
  checkRange('port', port, { min: 1, max: 65535 }, ctx.fail);
  if (ctx.defaultListenerPort) {
    ctx.warn('default listener port given more than once; the last one is used');
  }
  ctx.defaultListenerPort = true;
  ctx.defaultListener.port = port;
}

function applyBindAddress(ctx: ParseContext, words: WordReader): void {
  ctx.config.localOnly = false;
  const address = parseString('bind_address', words, ctx.fail);
  if (ctx.defaultListener.bindAddress !== null) ctx.fail('duplicate bind_address value');
  ctx.defaultListener.bindAddress = address;
}

function applyMountPoint(ctx: ParseContext, words: WordReader): void {
  if (ctx.config.listeners.length === 0) {
    ctx.fail('mount_point needs a "listener" line before it');
  }
  const value = parseString('mount_point', words, ctx.fail);
  if (!isPublishTopic(value)) ctx.fail(`mount_point "${value}" must not contain + or #`);
  ctx.store('listener', 'mountPoint', value, true);
}

function applyMaxConnections(ctx: ParseContext, words: WordReader): void {
  const word = words.word();
  if (word === undefined) {
    // Mosquitto logs this and runs on without a limit.
    ctx.warn('missing value for max_connections, ignored');
    return;
  }
  const n = parseIntWord('max_connections', word, ctx.fail);
  ctx.listener().maxConnections = n < 0 ? -1 : n;
}

/** Options Mosquitto only takes inside an explicit listener section. */
function requireListenerSection(ctx: ParseContext): void {
  if (ctx.state.listener === null)
    ctx.fail(`${ctx.option} needs a "listener" line before it`);
}

function applyAcceptVersions(ctx: ParseContext, words: WordReader): void {
  requireListenerSection(ctx);
  const items = words
    .rest()
    .split(/[ ,\t]+/)
    .filter((s) => s !== '');
  const cut = items.findIndex((s) => s.startsWith('#'));
  const list = cut < 0 ? items : items.slice(0, cut);
  if (list.length === 0) ctx.fail('missing value for accept_protocol_versions');
  const versions = new Set<ProtocolVersion>();
  for (const item of list) {
    if (item !== '3' && item !== '4' && item !== '5') {
      ctx.fail(`invalid accept_protocol_versions value "${item}" (expected 3, 4 or 5)`);
    }
    versions.add(Number(item) as ProtocolVersion);
  }
  ctx.listener().acceptProtocolVersions = [...versions].sort();
}

function applyProtocol(ctx: ParseContext, words: WordReader): void {
  const word = words.word();
  if (word === undefined) ctx.fail('missing value for protocol');
  if (word !== 'mqtt' && word !== 'websockets') {
    ctx.fail(`invalid protocol value "${word}" (expected mqtt or websockets)`);
  }
  if (word === 'websockets') ctx.requireFeature('websockets');
  ctx.listener().protocol = word;
}

const listenerLine = customOption(
  'listener',
  'listener',
  {
    ...L,
    min: 0,
    max: 65535,
    default: '-',
    summary: 'start a listener section: `listener <port> [<address>|<unix path>]`',
  },
  applyListener,
);

export const listenerOptions: readonly OptionSpec[] = [
  listenerLine,
  withWarning(
    customOption(
      'port',
      'int',
      {
        ...L,
        deprecated: true,
        min: 1,
        max: 65535,
        default: '1883',
        summary: 'port of the default listener',
      },
      applyPort,
    ),
    'port is deprecated; use "listener" instead',
  ),
  withWarning(
    customOption(
      'bind_address',
      'string',
      {
        ...L,
        deprecated: true,
        default: 'every address',
        summary: 'address of the default listener',
      },
      applyBindAddress,
    ),
    'bind_address is deprecated; use "listener <port> <address>" instead',
  ),
  stringOption('bind_interface', 'bindInterface', {
    ...L,
    support: 'bind-interface',
    default: 'none',
    summary: 'bind to this network interface',
  }),
  customOption(
    'max_connections',
    'int',
    { ...L, default: '-1 (no limit)', summary: 'most clients on this listener' },
    applyMaxConnections,
  ),
  intOption('max_qos', 'maxQos', {
    ...L,
    aliases: ['maximum_qos'],
    min: 0,
    max: 2,
    default: '2',
    summary: 'highest QoS clients of this listener may use',
  }),
  intOption('max_topic_alias', 'maxTopicAlias', {
    ...L,
    min: 0,
    max: 65535,
    default: '10',
    summary: 'topic aliases a 5.0 client may create; 0 = none',
  }),
  intOption('max_topic_alias_broker', 'maxTopicAliasBroker', {
    ...L,
    since: '2.1',
    min: 0,
    max: 65535,
    // 0 as in Mosquitto 2.0, whose client library cannot read an alias
    // the broker sends; 2.1 makes it 10.
    default: '0',
    summary: 'topic aliases the broker creates towards 5.0 clients; 0 = none',
  }),
  customOption(
    'mount_point',
    'string',
    { ...L, default: 'none', summary: "prefix added to this listener's topics" },
    applyMountPoint,
  ),
  customOption(
    'protocol',
    'enum',
    {
      ...L,
      values: ['mqtt', 'websockets'],
      default: 'mqtt',
      summary: 'mqtt, or websockets (needs the websockets feature)',
    },
    applyProtocol,
  ),
  enumOption('socket_domain', 'socketDomain', {
    ...L,
    values: ['ipv4', 'ipv6'],
    default: 'both',
    summary: 'listen on IPv4 or IPv6 only',
  }),
  boolOption('use_username_as_clientid', 'useUsernameAsClientId', {
    ...L,
    default: 'false',
    summary: 'replace the client id with the username',
  }),
  customOption(
    'accept_protocol_versions',
    'list',
    {
      ...L,
      reload: true,
      since: '2.1',
      values: ['3', '4', '5'],
      default: '3, 4, 5',
      summary: 'MQTT versions accepted: 3 = 3.1, 4 = 3.1.1, 5 = 5.0',
    },
    applyAcceptVersions,
  ),
  customOption(
    'enable_proxy_protocol',
    'enum',
    {
      ...L,
      since: '2.1',
      support: 'proxy-protocol',
      values: ['1', '2'],
      default: 'off',
      summary: 'expect a HAProxy PROXY header, version 1 or 2',
    },
    (ctx, words) => {
      const n = parseIntWord(ctx.option, words.word(), ctx.fail);
      if (n !== 1 && n !== 2) ctx.fail(`enable_proxy_protocol must be 1 or 2, not ${n}`);
      ctx.listener().proxyProtocol = n as 1 | 2;
    },
  ),
  boolOption('proxy_protocol_v2_require_tls', 'proxyProtocolV2RequireTls', {
    ...L,
    since: '2.1',
    support: 'proxy-protocol',
    default: 'false',
    summary: 'refuse PROXY v2 connections that did not use TLS',
  }),
];

export { requireListenerSection };
