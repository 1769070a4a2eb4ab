/**
 * What can only be settled once every line is read: the log lists, the
 * default listener, allow_anonymous, and the checks on whole bridges.
 */
import { hostname } from 'node:os';
import type { ParseContext } from './context.js';
import { createListener, createSecurity } from './defaults.js';
import { ConfigError } from './errors.js';
import type { BridgeConfig, Config, ListenerConfig } from './types.js';

const TEMPLATE = createListener(1883, null);
const SECURITY = createSecurity();

/**
 * Mosquitto makes the default listener when any of these differ from
 * their defaults (max_topic_alias, tls_version, http_dir and the
 * websockets options do not count).
 */
const DEFAULT_LISTENER_TRIGGERS: ReadonlyArray<keyof ListenerConfig> = [
  'bindAddress',
  'bindInterface',
  'maxConnections',
  'maxQos',
  'mountPoint',
  'protocol',
  'socketDomain',
  'useUsernameAsClientId',
  'cafile',
  'capath',
  'certfile',
  'keyfile',
  'ciphers',
  'ciphersTls13',
  'crlfile',
  'dhparamfile',
  'requireCertificate',
  'tlsEngine',
  'tlsEngineKpassSha1',
  'tlsKeyform',
  'useIdentityAsUsername',
  'useSubjectAsUsername',
  'pskHint',
];

function defaultListenerUsed(ctx: ParseContext): boolean {
  const l = ctx.defaultListener;
  if (ctx.defaultListenerPort) return true;
  if (DEFAULT_LISTENER_TRIGGERS.some((key) => l[key] !== TEMPLATE[key])) return true;
  const s = l.security;
  return (
    s.passwordFile !== null ||
    s.pskFile !== null ||
    s.plugins.length > 0 ||
    s.allowZeroLengthClientId !== SECURITY.allowZeroLengthClientId
  );
}

function finishListeners(ctx: ParseContext): void {
  const config = ctx.config;
  if (defaultListenerUsed(ctx)) {
    const l = ctx.defaultListener;
    l.source = config.sourceOf('port') ?? config.sourceOf('bind_address') ?? null;
    // Mosquitto adds it after the listeners of the file.
    config.listeners.push(l);
  }
  // LIMIT(compat): Mosquitto stays in local-only mode (anonymous allowed)
  // when only early listener options made the default listener; midge
  // treats that listener like any other, so allow_anonymous defaults to false.
  config.localOnly = config.listeners.length === 0;
  if (config.localOnly) {
    // No listener configured: port 1883 on the loopback addresses only.
    const l = ctx.defaultListener;
    l.bindAddress = 'localhost';
    config.listeners.push(l);
  }
}

function finishAnonymous(config: Config): void {
  const fallback = config.localOnly;
  config.security.allowAnonymous ??= fallback;
  for (const l of config.listeners) l.security.allowAnonymous ??= fallback;
}

function bridgeError(bridge: BridgeConfig, reason: string): ConfigError {
  return new ConfigError(bridge.source.file, bridge.source.line, reason);
}

function checkBridge(bridge: BridgeConfig, host: string): void {
  const name = `bridge "${bridge.name}"`;
  if (bridge.addresses.length === 0) throw bridgeError(bridge, `${name} has no address`);
  if (bridge.topics.length === 0) throw bridgeError(bridge, `${name} has no topic`);
  if (bridge.psk !== null && bridge.identity === null) {
    throw bridgeError(bridge, `${name} has bridge_psk but no bridge_identity`);
  }
  if (bridge.identity !== null && bridge.psk === null) {
    throw bridgeError(bridge, `${name} has bridge_identity but no bridge_psk`);
  }
  bridge.remoteClientId ??= `${host}.${bridge.name}`;
  bridge.localClientId ??= `local.${bridge.remoteClientId}`;
}

function finishBridges(config: Config): void {
  const host = hostname();
  const seen = new Map<string, BridgeConfig>();
  for (const bridge of config.bridges) {
    checkBridge(bridge, host);
    const id = bridge.localClientId!;
    if (seen.has(id)) {
      throw bridgeError(bridge, `bridge local_clientid "${id}" is used by two bridges`);
    }
    seen.set(id, bridge);
  }
}

export function finishConfig(ctx: ParseContext): void {
  const config = ctx.config;
  if (ctx.logDest !== null) config.logDest = ctx.logDest;
  if (ctx.logType !== null) config.logType = ctx.logType;
  finishListeners(ctx);
  finishAnonymous(config);
  finishBridges(config);
}
