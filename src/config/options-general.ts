/**
 * General, persistence and limit options: one value each, broker-wide,
 * reloaded on SIGHUP unless noted.
 */
import {
  boolOption,
  type Common,
  customOption,
  enumOption,
  intOption,
  type OptionSpec,
  stringOption,
  withWarning,
} from './spec.js';
import { checkRange, parseBool, parseIntWord } from './values.js';

const G = { scope: 'global', reload: true } as const;
const PERSIST = { ...G, support: 'persistence' } as const;
const MAX_PAYLOAD = 268435455;
const RANGE_16 = { min: 0, max: 65535 };

const SECONDS_PER: Record<string, number> = {
  h: 3600,
  d: 86400,
  w: 86400 * 7,
  m: 86400 * 30,
  y: 86400 * 365,
};

/** `persistent_client_expiration 14d` -> seconds. */
export function parseExpiration(text: string): number | undefined {
  const match = /^([0-9]+)([hdwmy])$/.exec(text);
  if (match === null) return undefined;
  const seconds = Number(match[1]) * SECONDS_PER[match[2]!]!;
  return seconds > 0 ? seconds : undefined;
}

const expiration = (c: Common): OptionSpec =>
  customOption('persistent_client_expiration', 'special', c, (ctx, words) => {
    const word = words.word();
    if (word === undefined) {
      // Mosquitto logs this and runs on with no expiry.
      ctx.warn('missing value for persistent_client_expiration, ignored');
      return;
    }
    const seconds = parseExpiration(word);
    if (seconds === undefined) {
      ctx.fail(
        `invalid persistent_client_expiration "${word}" ` +
          '(expected a positive number followed by h, d, w, m or y)',
      );
    }
    ctx.store('global', 'persistentClientExpiration', seconds);
  });

const maxInflight = (c: Common): OptionSpec =>
  customOption('max_inflight_messages', 'int', { ...c, min: 0, max: 65535 }, (ctx, w) => {
    let n = parseIntWord(ctx.option, w.word(), ctx.fail);
    // Mosquitto treats a negative value and 65535 as "no limit".
    if (n < 0 || n === 65535) n = 0;
    ctx.store(
      'global',
      'maxInflightMessages',
      checkRange(ctx.option, n, RANGE_16, ctx.fail),
    );
  });

