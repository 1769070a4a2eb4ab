/**
 * The plugin API: what a midge plugin is, the events it may handle and what
 * it may answer. It follows Mosquitto 2.1's plugin events (basic auth, ACL
 * check, extended auth, message, PSK key, tick, reload, connect,
 * disconnect, subscribe, unsubscribe, control topics), in TypeScript terms.
 *
 * A plugin is a module whose default export is a {@link PluginFactory}:
 * `plugin /path/to/plugin.js` in mosquitto.conf loads it, and its
 * `plugin_opt_*` lines reach the factory in file order.
 *
 * @example
 * // deny-v31.ts: refuses MQTT 3.1 clients, leaves the rest to others.
 * import type { PluginFactory } from 'midge/dist/plugins/index.js';
 * const create: PluginFactory = (ctx) => ({
 *   name: 'deny-v31',
 *   basicAuth: ({ client }) => (client.protocolVersion === 3 ? 'deny' : 'defer'),
 * });
 * export default create;
 */
import type { ProtocolVersion, QoS } from '../protocol/packets.js';
import type { Properties } from '../protocol/properties.js';

/**
 * A plugin's answer to an authentication or access question. `defer`
 * (and returning nothing) passes the question on: to the next plugin, then
 * to the password or ACL file; when everyone defers, Mosquitto's rule
 * holds (refused, except anonymous clients where allow_anonymous is true).
 */
export type Decision = 'allow' | 'deny' | 'defer';

/** What an access check is for. */
export type AccessName = 'read' | 'write' | 'subscribe' | 'unsubscribe';

/** A connected (or connecting) client as plugins see it. */
export interface PluginClient {
  /** Client identifier, after any assignment or use_username_as_clientid. */
  readonly id: string;
  /** As sent in CONNECT or taken from TLS; undefined when none was given. */
  readonly username: string | undefined;
  readonly address: string;
  readonly port: number;
  /** 3 = MQTT 3.1, 4 = 3.1.1, 5 = 5.0. */
  readonly protocolVersion: ProtocolVersion;
  /** The listener's name as logs show it: its port or socket path. */
  readonly listener: string;
}

export interface BasicAuthEvent {
  readonly client: PluginClient;
  /** Undefined for a client that sent none; '' counts as none too. */
  readonly username: string | undefined;
  /** The password's bytes; never log them. */
  readonly password: Buffer | undefined;
}

export interface AclCheckEvent {
  readonly client: PluginClient;
  readonly access: AccessName;
  /** Topic or (subscribe/unsubscribe) filter, mount point included. */
  readonly topic: string;
  readonly qos: QoS;
  readonly retain: boolean;
  /**
   * The message, for read and write checks: the broker's own bytes, shared
   * with what it sends, so never written into.
   */
  readonly payload: Buffer | undefined;
}

export interface ExtendedAuthEvent {
  readonly client: PluginClient;
  /** The 5.0 Authentication Method. */
  readonly method: string;
  /** Authentication Data from CONNECT or AUTH. */
  readonly data: Buffer | undefined;
  /** True when a connected client asked to authenticate again. */
  readonly reauth: boolean;
}

/**
 * One step of enhanced authentication: `allow` ends it successfully,
 * `continue` sends an AUTH packet with `data` and waits for the client,
 * `deny` refuses, `defer` lets the next plugin try the method.
 */
export interface ExtendedAuthResult {
  readonly decision: Decision | 'continue';
  readonly data?: Buffer;
}

export interface MessageEvent {
  readonly client: PluginClient;
  /** Full topic, mount point included. */
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  /** 5.0 properties forwarded to subscribers (user properties and so on). */
  readonly properties: Readonly<Properties> | undefined;
}

/** Fields to change in a message; those left out stay as they were. */
export interface MessageChange {
  topic?: string;
  payload?: Buffer | string;
  qos?: QoS;
  retain?: boolean;
  properties?: Properties | undefined;
}

/**
 * What a message handler decides: nothing (undefined) keeps the message,
 * a change replaces the given fields, `deny` drops it (a 5.0 publisher
 * is told Not Authorized, as for an access refusal).
 */
export type MessageResult = MessageChange | 'deny' | undefined;

export interface PskKeyEvent {
  /** The listener doing the TLS-PSK handshake. */
  readonly listener: string;
  /** The listener's psk_hint. */
  readonly hint: string;
  readonly identity: string;
}

/**
 * The key for a PSK identity: bytes, or hexadecimal digits as in a
 * psk_file; `deny` fails the handshake; undefined defers.
 */
export type PskKeyResult = Buffer | string | 'deny' | undefined;

export interface TickEvent {
  /** Epoch milliseconds. */
  readonly now: number;
}

export interface ReloadEvent {
  /** The plugin's options as the reloaded configuration gives them. */
  readonly options: PluginOptions;
}

export interface ConnectEvent {
  readonly client: PluginClient;
}

export interface DisconnectEvent {
  readonly client: PluginClient;
}

export interface SubscribeEvent {
  readonly client: PluginClient;
  /** The filter, mount point included, `$share/<group>/` removed. */
  readonly filter: string;
  /** The shared subscription group, '' for an ordinary subscription. */
  readonly group: string;
  readonly qos: QoS;
}

