/**
 * Bridge options: every line after `connection <name>` up to the next
 * `connection` belongs to that bridge. Mosquitto 2.0 does not reload
 * bridges on SIGHUP.
 */

import { applyTopic } from './bridge-topic.js';
import type { ParseContext } from './context.js';
import { createBridge } from './defaults.js';
import type { WordReader } from './line-reader.js';
import { bridgeTlsOptions } from './options-bridge-tls.js';
import {
  boolOption,
  type Common,
  customOption,
  enumOption,
  intOption,
  type OptionSpec,
  type StringOptions,
  stringOption,
} from './spec.js';
import { checkRange, parseIntWord } from './values.js';

const B = { scope: 'bridge', reload: false, support: 'bridge' } as const;

function applyConnection(ctx: ParseContext, words: WordReader): void {
  const name = words.word();
  if (name === undefined) ctx.fail('missing value for connection');
  if (ctx.config.bridges.some((b) => b.name === name)) {
    ctx.fail(`duplicate bridge name "${name}"`);
  }
  const bridge = createBridge(name, ctx.position);
  ctx.config.bridges.push(bridge);
  ctx.state.bridge = bridge;
}

function applyAddress(ctx: ParseContext, words: WordReader): void {
  const bridge = ctx.bridge();
  if (bridge.addresses.length > 0) ctx.fail('a bridge takes one address line');
  const items = words.words();
  if (items.length === 0) ctx.fail(`missing value for ${ctx.option}`);
  for (const item of items) {
    // Split at the last colon, as Mosquitto does: an IPv6 address needs a port.
    const colon = item.lastIndexOf(':');
    if (colon < 0) {
      bridge.addresses.push({ host: item, port: 1883 });
      continue;
    }
    const port = parseIntWord('bridge address port', item.slice(colon + 1), ctx.fail);
    checkRange('bridge address port', port, { min: 1, max: 65535 }, ctx.fail);
    bridge.addresses.push({ host: item.slice(0, colon), port });
  }
}

function applyRestartTimeout(ctx: ParseContext, words: WordReader): void {
  const bridge = ctx.bridge();
  const numbers = words.words();
  if (numbers.length === 0) ctx.fail('missing value for restart_timeout');
  const [first, cap, stable] = numbers.map((w) => parseIntWord(ctx.option, w, ctx.fail));
  let base = first!;
  if (base < 1) {
    ctx.warn('restart_timeout below 1 second, using 1');
    base = 1;
  }
  if (cap === undefined) {
    bridge.restartTimeout = base;
    return;
  }
  if (cap < base) ctx.fail('restart_timeout: the cap is lower than the base');
  bridge.restartTimeout = null;
  bridge.backoffBase = base;
  bridge.backoffCap = cap;
  if (stable !== undefined) bridge.backoffStable = stable;
}

/**
 * Linux's largest keep-alive idle time and interval (seconds) and probe
 * count, and TCP_USER_TIMEOUT (an int of ms): setsockopt refuses more,
 * and a value wrapped or refused there would silently not apply. The
 * client library checks the same limits (src/client/validate-options.ts).
 */
const TCP_KEEPALIVE_MAX = { idle: 32767, interval: 32767, counter: 127 };
const TCP_USER_TIMEOUT_MAX = 2147483647;

function applyTcpKeepalive(ctx: ParseContext, words: WordReader): void {
  const bridge = ctx.bridge();
  const labels = ['idle', 'interval', 'counter'] as const;
  const values = labels.map((label) => {
    const name = `bridge_tcp_keepalive ${label}`;
    const n = parseIntWord(name, words.word(), ctx.fail);
    if (n <= 0) ctx.fail(`${name} must be above 0, not ${n}`);
    return checkRange(name, n, { max: TCP_KEEPALIVE_MAX[label] }, ctx.fail);
  });
  bridge.tcpKeepalive = { idle: values[0]!, interval: values[1]!, counter: values[2]! };
}

function applyStartType(ctx: ParseContext, words: WordReader): void {
  const word = words.word();
  if (word === undefined) ctx.fail('missing value for start_type');
  if (word === 'manual') ctx.fail('start_type manual is not supported');
  if (word !== 'automatic' && word !== 'lazy' && word !== 'once') {
    ctx.fail(`invalid start_type value "${word}" (expected automatic, lazy or once)`);
  }
  ctx.bridge().startType = word;
}

const str = (
  name: string,
  field: string,
  c: Partial<StringOptions> & { summary: string },
) => stringOption(name, field, { ...B, default: 'none', ...c });

const bool = (name: string, field: string, c: Omit<Common, 'scope' | 'reload'>) =>
  boolOption(name, field, { ...B, ...c });

