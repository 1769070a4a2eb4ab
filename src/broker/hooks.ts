/**
 * Extension points for the security layer (src/security): password checks,
 * MQTT 5 enhanced authentication, access control, and the plugin events
 * (messages, subscriptions, $CONTROL topics, connects and disconnects).
 * The broker core calls them at the right step of each flow and knows
 * nothing of how they decide. A hook that throws is contained: the request
 * it was asked about is refused (or, for notifications, skipped).
 *
 * @example
 * broker.hooks.authenticate = (client, user, pass) =>
 *   user === 'admin' ? ReasonCode.Success : ReasonCode.NotAuthorized;
 */
import type { ProtocolVersion, QoS } from '../protocol/packets.js';
import type { Properties } from '../protocol/properties.js';
import type { ReasonCode } from '../protocol/reason-codes.js';
import type { StoredMessage } from './message.js';
import type { ListenerSettings } from './options.js';

/** What the hooks may know about a client. */
export interface ClientInfo {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly protocolVersion: ProtocolVersion;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly listener: ListenerSettings;
}

/**
 * Decides whether a CONNECT without an Authentication Method may go on.
 * When set, it makes the whole decision, allow_anonymous included (the
 * broker's own check applies only without a hook). `verified` is true when
 * the username came from a TLS certificate or PSK identity, which Mosquitto
 * takes as proof: the password checks are then skipped. Returns Success
 * or the MQTT 5 reason code to refuse with; 3.x clients get the matching
 * CONNACK return code. May be async: packets that arrive meanwhile wait.
 */
export type AuthenticateHook = (
  client: ClientInfo,
  username: string | undefined,
  password: Buffer | undefined,
  verified: boolean,
) => ReasonCode | Promise<ReasonCode>;

/** One step of an MQTT 5 enhanced authentication exchange (4.12). */
export interface EnhancedAuthResult {
  /** ContinueAuthentication, Success, or a failure reason code. */
  reasonCode: ReasonCode;
  /** Authentication Data to send back, if any. */
  data?: Buffer;
}

/**
 * MQTT 5 enhanced authentication. `start` sees the CONNECT (or an AUTH
 * asking for re-authentication), `continue` each later AUTH packet.
 */
export interface EnhancedAuthHook {
  /** True if this handler knows the Authentication Method. */
  supports(method: string): boolean;
  start(
    client: ClientInfo,
    method: string,
    data: Buffer | undefined,
    reauth: boolean,
  ): EnhancedAuthResult | Promise<EnhancedAuthResult>;
  continue(
    client: ClientInfo,
    method: string,
    data: Buffer | undefined,
  ): EnhancedAuthResult | Promise<EnhancedAuthResult>;
}

/** What an access check is for, as Mosquitto's plugin API numbers them. */
export enum AclAccess {
  Read = 1,
  Write = 2,
  Subscribe = 4,
  Unsubscribe = 8,
}

/**
 * Access control. Called synchronously on the message path, so it must be
 * cheap: a lookup, never I/O. `topic` is the full topic, mount point
 * included; `payload` is given for read and write checks.
 */
export type AclHook = (
  client: ClientInfo,
  topic: string,
  access: AclAccess,
  qos: QoS,
  retain: boolean,
  payload?: Buffer,
) => boolean;

/** An incoming message as a message hook may see and change it. */
export interface HookMessage {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties: Properties | undefined;
}

/**
 * An incoming PUBLISH that passed the write check. Returns the message to
 * route (the same object, or a changed one) or undefined to refuse it, as
 * an access refusal does. Synchronous.
 */
export type MessageHook = (
  client: ClientInfo,
  message: HookMessage,
) => HookMessage | undefined;

/**
 * A PUBLISH to `$CONTROL/...` that passed the write check. It is never
 * routed or retained; the publisher is acknowledged with success and, if
 * a string is returned, a 5.0 publisher gets it as the Reason String.
 */
export type ControlHook = (
  client: ClientInfo,
  message: HookMessage,
) => string | undefined;

/** A subscription about to be added, as a subscribe hook may change it. */
export interface HookSubscription {
  /** Mount point included, `$share/<group>/` removed. */
  filter: string;
  group: string;
  qos: QoS;
}

/**
 * A SUBSCRIBE filter that passed the subscribe check. Returns the
 * subscription to add (possibly changed) or undefined to refuse it with
 * Not Authorized.
 */
export type SubscribeHook = (
  client: ClientInfo,
  subscription: HookSubscription,
) => HookSubscription | undefined;

/**
 * check_retain_source: may this retained message still go to a new
 * subscriber? The security layer re-checks its publisher's write access.
 */
export type RetainedSourceHook = (message: StoredMessage) => boolean;

export interface BrokerHooks {
  authenticate?: AuthenticateHook;
  enhancedAuth?: EnhancedAuthHook;
  checkAcl?: AclHook;
  message?: MessageHook;
  control?: ControlHook;
  subscribe?: SubscribeHook;
  /** An UNSUBSCRIBE filter was handled (notification). */
  unsubscribed?: (client: ClientInfo, filter: string, group: string) => void;
  /** A client's CONNACK went out (notification). */
  connected?: (client: ClientInfo) => void;
  /** A connected client's connection ended (notification). */
  disconnected?: (client: ClientInfo) => void;
  retainedSource?: RetainedSourceHook;
}