export const generalOptions: readonly OptionSpec[] = [
  withWarning(
    boolOption('allow_duplicate_messages', 'allowDuplicateMessages', {
      ...G,
      deprecated: true,
      default: 'false',
      summary: 'duplicate delivery to overlapping subscriptions',
    }),
    'allow_duplicate_messages is deprecated and will be removed',
  ),
  customOption(
    'check_retain_source',
    'bool',
    {
      ...G,
      support: 'security',
      default: 'true',
      summary: "re-check the original publisher's ACL before sending a retained message",
    },
    (ctx, words) => {
      // Mosquitto counts it as a security option for per_listener_settings.
      ctx.securityTouched = true;
      ctx.config.checkRetainSource = parseBool(ctx.option, words, ctx.fail);
    },
  ),
  withWarning(
    stringOption('clientid_prefixes', 'clientidPrefixes', {
      ...G,
      support: 'clientid-prefixes',
      deprecated: true,
      default: 'unset (all client ids)',
      summary: 'only client ids starting with this prefix may connect',
    }),
    'clientid_prefixes is deprecated and will be removed',
  ),
  intOption('max_inflight_bytes', 'maxInflightBytes', {
    ...G,
    min: 0,
    floor: { below: 0, to: 0 },
    default: '0 (no limit)',
    summary: 'bytes of outgoing QoS 1/2 messages in flight per client',
  }),
  maxInflight({
    ...G,
    default: '20',
    summary: 'outgoing QoS 1/2 messages in flight per client; 0 = no limit',
  }),
  intOption('max_keepalive', 'maxKeepalive', {
    ...G,
    min: 0,
    max: 65535,
    default: '0 (no limit; 65535 in the 2.0 man page)',
    summary: 'largest keepalive a client may use',
  }),
  intOption('max_packet_size', 'maxPacketSize', {
    ...G,
    min: 20,
    default: '0 (no limit; cannot be written)',
    summary: 'largest packet accepted; bigger packets disconnect the client',
  }),
  intOption('max_queued_bytes', 'maxQueuedBytes', {
    ...G,
    min: 0,
    floor: { below: 0, to: 0 },
    default: '0 (no limit)',
    summary: 'bytes queued per client beyond those in flight',
  }),
  intOption('max_queued_messages', 'maxQueuedMessages', {
    ...G,
    min: 0,
    floor: { below: 0, to: 0 },
    default: '1000',
    summary: 'QoS 1/2 messages queued per client beyond those in flight; 0 = no limit',
  }),
  intOption('memory_limit', 'memoryLimit', {
    ...G,
    min: 0,
    default: '0 (no limit)',
    summary: 'heap memory above which new messages and clients are refused',
  }),
  withWarning(
    intOption('message_size_limit', 'messageSizeLimit', {
      ...G,
      min: 0,
      max: MAX_PAYLOAD,
      default: '0 (the protocol maximum)',
      summary: 'largest PUBLISH payload accepted',
    }),
    'message_size_limit is better replaced by max_packet_size',
  ),
  stringOption('pid_file', 'pidFile', {
    ...G,
    kind: 'path',
    reload: false,
    support: 'pid-file',
    default: 'none',
    summary: 'write the process id to this file',
  }),
  boolOption('queue_qos0_messages', 'queueQos0Messages', {
    ...G,
    default: 'false',
    summary: 'queue QoS 0 messages for offline persistent sessions',
  }),
  boolOption('retain_available', 'retainAvailable', {
    ...G,
    default: 'true',
    summary: 'false: retained messages are not supported',
  }),
  boolOption('tcp_wrappers', 'tcpWrappers', {
    ...G,
    reload: false,
    since: 'midge',
    default: 'false',
    summary: 'check new connections against /etc/hosts.allow and /etc/hosts.deny',
  }),
  boolOption('set_tcp_nodelay', 'setTcpNodelay', {
    ...G,
    default: 'true (Mosquitto: false)',
    summary: 'disable Nagle on client sockets',
  }),
  intOption('sys_interval', 'sysInterval', {
    ...G,
    support: 'sys',
    min: 0,
    max: 65535,
    default: '10 (0 = no $SYS tree)',
    summary: 'seconds between $SYS updates',
  }),
  boolOption('upgrade_outgoing_qos', 'upgradeOutgoingQos', {
    ...G,
    default: 'false',
    summary: 'deliver at the subscription QoS (non-standard)',
  }),
  customOption(
    'user',
    'string',
    {
      ...G,
      reload: false,
      support: 'privileges',
      default: 'mosquitto',
      summary: 'user to switch to when started as root',
    },
    (ctx, words) => {
      // A second `user` line replaces the first, as in Mosquitto.
      const value = words.rest().replace(/^[ \t]+|[ \t]+$/g, '');
      if (value === '') ctx.fail('missing value for user');
      ctx.store('global', 'user', value);
    },
  ),
  boolOption('enable_control_api', 'enableControlApi', {
    ...G,
    since: '2.1',
    support: 'control-api',
    default: 'false',
    summary: 'enable the $CONTROL/broker/v1 API',
  }),
  intOption('global_max_clients', 'globalMaxClients', {
    ...G,
    since: '2.1',
    support: 'global-limits',
    default: '-1 (no limit)',
    summary: 'most client sessions, connected or persisted, broker-wide',
  }),
  intOption('global_max_connections', 'globalMaxConnections', {
    ...G,
    since: '2.1',
    support: 'global-limits',
    default: '-1 (no limit)',
    summary: 'most connected clients broker-wide',
  }),
  customOption(
    'retry_interval',
    'special',
    {
      ...G,
      deprecated: true,
      default: '-',
      summary: 'removed in Mosquitto 2.0; accepted and ignored with a warning',
    },
    (ctx, words) => {
      words.rest();
      ctx.warn('retry_interval is no longer available and is ignored');
    },
  ),
];

export const persistenceOptions: readonly OptionSpec[] = [
  boolOption('persistence', 'persistence', {
    ...PERSIST,
    aliases: ['retained_persistence'],
    default: 'false',
    summary: 'save sessions, subscriptions and retained messages to disk',
  }),
  stringOption('persistence_file', 'persistenceFile', {
    ...PERSIST,
    kind: 'path',
    default: 'mosquitto.db',
    summary: 'database file name',
  }),
  stringOption('persistence_location', 'persistenceLocation', {
    ...PERSIST,
    kind: 'path',
    default: 'the working directory',
    summary: 'database folder',
  }),
  intOption('autosave_interval', 'autosaveInterval', {
    ...PERSIST,
    min: 0,
    floor: { below: 0, to: 0 },
    default: '1800',
    summary: 'seconds (or changes) between saves; 0 = only on exit',
  }),
  boolOption('autosave_on_changes', 'autosaveOnChanges', {
    ...PERSIST,
    default: 'false',
    summary: 'autosave_interval counts changes instead of seconds',
  }),
  enumOption('persistence_durability', 'persistenceDurability', {
    ...PERSIST,
    // Opened once at start-up: a reload cannot change it.
    reload: false,
    values: ['normal', 'full'],
    default: 'normal',
    summary:
      'midge only: what an acknowledged message survives: normal = the ' +
      'process dying, full = also power loss (fsync per commit)',
  }),
  expiration({
    ...G,
    default: 'never',
    summary: 'expire disconnected persistent sessions after N h, d, w, m or y',
  }),
];
