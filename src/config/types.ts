/**
 * The typed result of reading a mosquitto.conf. Field names are the
 * camelCase forms of the option names (`max_inflight_messages` ->
 * `maxInflightMessages`); defaults are Mosquitto 2.0's. Where Mosquitto
 * leaves a value unset, the field is `null`.
 */
import type { ProtocolVersion, QoS } from '../protocol/packets.js';

/** Where a line came from, so later errors can cite it. */
export interface SourcePosition {
  file: string;
  line: number;
}

/** One option line as read, in file order (includes expanded in place). */
export interface Directive extends SourcePosition {
  /** The option name as written (an alias stays an alias). */
  option: string;
  /** The table name the option resolved to (`auth_plugin` -> `plugin`). */
  canonical: string;
  /** Set when this value needs a feature the option itself does not. */
  feature?: string;
}

export interface ConfigWarning extends SourcePosition {
  message: string;
}

export interface PluginConfig {
  /** 2.1 `plugin_load NAME PATH`; null for `plugin PATH`. */
  name: string | null;
  path: string;
  /** plugin_opt_* / auth_opt_* in file order, key without the prefix. */
  options: Array<[key: string, value: string]>;
  /** auth_plugin_deny_special_chars: refuse ACL checks for ids with + or #. */
  denySpecialChars: boolean;
  source: SourcePosition;
}

/**
 * The options that per_listener_settings moves from the broker to each
 * listener. `allowAnonymous` is null until the file has been read, then
 * resolved (false with a config file, true in local-only mode).
 */
export interface SecurityOptions {
  passwordFile: string | null;
  aclFile: string | null;
  pskFile: string | null;
  allowAnonymous: boolean | null;
  allowZeroLengthClientId: boolean;
  autoIdPrefix: string;
  plugins: PluginConfig[];
}

export type ListenerProtocol = 'mqtt' | 'websockets';
export type SocketDomain = 'ipv4' | 'ipv6';

export interface ListenerConfig {
  /** 0 for a Unix socket listener. */
  port: number;
  /** Bind address or host name; null = every address. */
  bindAddress: string | null;
  /** Set for `listener 0 <path>`. */
  unixSocketPath: string | null;
  /** True for the listener made of `port`/`bind_address`/early options. */
  isDefault: boolean;
  protocol: ListenerProtocol;
  /** null = both IPv4 and IPv6. */
  socketDomain: SocketDomain | null;
  bindInterface: string | null;
  maxConnections: number;
  maxQos: QoS;
  maxTopicAlias: number;
  maxTopicAliasBroker: number;
  mountPoint: string | null;
  useUsernameAsClientId: boolean;
  acceptProtocolVersions: ProtocolVersion[];
  /** 2.1 enable_proxy_protocol: 1 or 2, null = off. */
  proxyProtocol: 1 | 2 | null;
  proxyProtocolV2RequireTls: boolean;
  // Certificate TLS
  cafile: string | null;
  capath: string | null;
  certfile: string | null;
  keyfile: string | null;
  ciphers: string | null;
  ciphersTls13: string | null;
  crlfile: string | null;
  dhparamfile: string | null;
  requireCertificate: boolean;
  tlsEngine: string | null;
  tlsEngineKpassSha1: string | null;
  tlsKeyform: 'pem' | 'engine';
  tlsVersion: string | null;
  useIdentityAsUsername: boolean;
  useSubjectAsUsername: boolean;
  disableClientCertDateChecks: boolean;
  // PSK
  pskHint: string | null;
  // Websockets
  httpDir: string | null;
  websocketsOrigins: string[];
  /** Used when the config has per_listener_settings true. */
  security: SecurityOptions;
  /** The `listener` line; the first option line for the default listener. */
  source: SourcePosition | null;
}

export type BridgeDirection = 'in' | 'out' | 'both';

export interface BridgeTopic {
  /** The pattern; '' when the line gave `""` and the prefixes make the topic. */
  pattern: string;
  direction: BridgeDirection;
  qos: QoS;
  localPrefix: string | null;
  remotePrefix: string | null;
  source: SourcePosition;
}

export interface BridgeAddress {
  host: string;
  port: number;
}

export type BridgeProtocolVersion = 'mqttv31' | 'mqttv311' | 'mqttv50';

