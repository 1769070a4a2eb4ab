/**
 * Client options: everything mosquitto_pub/sub can set, plus what a
 * long-running user (a bridge) needs: reconnect, resubscribe, queueing.
 */
import type { Properties, QoS } from '../protocol/index.js';
import type { AuthHandler } from './auth.js';
import type { ClientSession } from './session.js';
import type { TcpKeepalive } from './transport/tcp-options.js';

export type { TcpKeepalive } from './transport/tcp-options.js';

export type Transport = 'tcp' | 'tls' | 'ws' | 'wss' | 'unix';

export type TlsVersion = 'tlsv1.3' | 'tlsv1.2' | 'tlsv1.1';

/** TLS settings; used by the 'tls' and 'wss' transports. */
export interface TlsOptions {
  /** PEM text of trusted CA certificates (instead of or beside files). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** File of PEM CA certificates (mosquitto --cafile). */
  caFile?: string;
  /** Folder of PEM CA certificates (mosquitto --capath). */
  caPath?: string;
  /** Trust the operating system's CA store (--tls-use-os-certs). */
  useOsCerts?: boolean;
  /** Client certificate, PEM text or a file (--cert). */
  cert?: string | Buffer;
  certFile?: string;
  /** Client private key, PEM text or a file (--key). */
  key?: string | Buffer;
  keyFile?: string;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
  /**
   * Skip the check that the certificate names the host (--insecure). The
   * chain is still verified, as with Mosquitto.
   */
  insecure?: boolean;
  /** Accept any certificate at all. Not a Mosquitto option; for tests. */
  rejectUnauthorized?: boolean;
  /** ALPN protocol name(s) offered (--tls-alpn). */
  alpn?: string | string[];
  /** Lowest TLS version allowed (--tls-version); default tlsv1.2. */
  version?: TlsVersion;
  /** OpenSSL cipher list (--ciphers). */
  ciphers?: string;
  /** SNI name; defaults to the host when it is not an IP address. */
  servername?: string;
  /**
   * Ask the server for a stapled OCSP response and refuse the connection
   * (TransportError 'OCSP_FAILED') unless it is signed by the issuer of
   * the server certificate (or a responder it delegated to), names that
   * certificate, says "good" and is current. Mosquitto's
   * bridge_require_ocsp.
   */
  requireOcsp?: boolean;
}

/** TLS-PSK (--psk, --psk-identity); implies TLS. */
export interface PskOptions {
  identity: string;
  /** The key as hexadecimal text, as on Mosquitto's command line. */
  key: string | Buffer;
}

export interface WillOptions {
  topic: string;
  payload?: string | Buffer;
  qos?: QoS;
  retain?: boolean;
  /** 5.0: willDelayInterval, messageExpiryInterval, contentType... */
  properties?: Properties;
}

export interface ReconnectOptions {
  /** Delay before the first attempt, in ms (default 1000). */
  initialDelay?: number;
  /** Largest delay, in ms (default 30000). */
  maxDelay?: number;
  /** Growth factor per failed attempt (default 2). */
  factor?: number;
  /** Random part of each delay, 0..1 (default 0.1). */
  jitter?: number;
  /** Give up after this many failed attempts in a row (default: never). */
  maxAttempts?: number;
}

export interface WebSocketOptions {
  /** Request path (default '/mqtt'). */
  path?: string;
  /** Extra HTTP headers for the upgrade request. */
  headers?: Record<string, string>;
}