export const bridgeOptions: readonly OptionSpec[] = [
  customOption(
    'connection',
    'special',
    { ...B, default: '-', summary: 'start a bridge section: `connection <name>`' },
    applyConnection,
  ),
  customOption(
    'address',
    'list',
    {
      ...B,
      aliases: ['addresses'],
      default: 'port 1883',
      summary: 'remote broker(s): `host[:port] ...`',
    },
    applyAddress,
  ),
  customOption(
    'topic',
    'special',
    {
      ...B,
      default: 'out, QoS 0',
      summary: '`pattern [in|out|both [qos [local-prefix remote-prefix]]]`',
    },
    applyTopic,
  ),
  bool('bridge_attempt_unsubscribe', 'attemptUnsubscribe', {
    default: 'true',
    summary: 'unsubscribe from "out" topics on the remote',
  }),
  str('bridge_bind_address', 'bindAddress', {
    summary: 'local address of the bridge socket',
  }),
  intOption('bridge_max_packet_size', 'maxPacketSize', {
    ...B,
    min: 0,
    floor: { below: 0, to: 0 },
    default: '0 (no limit)',
    summary: 'largest packet sent to the remote',
  }),
  bool('bridge_outgoing_retain', 'outgoingRetain', {
    default: 'true',
    summary: 'false clears the retain flag of messages sent to the remote',
  }),
  enumOption('bridge_protocol_version', 'protocolVersion', {
    ...B,
    rest: true,
    values: ['mqttv31', 'mqttv311', 'mqttv50'],
    default: 'mqttv311',
    summary: 'MQTT version spoken to the remote',
  }),
  bool('cleansession', 'cleansession', {
    default: 'false',
    summary: 'clean session on the remote',
  }),
  bool('local_cleansession', 'localCleansession', {
    default: 'same as cleansession',
    summary: 'clean session of the local side',
  }),
  intOption('keepalive_interval', 'keepaliveInterval', {
    ...B,
    max: 65535,
    floor: { below: 5, to: 5, notice: 'keepalive_interval below 5 seconds, using 5' },
    default: '60',
    summary: 'bridge keepalive in seconds (5 at least)',
  }),
  intOption('idle_timeout', 'idleTimeout', {
    ...B,
    floor: { below: 1, to: 1, notice: 'idle_timeout below 1 second, using 1' },
    default: '60',
    summary: 'seconds idle before a lazy bridge stops',
  }),
  str('local_clientid', 'localClientId', {
    default: 'local.<remote client id>',
    summary: 'client id on the local broker',
  }),
  str('local_username', 'localUsername', { summary: 'username on the local broker' }),
  str('local_password', 'localPassword', { summary: 'password on the local broker' }),
  str('remote_clientid', 'remoteClientId', {
    aliases: ['clientid'],
    default: '<hostname>.<connection name>',
    summary: 'client id on the remote broker',
  }),
  str('remote_username', 'remoteUsername', {
    aliases: ['username'],
    summary: 'username on the remote broker',
  }),
  str('remote_password', 'remotePassword', {
    aliases: ['password'],
    summary: 'password on the remote broker',
  }),
  bool('notifications', 'notifications', {
    default: 'true',
    summary: 'publish the bridge state (1/0) as a retained message',
  }),
  bool('notifications_local_only', 'notificationsLocalOnly', {
    default: 'false',
    summary: 'publish the state on the local broker only',
  }),
  str('notification_topic', 'notificationTopic', {
    default: '$SYS/broker/connection/<remote client id>/state',
    summary: 'topic of the state messages',
  }),
  customOption(
    'restart_timeout',
    'special',
    {
      ...B,
      default: 'backoff from 5 to 30 seconds',
      summary: '`<seconds>` constant, or `<base> <cap>` (2.1: `[<stable>]`) backoff',
    },
    applyRestartTimeout,
  ),
  bool('round_robin', 'roundRobin', {
    default: 'false',
    summary: 'move through the addresses instead of returning to the first',
  }),
  customOption(
    'start_type',
    'enum',
    {
      ...B,
      values: ['automatic', 'lazy', 'once'],
      default: 'automatic',
      summary: 'when the bridge connects',
    },
    applyStartType,
  ),
  intOption('threshold', 'threshold', {
    ...B,
    floor: { below: 1, to: 1, notice: 'threshold below 1, using 1 message' },
    default: '10',
    summary: 'queued messages that start a lazy bridge',
  }),
  bool('try_private', 'tryPrivate', {
    default: 'true',
    summary: 'tell the remote this is a bridge (protocol bit 0x80)',
  }),
  intOption('bridge_max_topic_alias', 'maxTopicAlias', {
    ...B,
    since: '2.1',
    min: 0,
    max: 65535,
    default: '10',
    summary: 'topic aliases the remote may create (5.0)',
  }),
  intOption('bridge_receive_maximum', 'receiveMaximum', {
    ...B,
    since: '2.1',
    min: 1,
    max: 65535,
    default: 'max_inflight_messages',
    summary: '5.0 receive maximum of the bridge',
  }),
  intOption('bridge_session_expiry_interval', 'sessionExpiryInterval', {
    ...B,
    since: '2.1',
    min: 0,
    max: 4294967295,
    default: '0',
    summary: '5.0 session expiry interval in seconds',
  }),
  customOption(
    'bridge_tcp_keepalive',
    'special',
    {
      ...B,
      since: '2.1',
      default: 'off',
      summary: 'TCP keepalive: `<idle> <interval> <counter>` (at most 32767 32767 127)',
    },
    applyTcpKeepalive,
  ),
  intOption('bridge_tcp_user_timeout', 'tcpUserTimeout', {
    ...B,
    since: '2.1',
    min: 0,
    max: TCP_USER_TIMEOUT_MAX,
    default: "the system's",
    summary: 'TCP_USER_TIMEOUT in milliseconds',
  }),
  enumOption('bridge_reload_type', 'reloadType', {
    ...B,
    since: '2.1',
    values: ['lazy', 'immediate'],
    default: 'lazy',
    summary: 'when a reloaded bridge configuration takes effect',
  }),
  ...bridgeTlsOptions,
];