export interface BridgeConfig {
  name: string;
  addresses: BridgeAddress[];
  topics: BridgeTopic[];
  attemptUnsubscribe: boolean;
  bindAddress: string | null;
  maxPacketSize: number;
  outgoingRetain: boolean;
  protocolVersion: BridgeProtocolVersion;
  cleansession: boolean;
  /** null = same as cleansession. */
  localCleansession: boolean | null;
  keepaliveInterval: number;
  idleTimeout: number;
  /** Default `local.<remoteClientId>`, filled in once the file is read. */
  localClientId: string | null;
  localUsername: string | null;
  localPassword: string | null;
  /** Default `<hostname>.<name>`, filled in once the file is read. */
  remoteClientId: string | null;
  remoteUsername: string | null;
  remotePassword: string | null;
  notifications: boolean;
  notificationsLocalOnly: boolean;
  notificationTopic: string | null;
  /** restart_timeout with one number: constant delay; null = backoff. */
  restartTimeout: number | null;
  backoffBase: number;
  backoffCap: number;
  /** 2.1 third restart_timeout number. */
  backoffStable: number | null;
  roundRobin: boolean;
  startType: 'automatic' | 'lazy' | 'once';
  threshold: number;
  tryPrivate: boolean;
  maxTopicAlias: number;
  receiveMaximum: number | null;
  sessionExpiryInterval: number;
  tcpKeepalive: { idle: number; interval: number; counter: number } | null;
  tcpUserTimeout: number | null;
  reloadType: 'lazy' | 'immediate';
  // TLS / PSK
  alpn: string | null;
  cafile: string | null;
  capath: string | null;
  certfile: string | null;
  keyfile: string | null;
  identity: string | null;
  psk: string | null;
  insecure: boolean;
  requireOcsp: boolean;
  tlsVersion: string | null;
  tlsUseOsCerts: boolean;
  ciphers: string | null;
  ciphersTls13: string | null;
  source: SourcePosition;
}

export type LogDestName =
  | 'stdout'
  | 'stderr'
  | 'syslog'
  | 'topic'
  | 'file'
  | 'dlt'
  | 'android';

export type LogTypeName =
  | 'debug'
  | 'error'
  | 'warning'
  | 'notice'
  | 'information'
  | 'subscribe'
  | 'unsubscribe'
  | 'websockets'
  | 'internal';

export interface Config {
  /** The main file; null for the built-in default config. */
  file: string | null;
  /** Every file read, the main one first. */
  files: string[];
  // General
  allowDuplicateMessages: boolean;
  checkRetainSource: boolean;
  clientidPrefixes: string | null;
  maxInflightBytes: number;
  maxInflightMessages: number;
  maxKeepalive: number;
  maxPacketSize: number;
  maxQueuedBytes: number;
  maxQueuedMessages: number;
  /** 0 = no limit. */
  memoryLimit: number;
  messageSizeLimit: number;
  pidFile: string | null;
  queueQos0Messages: boolean;
  retainAvailable: boolean;
  setTcpNodelay: boolean;
  /** midge only: hosts_access(5) checks of new connections. */
  tcpWrappers: boolean;
  sysInterval: number;
  upgradeOutgoingQos: boolean;
  user: string;
  enableControlApi: boolean;
  globalMaxClients: number;
  globalMaxConnections: number;
  // Persistence
  persistence: boolean;
  persistenceFile: string;
  /** null = the working directory. */
  persistenceLocation: string | null;
  autosaveInterval: number;
  autosaveOnChanges: boolean;
  /** midge only: `normal` survives a crash, `full` also power loss. */
  persistenceDurability: 'normal' | 'full';
  /** Seconds; 0 = never expire. */
  persistentClientExpiration: number;
  // Logging
  logDest: LogDestName[];
  /** The path of `log_dest file <path>`. */
  logFile: string | null;
  logType: LogTypeName[];
  logTimestamp: boolean;
  logTimestampFormat: string | null;
  /** syslog local0..local7; null = daemon. */
  logFacility: number | null;
  connectionMessages: boolean;
  websocketsLogLevel: number;
  websocketsHeadersSize: number;
  // Security
  perListenerSettings: boolean;
  /** Broker-wide security; per-listener copies live on each listener. */
  security: SecurityOptions;
  /** Same array as security.plugins: the broker-wide plugins in order. */
  plugins: PluginConfig[];
  /** 2.1 global_plugin: plugins for every listener. */
  globalPlugins: PluginConfig[];
  /** 2.1 plugin_load: plugins loaded once by name, attached by plugin_use. */
  namedPlugins: Map<string, PluginConfig>;
  /** No listener, port or bind_address: listen on loopback only. */
  localOnly: boolean;
  listeners: ListenerConfig[];
  bridges: BridgeConfig[];
  /** Every option line in file order. */
  directives: Directive[];
  warnings: ConfigWarning[];
  /** Where an option was last set (canonical name or alias), if it was. */
  sourceOf(option: string): SourcePosition | undefined;
}