/** A subscription handler may lower the QoS, change the filter or refuse. */
export type SubscribeResult = { filter?: string; qos?: QoS } | 'deny' | undefined;

export interface UnsubscribeEvent {
  readonly client: PluginClient;
  readonly filter: string;
  readonly group: string;
}

export interface ControlEvent {
  readonly client: PluginClient;
  /** `$CONTROL/<feature>/v<N>`, exactly as registered. */
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties: Readonly<Properties> | undefined;
}

/**
 * Handles one `$CONTROL/...` topic. The message is never delivered or
 * retained; the publisher gets a success acknowledgement whatever happens.
 * A returned string is an error that a 5.0 publisher sees as the Reason
 * String of that acknowledgement.
 */
export type ControlHandler = (
  event: ControlEvent,
) => string | undefined | Promise<string | undefined>;

type Maybe<T> = T | Promise<T>;

/**
 * A plugin: every handler is optional. Handlers on the message path
 * (aclCheck, message, subscribe, pskKey) must answer synchronously; a
 * Promise there counts as a failure. Authentication handlers may be async
 * and are given a time limit. A handler that throws, rejects or runs out
 * of time is logged, and the request it was asked about is refused.
 */
export interface MidgePlugin {
  /** A name for log lines; defaults to the file name. */
  readonly name?: string;
  /** CONNECT with username/password (MOSQ_EVT_BASIC_AUTH). */
  basicAuth?(event: BasicAuthEvent): Maybe<Decision | undefined>;
  /** Access to a topic (MOSQ_EVT_ACL_CHECK). Synchronous. */
  aclCheck?(event: AclCheckEvent): Decision | undefined;
  /** First step of 5.0 enhanced authentication (MOSQ_EVT_EXT_AUTH_START). */
  extendedAuthStart?(event: ExtendedAuthEvent): Maybe<ExtendedAuthResult | undefined>;
  /** Later steps (MOSQ_EVT_EXT_AUTH_CONTINUE). */
  extendedAuthContinue?(event: ExtendedAuthEvent): Maybe<ExtendedAuthResult | undefined>;
  /** An incoming PUBLISH that passed the access check. Synchronous. */
  message?(event: MessageEvent): MessageResult;
  /** Key for a TLS-PSK identity. Synchronous. */
  pskKey?(event: PskKeyEvent): PskKeyResult;
  /** About once a second. */
  tick?(event: TickEvent): void;
  /** The configuration was reloaded (SIGHUP). */
  reload?(event: ReloadEvent): Maybe<void>;
  /** A client's CONNACK went out. */
  connect?(event: ConnectEvent): void;
  /** A connected client's connection ended. */
  disconnect?(event: DisconnectEvent): void;
  /** A SUBSCRIBE filter that passed the access check. Synchronous. */
  subscribe?(event: SubscribeEvent): SubscribeResult;
  /** An UNSUBSCRIBE filter. */
  unsubscribe?(event: UnsubscribeEvent): void;
  /**
   * `$CONTROL/<feature>/v<N>` topics this plugin answers. A topic must
   * start with `$CONTROL/`, be at least as long as `$CONTROL/A/v1`, and
   * belong to one plugin only.
   */
  readonly control?: Readonly<Record<string, ControlHandler>>;
  /** The broker is stopping (or the plugin is being replaced). */
  close?(): Maybe<void>;
}

/** `plugin_opt_<key> <value>` lines, key without the prefix, in file order. */
export type PluginOptions = ReadonlyArray<readonly [key: string, value: string]>;

/** Log lines from a plugin, written in the broker's log format. */
export interface PluginLog {
  error(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** A message a plugin publishes as the broker. */
export interface PluginMessage {
  topic: string;
  payload: Buffer | string;
  qos?: QoS;
  retain?: boolean;
  properties?: Properties;
}

/** What a plugin may do to the broker. */
export interface PluginBroker {
  /** Publishes as the broker itself; returns how many sessions got it. */
  publish(message: PluginMessage): number;
  /** Connected clients. */
  clients(): PluginClient[];
  /** Disconnects a client by id; false if none is connected. */
  disconnectClient(clientId: string): boolean;
  /** Disconnects every client with this username; returns how many. */
  disconnectUsername(username: string): number;
}

/** What the broker gives a plugin when it loads it. */
export interface PluginContext {
  readonly options: PluginOptions;
  /** The last value given for a key, or undefined. */
  option(key: string): string | undefined;
  /** The listener this instance serves (per_listener_settings), if any. */
  readonly listener: string | undefined;
  /** The path the plugin was loaded from, as configured. */
  readonly path: string;
  readonly log: PluginLog;
  readonly broker: PluginBroker;
}

/** A plugin module's default export. */
export type PluginFactory = (context: PluginContext) => Maybe<MidgePlugin>;

/**
 * Identity function that gives a factory its type without an annotation.
 *
 * @example
 * export default definePlugin((ctx) => ({ tick: () => ctx.log.debug('tick') }));
 */
export function definePlugin(factory: PluginFactory): PluginFactory {
  return factory;
}
