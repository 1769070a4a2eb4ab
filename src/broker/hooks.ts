/**
 * Extension points for the security layer (src/security): password checks,
 * MQTT 5 enhanced authentication and access control. The broker core calls
 * them at the right step of each flow and knows nothing of how they decide.
 *
 * @example
 * broker.hooks.authenticate = (client, user, pass) =>
 *   user === 'admin' ? ReasonCode.Success : ReasonCode.NotAuthorized;
 */
import type { ProtocolVersion, QoS } from '../protocol/packets.js';
import type { ReasonCode } from '../protocol/reason-codes.js';
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
 * Checks a CONNECT's credentials after the broker's own checks
 * (allow_anonymous). Returns Success or the MQTT 5 reason code to refuse
 * with; 3.x clients get the matching CONNACK return code. May be async:
 * packets that arrive meanwhile wait.
 */
export type AuthenticateHook = (
  client: ClientInfo,
  username: string | undefined,
  password: Buffer | undefined,
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
 * included.
 */
export type AclHook = (
  client: ClientInfo,
  topic: string,
  access: AclAccess,
  qos: QoS,
  retain: boolean,
) => boolean;

export interface BrokerHooks {
  authenticate?: AuthenticateHook;
  enhancedAuth?: EnhancedAuthHook;
  checkAcl?: AclHook;
}
