/**
 * From a tool's configuration to the client library's options, with the
 * checks Mosquitto's tools make while setting their client up (after the
 * options were read, before connecting) and their messages. A failure here
 * prints its message and exits with status 1, without the usage hint.
 */
import { setEngine } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import type { ClientOptions, TlsOptions, TlsVersion } from '../../client/index.js';
import type { Properties } from '../../protocol/index.js';
import type { ClientConfig, PropertyArg } from './config.js';
import { isPublishTopic } from './topic-args.js';

/** A setup failure: `text` for stderr (unless --quiet), then exit 1. */
export class SetupError extends Error {
  constructor(readonly text: string) {
    super(text.trim());
    this.name = 'SetupError';
  }
}

/** The client id Mosquitto would use: -i, or -I followed by the process id. */
export function clientId(cfg: ClientConfig): string | undefined {
  if (cfg.idPrefix !== undefined) return `${cfg.idPrefix}${process.pid}`;
  return cfg.id;
}

/** A -D property list as the library's Properties object, in order. */
export function toProperties(list: readonly PropertyArg[]): Properties | undefined {
  if (list.length === 0) return undefined;
  const props: Record<string, unknown> = {};
  for (const { key, value } of list) {
    if (key === 'userProperties') {
      props.userProperties ??= [];
      (props.userProperties as Array<[string, string]>).push(value as [string, string]);
    } else if (key === 'subscriptionIdentifiers') {
      props.subscriptionIdentifiers = [value as number];
    } else {
      props[key] = value;
    }
  }
  return props as Properties;
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

const tlsVersions = new Set(['tlsv1.3', 'tlsv1.2', 'tlsv1.1']);

/** Whether the settings turn TLS on, as libmosquitto decides it. */
export function usesTls(cfg: ClientConfig): boolean {
  if (cfg.noTls || cfg.port === 0) return false;
  const { tls } = cfg;
  return (
    tls.cafile !== undefined ||
    tls.capath !== undefined ||
    cfg.psk !== undefined ||
    tls.useOsCerts ||
    cfg.port === 8883
  );
}

/**
 * --tls-engine loads the OpenSSL engine as Mosquitto does, so a wrong name
 * fails the same way.
 * LIMIT(compat): midge's client library takes keys from files only, so a
 * key held by the engine (--keyform engine) is not used for the handshake.
 */
function checkEngine(cfg: ClientConfig): void {
  const { tls } = cfg;
  if (tls.engine !== undefined) {
    try {
      setEngine(tls.engine);
    } catch {
      throw new SetupError(
        `Error: Problem setting TLS engine, is ${tls.engine} a valid engine?\n`,
      );
    }
  }
  const keyform = tls.keyform?.toLowerCase();
  if (keyform !== undefined && keyform !== 'pem' && keyform !== 'engine') {
    throw new SetupError(
      "Error: Problem setting key form, it must be one of 'pem' or 'engine'.\n",
    );
  }
  if (
    tls.engineKpassSha1 !== undefined &&
    !/^[0-9a-fA-F]{40}$/.test(tls.engineKpassSha1)
  ) {
    throw new SetupError(
      'Error: Problem setting TLS engine key pass sha, is it a 40 character hex ' +
        'string?\n',
    );
  }
}

/**
 * The checks libmosquitto makes on TLS settings while they are set, which
 * happens whether or not the connection ends up using TLS.
 */
function checkTls(cfg: ClientConfig): void {
  const { tls } = cfg;
  if (tls.cafile !== undefined || tls.capath !== undefined) {
    const files = [tls.cafile, tls.certfile, tls.keyfile];
    if (files.some((f) => f !== undefined && !readable(f))) {
      throw new SetupError('Error: Problem setting TLS options: File not found.\n');
    }
  }
  checkEngine(cfg);
  if (cfg.psk !== undefined && !/^[0-9a-fA-F]*$/.test(cfg.psk)) {
    throw new SetupError('Error: Problem setting TLS-PSK options.\n');
  }
  if (tls.version !== undefined && !tlsVersions.has(tls.version)) {
    throw new SetupError(
      'Error: Problem setting TLS options, check the options are valid.\n',
    );
  }
}

function tlsOptions(cfg: ClientConfig): TlsOptions {
  const { tls } = cfg;
  const out: TlsOptions = { insecure: tls.insecure };
  if (tls.cafile !== undefined) out.caFile = tls.cafile;
  if (tls.capath !== undefined) out.caPath = tls.capath;
  if (tls.certfile !== undefined) out.certFile = tls.certfile;
  if (tls.keyfile !== undefined) out.keyFile = tls.keyfile;
  if (tls.ciphers !== undefined) out.ciphers = tls.ciphers;
  if (tls.alpn !== undefined) out.alpn = tls.alpn;
  if (tls.version !== undefined) out.version = tls.version as TlsVersion;
  // Port 8883 without a CA means "trust the system's CAs", as in Mosquitto.
  const noCa = tls.cafile === undefined && tls.capath === undefined;
  if (tls.useOsCerts || (noCa && cfg.psk === undefined)) out.useOsCerts = true;
  return out;
}

/** The port Mosquitto picks when none was given. */
function portOf(cfg: ClientConfig): number {
  if (cfg.port !== undefined) return cfg.port;
  const tls = cfg.tls.cafile !== undefined || cfg.tls.capath !== undefined;
  return tls || cfg.psk !== undefined ? 8883 : 1883;
}

function proxyUrl(cfg: ClientConfig): string | undefined {
  const proxy = cfg.proxy;
  if (!proxy) return undefined;
  let auth = '';
  if (proxy.username !== undefined) {
    auth = encodeURIComponent(proxy.username);
    if (proxy.password !== undefined) auth += `:${encodeURIComponent(proxy.password)}`;
    auth += '@';
  }
  return `socks5h://${auth}${proxy.host}:${proxy.port}`;
}

function willOptions(cfg: ClientConfig): ClientOptions['will'] {
  const { will } = cfg;
  if (will.topic === undefined) return undefined;
  // LIMIT(compat): Mosquitto sends an empty will topic and lets the broker
  // judge; midge's client library refuses it up front.
  const noV5 = cfg.protocolVersion !== 5 && cfg.properties.will.length > 0;
  if (will.topic === '' || !isPublishTopic(will.topic) || noV5) {
    throw new SetupError('Error: Problem setting will.\n');
  }
  const properties = toProperties(cfg.properties.will);
  return {
    topic: will.topic,
    payload: will.payload ?? '',
    qos: will.qos,
    retain: will.retain,
    ...(properties && cfg.protocolVersion === 5 ? { properties } : {}),
  };
}

function connectProperties(cfg: ClientConfig): Properties | undefined {
  if (cfg.protocolVersion !== 5) return undefined;
  const props = toProperties(cfg.properties.connect) ?? {};
  // libmosquitto always announces its receive maximum (20, or the -C
  // count when smaller, so no more than that many arrive before the end).
  if (props.receiveMaximum === undefined) {
    const count = cfg.msgCount;
    props.receiveMaximum = count > 0 && count < 20 ? count : 20;
  }
  return props;
}

function baseOptions(cfg: ClientConfig): ClientOptions {
  const options: ClientOptions = {
    host: cfg.host ?? 'localhost',
    port: portOf(cfg),
    protocolVersion: cfg.protocolVersion,
    clean: cfg.cleanSession,
    keepalive: cfg.keepalive,
    maxInflight: cfg.maxInflight,
    noDelay: cfg.tcpNoDelay,
    srv: cfg.useSrv,
  };
  const id = clientId(cfg);
  if (id !== undefined) options.clientId = id;
  if (cfg.bindAddress !== undefined) options.bindAddress = cfg.bindAddress;
  if (cfg.username !== undefined) options.username = cfg.username;
  if (cfg.password !== undefined) options.password = cfg.password;
  return options;
}

/** Client options for `cfg`; throws SetupError with Mosquitto's message. */
export function clientOptions(cfg: ClientConfig): ClientOptions {
  // No id at all with -c: only -x bounded the session, and the library
  // still refuses a persistent session without a name.
  if (cfg.id === '' || (!cfg.cleanSession && clientId(cfg) === undefined)) {
    // Mosquitto's library refuses an empty id; each tool words it its way.
    const text = cfg.tool === 'pub' ? 'Invalid id.' : 'Invalid id and/or clean_session.';
    throw new SetupError(`Error: ${text}\n`);
  }
  const options = baseOptions(cfg);
  const will = willOptions(cfg);
  if (will) options.will = will;
  if (
    cfg.password !== undefined &&
    cfg.username === undefined &&
    cfg.protocolVersion < 5
  ) {
    throw new SetupError('Error: Problem setting username and/or password.\n');
  }
  checkTls(cfg);
  const secure = usesTls(cfg);
  const tls = secure ? tlsOptions(cfg) : undefined;
  if (cfg.port === 0) {
    options.transport = 'unix';
    options.path = cfg.host ?? '';
  } else if (cfg.transport === 'ws') {
    options.transport = secure ? 'wss' : 'ws';
  } else {
    options.transport = secure ? 'tls' : 'tcp';
  }
  if (tls) options.tls = tls;
  if (secure && cfg.psk !== undefined) {
    options.psk = { identity: cfg.pskIdentity ?? '', key: cfg.psk };
  }
  const proxy = proxyUrl(cfg);
  if (proxy) options.proxy = proxy;
  const props = connectProperties(cfg);
  if (props) options.properties = props;
  if (cfg.protocolVersion !== 5 && cfg.properties.connect.length > 0) {
    // -D switched to MQTT 5, then a later -V switched back.
    const text = 'Unable to connect (This feature is not supported.).\n';
    throw new SetupError(text);
  }
  return options;
}
