/**
 * Settings the broker core reads, named after their mosquitto.conf options
 * (`max_inflight_messages` -> `maxInflightMessages`), with Mosquitto's
 * defaults. The config reader (src/config) fills these in; embedders may
 * pass a partial object to `new Broker()`.
 */
import type { ProtocolVersion, QoS } from '../protocol/packets.js';

export interface BrokerOptions {
  /** Outgoing QoS 1/2 messages in flight per client; 0 = no limit. */
  maxInflightMessages: number;
  /** Byte cap on outgoing QoS 1/2 in flight; 0 = no limit. */
  maxInflightBytes: number;
  /** Queued QoS 1/2 messages per client beyond in-flight; 0 = no limit. */
  maxQueuedMessages: number;
  /** Queued bytes per client beyond in-flight; 0 = no limit. */
  maxQueuedBytes: number;
  /** Queue QoS 0 messages for offline persistent sessions. */
  queueQos0Messages: boolean;
  /** Largest PUBLISH payload accepted; 0 = the protocol maximum. */
  messageSizeLimit: number;
  /** Largest packet accepted (5.0 Maximum Packet Size); 0 = no limit. */
  maxPacketSize: number;
  /** Largest keepalive allowed; 0 = no limit. */
  maxKeepalive: number;
  /** Deliver at the subscription QoS rather than the message QoS. */
  upgradeOutgoingQos: boolean;
  retainAvailable: boolean;
  allowZeroLengthClientId: boolean;
  /** Prefix of generated client ids. */
  autoIdPrefix: string;
  /** Expire disconnected persistent sessions after this many seconds; 0 = never. */
  persistentClientExpiration: number;
  allowAnonymous: boolean;
  /** Log connects and disconnects. */
  connectionMessages: boolean;
  /**
   * Heap bytes (JavaScript heap plus buffers) above which the broker takes
   * no new messages or clients; 0 = no limit.
   */
  memoryLimit: number;
  /** Seconds a socket may stay open without sending CONNECT. */
  connectTimeout: number;
}

/** Settings that belong to one listener. */
export interface ListenerSettings {
  /** A name for logs: "1883", "8883", "/run/midge.sock". */
  name: string;
  maxQos: QoS;
  /** Topic aliases a 5.0 client may create; 0 = none. */
  maxTopicAlias: number;
  /**
   * Topic aliases the broker gives a 5.0 client's topics, within the
   * client's own Topic Alias Maximum; 0 = none, as Mosquitto 2.0.
   */
  maxTopicAliasBroker: number;
  /** Prefix added to every topic of this listener's clients. */
  mountPoint: string;
  /** -1 = no limit. */
  maxConnections: number;
  useUsernameAsClientId: boolean;
  acceptProtocolVersions: ReadonlySet<ProtocolVersion>;
  /**
   * per_listener_settings: this listener's own allow_anonymous,
   * allow_zero_length_clientid and auto_id_prefix. Absent = the broker's.
   */
  allowAnonymous?: boolean;
  allowZeroLengthClientId?: boolean;
  autoIdPrefix?: string;
  /**
   * Set only on the settings the broker's own bridges connect under
   * (src/bridge), never on a network listener: such a connection skips
   * authentication and access checks, as a Mosquitto bridge does.
   */
  localBridge?: boolean;
}

export const defaultBrokerOptions: Readonly<BrokerOptions> = Object.freeze({
  maxInflightMessages: 20,
  maxInflightBytes: 0,
  maxQueuedMessages: 1000,
  maxQueuedBytes: 0,
  queueQos0Messages: false,
  messageSizeLimit: 0,
  maxPacketSize: 0,
  maxKeepalive: 0,
  upgradeOutgoingQos: false,
  retainAvailable: true,
  allowZeroLengthClientId: true,
  autoIdPrefix: 'auto-',
  persistentClientExpiration: 0,
  allowAnonymous: true,
  connectionMessages: true,
  connectTimeout: 10,
  memoryLimit: 0,
});

export const defaultListenerSettings: Readonly<ListenerSettings> = Object.freeze({
  name: 'default',
  maxQos: 2,
  maxTopicAlias: 10,
  maxTopicAliasBroker: 0,
  mountPoint: '',
  maxConnections: -1,
  useUsernameAsClientId: false,
  acceptProtocolVersions: new Set<ProtocolVersion>([3, 4, 5]),
});
