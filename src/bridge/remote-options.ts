/**
 * The client options of a bridge's connection to its remote broker, from
 * the bridge's section of mosquitto.conf.
 *
 * TLS is on when a CA is given (bridge_cafile, bridge_capath, 2.1's
 * bridge_tls_use_os_certs) or a PSK (bridge_identity + bridge_psk), as in
 * Mosquitto. An address written `_mqtt._tcp.<domain>` (or
 * `_secure-mqtt._tcp.<domain>` with TLS) is a midge extension: the bridge
 * looks up the domain's SRV records and tries their targets in order.
 */
import type {
  ClientOptions,
  ClientSession,
  TlsOptions,
  TlsVersion,
} from '../client/index.js';
import type { BridgeAddress, BridgeConfig } from '../config/types.js';
import type { Properties, ProtocolVersion } from '../protocol/index.js';

export const SRV_PLAIN = '_mqtt._tcp.';
export const SRV_SECURE = '_secure-mqtt._tcp.';

const VERSIONS: Record<BridgeConfig['protocolVersion'], ProtocolVersion> = {
  mqttv31: 3,
  mqttv311: 4,
  mqttv50: 5,
};

/** Settings of the broker the bridge runs in that shape its connection. */
export interface RemoteContext {
  /** The local broker's max_inflight_messages (0 = no limit). */
  maxInflight: number;
  /** DNS servers ('ip' or 'ip:port') for SRV lookups; default the system's. */
  dnsServers?: string[];
  /** The in-flight state shared by successive connections, if persistent. */
  session?: ClientSession;
}

export function protocolVersion(config: BridgeConfig): ProtocolVersion {
  return VERSIONS[config.protocolVersion];
}

/**
 * True when the remote keeps the bridge's session between connections:
 * cleansession false, and for MQTT 5 a session expiry interval above 0.
 */
export function remoteSessionPersists(config: BridgeConfig): boolean {
  if (config.cleansession) return false;
  return protocolVersion(config) < 5 || config.sessionExpiryInterval > 0;
}

export function usesTls(config: BridgeConfig): boolean {
  return (
    config.cafile !== null ||
    config.capath !== null ||
    config.tlsUseOsCerts ||
    config.psk !== null
  );
}

/** The SRV domain of an `_mqtt._tcp.` address, or null for a plain one. */
export function srvDomain(address: BridgeAddress): string | null {
  for (const prefix of [SRV_PLAIN, SRV_SECURE]) {
    if (address.host.startsWith(prefix)) return address.host.slice(prefix.length);
  }
  return null;
}

/** Options for one connection attempt to `address`. */
export function remoteOptions(
  config: BridgeConfig,
  address: BridgeAddress,
  context: RemoteContext,
  tryPrivate: boolean,
): ClientOptions {
  const version = protocolVersion(config);
  const options: ClientOptions = {
    host: address.host,
    port: address.port,
    protocolVersion: version,
    clientId: config.remoteClientId ?? config.name,
    clean: config.cleansession,
    keepalive: config.keepaliveInterval,
    // Mosquitto gives up on a CONNECT that gets no answer within the
    // keepalive interval.
    connectTimeout: config.keepaliveInterval * 1000,
    maxInflight: context.maxInflight,
    reconnect: false,
    resubscribe: false,
    bridge: tryPrivate && version < 5,
  };
  const domain = srvDomain(address);
  if (domain !== null) {
    options.host = domain;
    options.srv = true;
    if (context.dnsServers) options.dnsServers = context.dnsServers;
  }
  if (context.session !== undefined) options.session = context.session;
  if (config.bindAddress !== null) options.bindAddress = config.bindAddress;
  const keepalive = config.tcpKeepalive;
  if (keepalive !== null) {
    const { idle, interval, counter } = keepalive;
    options.tcpKeepalive = { idle, interval, count: counter };
  }
  if (config.tcpUserTimeout !== null) options.tcpUserTimeout = config.tcpUserTimeout;
  if (config.remoteUsername !== null) options.username = config.remoteUsername;
  if (config.remotePassword !== null) options.password = config.remotePassword;
  if (version === 5) options.properties = connectProperties(config, context);
  addTls(options, config);
  return options;
}

/** 2.1's v5 settings, sent only when they differ from the protocol's default. */
function connectProperties(config: BridgeConfig, context: RemoteContext): Properties {
  const props: Properties = {};
  const receive = config.receiveMaximum ?? context.maxInflight;
  if (receive > 0 && receive < 65535) props.receiveMaximum = receive;
  if (config.sessionExpiryInterval > 0) {
    props.sessionExpiryInterval = config.sessionExpiryInterval;
  }
  if (config.maxTopicAlias > 0) props.topicAliasMaximum = config.maxTopicAlias;
  return props;
}

function addTls(options: ClientOptions, config: BridgeConfig): void {
  if (!usesTls(config)) return;
  options.transport = 'tls';
  if (config.psk !== null && config.identity !== null) {
    options.psk = { identity: config.identity, key: config.psk };
  }
  const tls: TlsOptions = {};
  if (config.cafile !== null) tls.caFile = config.cafile;
  if (config.capath !== null) tls.caPath = config.capath;
  if (config.tlsUseOsCerts) tls.useOsCerts = true;
  if (config.certfile !== null) tls.certFile = config.certfile;
  if (config.keyfile !== null) tls.keyFile = config.keyfile;
  if (config.insecure) tls.insecure = true;
  if (config.requireOcsp) tls.requireOcsp = true;
  if (config.alpn !== null) tls.alpn = config.alpn;
  if (config.tlsVersion !== null) tls.version = config.tlsVersion as TlsVersion;
  // OpenSSL takes TLS 1.2 ciphers and TLS 1.3 suites as two lists; Node
  // takes both in one string and sorts them out itself.
  const ciphers = [config.ciphers, config.ciphersTls13].filter((c) => c !== null);
  if (ciphers.length > 0) tls.ciphers = ciphers.join(':');
  options.tls = tls;
}
