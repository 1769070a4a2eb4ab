/**
 * Turns a parsed mosquitto.conf and the command line into what the server
 * and logger take.
 */
import type {
  CommandLine,
  Config,
  ListenerConfig,
  LogTypeName,
} from '../config/index.js';
import { bindHosts, brokerOptions, listenerSettings } from '../config/index.js';
import { defaultHostAccess } from '../listeners/hosts-files.js';
import type { ProxyPolicy } from '../listeners/proxy-reader.js';
import type { TlsSpec } from '../listeners/tls-options.js';
import type { WebSocketSpec } from '../listeners/websocket.js';
import { LogType } from '../log/log-types.js';
import type { LogDestination, LoggerOptions } from '../log/logger.js';
import type { ListenerSpec, ServerSpec } from '../server.js';

/** The features this build has; options needing others are refused. */
export const builtFeatures: ReadonlySet<string> = new Set([
  'core',
  'sys',
  'pid-file',
  'privileges',
  'tls',
  'psk',
  'websockets',
  'unix-sockets',
  'proxy-protocol',
  'bind-interface',
  'syslog',
  'bridge',
  'bridge-tls',
  'persistence',
  'security',
  'plugins',
  'clientid-prefixes',
]);

const loopback = ['127.0.0.1', '::1'];

const logTypeBits: Record<LogTypeName, number> = {
  debug: LogType.Debug,
  error: LogType.Error,
  warning: LogType.Warning,
  notice: LogType.Notice,
  information: LogType.Information,
  subscribe: LogType.Subscribe,
  unsubscribe: LogType.Unsubscribe,
  websockets: LogType.Websockets,
  internal: 0,
};

export function loggerOptions(config: Config, command: CommandLine): LoggerOptions {
  let mask = 0;
  for (const name of config.logType) {
    if ((name as string) === 'all') mask = LogType.All;
    else if ((name as string) !== 'none') mask |= logTypeBits[name] ?? 0;
  }
  if (command.verbose) mask = LogType.All;
  if (command.quiet) mask = LogType.None;
  const destinations: LogDestination[] = [];
  for (const dest of config.logDest) {
    if (dest === 'stdout' || dest === 'stderr') destinations.push({ kind: dest });
    else if (dest === 'topic') destinations.push({ kind: 'topic' });
    else if (dest === 'syslog') {
      destinations.push({ kind: 'syslog', facility: config.logFacility });
    } else if (dest === 'file' && config.logFile) {
      destinations.push({ kind: 'file', path: config.logFile });
    }
  }
  return {
    mask,
    destinations,
    timestamp: config.logTimestamp,
    timestampFormat: config.logTimestampFormat ?? undefined,
  };
}

export function serverSpec(config: Config, command: CommandLine): ServerSpec {
  const listeners = config.listeners.map((listener) => ({
    ...listenerSpec(listener, config),
    // With no listener configured, one loopback address is enough.
    localOnly: config.localOnly,
  }));
  if (command.ports.length > 0 && config.localOnly) {
    // -p: loopback listeners, used only when the config defines none.
    const template = listeners[0]!;
    listeners.splice(0, listeners.length);
    for (const port of command.ports)
      listeners.push({
        ...template,
        port,
        hosts: loopback,
        settings: { ...template.settings, name: String(port) },
      });
  }
  return {
    broker: brokerOptions(config),
    listeners,
    noDelay: config.setTcpNodelay,
    tlsKeylog: command.tlsKeylog ?? undefined,
  };
}

/** Until the config reader has it, `tcp_wrappers` is read if present. */

export function listenerSpec(listener: ListenerConfig, config: Config): ListenerSpec {
  const unixPath = listener.unixSocketPath ?? undefined;
  const settings = listenerSettings(listener, config);
  const tls = tlsSpec(listener, config);
  return {
    port: listener.port,
    hosts: unixPath === undefined ? bindHosts(listener) : [],
    socketDomain: listener.socketDomain ?? undefined,
    bindInterface: listener.bindInterface ?? undefined,
    unixPath,
    // Mosquitto logs Unix-socket clients as "on port 0".
    settings: unixPath === undefined ? settings : { ...settings, name: '0' },
    tls,
    websockets:
      listener.protocol === 'websockets' ? webSocketSpec(listener, config) : undefined,
    proxyProtocol: proxyPolicy(listener, tls),
    hostAccess: config.tcpWrappers ? defaultHostAccess : undefined,
    warnings: halfTlsWarning(listener),
  };
}

function webSocketSpec(listener: ListenerConfig, config: Config): WebSocketSpec {
  return {
    httpDir: listener.httpDir ?? undefined,
    origins: listener.websocketsOrigins,
    // 0 is libwebsockets' default of 1024 bytes; midge keeps Node's then.
    maxHeaderSize: config.websocketsHeadersSize || undefined,
  };
}

/**
 * TLS is on with a certificate and its key, or with psk_hint, as in
 * Mosquitto; otherwise the other TLS options are not used.
 */
function tlsSpec(listener: ListenerConfig, config: Config): TlsSpec | undefined {
  const cert = listener.certfile !== null && listener.keyfile !== null;
  if (!cert && listener.pskHint === null) return undefined;
  const security = config.perListenerSettings ? listener.security : config.security;
  const spec: TlsSpec = {
    cafile: listener.cafile ?? undefined,
    capath: listener.capath ?? undefined,
    ciphers: listener.ciphers ?? undefined,
    ciphersTls13: listener.ciphersTls13 ?? undefined,
    crlfile: listener.crlfile ?? undefined,
    dhparamfile: listener.dhparamfile ?? undefined,
    tlsVersion: listener.tlsVersion ?? undefined,
    requireCertificate: listener.requireCertificate,
    useIdentityAsUsername: listener.useIdentityAsUsername,
    useSubjectAsUsername: listener.useSubjectAsUsername,
    disableClientCertDateChecks: listener.disableClientCertDateChecks,
    engine: listener.tlsEngine ?? undefined,
  };
  if (cert) {
    spec.certfile = listener.certfile!;
    spec.keyfile = listener.keyfile!;
  } else {
    spec.psk = { hint: listener.pskHint!, file: security.pskFile ?? undefined };
  }
  return spec;
}

/**
 * With TLS ended at the proxy, require_certificate and
 * use_identity_as_username read the PROXY v2 header's certificate facts.
 */
function proxyPolicy(
  listener: ListenerConfig,
  tls: TlsSpec | undefined,
): ProxyPolicy | undefined {
  if (listener.proxyProtocol === null) return undefined;
  return {
    version: listener.proxyProtocol,
    requireTls: listener.proxyProtocolV2RequireTls,
    requireCertificate: tls === undefined && listener.requireCertificate,
    useIdentityAsUsername: listener.useIdentityAsUsername,
  };
}

function halfTlsWarning(listener: ListenerConfig): string[] {
  if ((listener.certfile === null) === (listener.keyfile === null)) return [];
  const name = listener.unixSocketPath ?? String(listener.port);
  const missing = listener.certfile === null ? 'certfile' : 'keyfile';
  return [`listener ${name} has no ${missing}; TLS is off on it, as in Mosquitto.`];
}