export interface ClientOptions {
  /** Default 'localhost'. */
  host?: string;
  /** Default 1883 (tcp), 8883 (tls), 80 (ws), 443 (wss). */
  port?: number;
  /** Default 'tcp', or 'tls' when `tls` or `psk` is given. */
  transport?: Transport;
  /** Socket path for the 'unix' transport. */
  path?: string;
  websocket?: WebSocketOptions;
  tls?: TlsOptions;
  psk?: PskOptions;
  /** SOCKS5 proxy: `socks5h://[user[:pass]@]host[:port]`. */
  proxy?: string;
  /** Look up `_mqtt._tcp.<host>` (or `_secure-mqtt._tcp`) first. */
  srv?: boolean;
  /** DNS servers ('ip' or 'ip:port') for the SRV lookup. */
  dnsServers?: string[];
  /** Local address to bind (-A). */
  bindAddress?: string;
  /** Disable Nagle's algorithm (default true: writes are batched). */
  noDelay?: boolean;
  /**
   * TCP keep-alive probes on the connection (SO_KEEPALIVE): seconds idle
   * before the first, seconds between them, how many go unanswered
   * before the system drops the connection. `interval` and `count` need
   * the optional package net-keepalive (see tcpSocketOptionsSupported).
   */
  tcpKeepalive?: TcpKeepalive;
  /**
   * TCP_USER_TIMEOUT in ms: the system drops the connection when sent
   * data stays unacknowledged this long; 0 is the system's default
   * (Linux; needs net-keepalive).
   */
  tcpUserTimeout?: number;
  /** 3 = MQTT 3.1, 4 = 3.1.1 (default), 5 = 5.0. */
  protocolVersion?: 3 | 4 | 5;
  /** Default '' (the server assigns one); 3.1 gets a random id. */
  clientId?: string;
  /** Clean Session (3.x) / Clean Start (5.0); default true. */
  clean?: boolean;
  /** Seconds; 0 turns keepalive off. Default 60. */
  keepalive?: number;
  username?: string;
  password?: string | Buffer;
  will?: WillOptions;
  /**
   * 5.0 CONNECT properties: sessionExpiryInterval, receiveMaximum,
   * maximumPacketSize, topicAliasMaximum, requestResponseInformation,
   * requestProblemInformation, authenticationMethod/Data, userProperties.
   * maximumPacketSize is also enforced on what this client receives, in
   * every version.
   */
  properties?: Properties;
  /**
   * Set bit 7 of the protocol level, as a Mosquitto bridge does
   * (try_private): the server may then skip loop-prone deliveries.
   */
  bridge?: boolean;
  /** Enhanced authentication (5.0): answers the server's AUTH packets. */
  auth?: AuthHandler;
  /**
   * QoS 1/2 messages in flight at once (default 20; 0 = no own limit),
   * capped by the server's receiveMaximum.
   */
  maxInflight?: number;
  /** Give outgoing topics aliases automatically (5.0; default false). */
  autoTopicAlias?: boolean;
  /** ms to wait for transport + CONNACK (default 30000). */
  connectTimeout?: number;
  /** ms to wait for PINGRESP (default: the keepalive interval). */
  pingTimeout?: number;
  /** Reconnect after a lost connection; off by default. */
  reconnect?: boolean | ReconnectOptions;
  /**
   * After a reconnect without a session on the server, subscribe again to
   * what was subscribed (default true).
   */
  resubscribe?: boolean;
  /**
   * Keep the messages in flight here rather than in the client, so that a
   * later client with the same session resumes them (see ClientSession).
   * Default: the client's own session, which ends with it.
   */
  session?: ClientSession;
}

export interface ResolvedOptions extends ClientOptions {
  host: string;
  port: number;
  transport: Transport;
  protocolVersion: 3 | 4 | 5;
  clientId: string;
  clean: boolean;
  keepalive: number;
  maxInflight: number;
  connectTimeout: number;
  resubscribe: boolean;
  reconnect: Required<ReconnectOptions> | false;
}

const DEFAULT_PORTS: Record<Transport, number> = {
  tcp: 1883,
  tls: 8883,
  ws: 80,
  wss: 443,
  unix: 0,
};

/** Fills in defaults and rejects options that cannot work. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  const transport = options.transport ?? (options.tls || options.psk ? 'tls' : 'tcp');
  const version = options.protocolVersion ?? 4;
  const resolved: ResolvedOptions = {
    ...options,
    host: options.host ?? 'localhost',
    port: options.port ?? DEFAULT_PORTS[transport],
    transport,
    protocolVersion: version,
    clientId: options.clientId ?? (version === 3 ? randomClientId() : ''),
    clean: options.clean ?? true,
    keepalive: options.keepalive ?? 60,
    maxInflight: options.maxInflight ?? 20,
    connectTimeout: options.connectTimeout ?? 30_000,
    resubscribe: options.resubscribe ?? true,
    reconnect: resolveReconnect(options.reconnect),
  };
  return resolved;
}

function resolveReconnect(r: ClientOptions['reconnect']): ResolvedOptions['reconnect'] {
  if (!r) return false;
  const o = r === true ? {} : r;
  return {
    initialDelay: o.initialDelay ?? 1000,
    maxDelay: o.maxDelay ?? 30_000,
    factor: o.factor ?? 2,
    jitter: o.jitter ?? 0.1,
    maxAttempts: o.maxAttempts ?? Number.POSITIVE_INFINITY,
  };
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** MQTT 3.1 servers need a 1-23 character id [MQTT-3.1.3-5 of 3.1.1]. */
export function randomClientId(): string {
  let id = 'midge-';
  while (id.length < 23) id += ALNUM[Math.floor(Math.random() * ALNUM.length)];
  return id;
}
