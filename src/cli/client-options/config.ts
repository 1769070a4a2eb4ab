/**
 * The settings midge_pub, midge_sub and midge_rr read from their options
 * file and command line. One shape serves the three tools, as one parser
 * does; a tool ignores what does not concern it.
 *
 * Some fields keep Mosquitto's encoding on purpose, because later options
 * and checks depend on it: `port` stays undefined until given (the default
 * then depends on TLS), `--unix` sets `host` to the socket path and `port`
 * to 0, and `sessionExpiry` is -1 until given.
 */
import type { Properties, QoS } from '../../protocol/index.js';

export type ToolKind = 'pub' | 'sub' | 'rr';

/** Where the message of midge_pub / midge_rr comes from. */
export enum PubMode {
  None = 0,
  Message = 1,
  File = 2,
  StdinFile = 3,
  StdinLine = 4,
  Null = 5,
}

/** The packet (or will) a `-D` property belongs to. */
export type PropertyTarget =
  | 'connect'
  | 'publish'
  | 'subscribe'
  | 'unsubscribe'
  | 'disconnect'
  | 'will';

/** One `-D` property, in command-line order (the order matters for duplicates). */
export interface PropertyArg {
  name: string;
  key: keyof Properties;
  value: number | string | Buffer | [string, string];
}

export interface ProxyConfig {
  host: string;
  port: number;
  username?: string;
  password?: string;
}

export interface ClientConfig {
  tool: ToolKind;
  host?: string;
  /** Undefined until given; 0 after `--unix` (the host is then a path). */
  port?: number;
  bindAddress?: string;
  useSrv: boolean;
  tcpNoDelay: boolean;
  transport: 'tcp' | 'ws';
  noTls: boolean;
  id?: string;
  idPrefix?: string;
  username?: string;
  password?: string;
  keepalive: number;
  protocolVersion: 3 | 4 | 5;
  cleanSession: boolean;
  /** -1 until given; 4294967295 means "never expires". */
  sessionExpiry: number;
  maxInflight: number;
  qos: QoS;
  retain: boolean;
  debug: boolean;
  quiet: boolean;
  will: { topic?: string; payload?: string; qos: QoS; retain: boolean };
  tls: TlsConfig;
  psk?: string;
  pskIdentity?: string;
  proxy?: ProxyConfig;
  properties: Record<PropertyTarget, PropertyArg[]>;
  /** `-D publish topic-alias` was given: later publishes omit the topic. */
  haveTopicAlias: boolean;
  // midge_pub / midge_rr
  topic?: string;
  pubMode: PubMode;
  message?: string;
  fileInput?: string;
  repeatCount: number;
  /** Microseconds between repeats, as Mosquitto computes it from a float. */
  repeatDelayUs: number;
  responseTopic?: string;
  // midge_sub / midge_rr
  topics: string[];
  filterOuts: string[];
  unsubTopics: string[];
  msgCount: number;
  /** Seconds, 0 = none. */
  timeout: number;
  exitAfterSub: boolean;
  noRetain: boolean;
  retainedOnly: boolean;
  removeRetained: boolean;
  retainAsPublished: boolean;
  /** Out of 10000, as Mosquitto keeps it; 10000 prints everything. */
  randomFilter: number;
  eol: boolean;
  verbose: boolean;
  pretty: boolean;
  format?: string;
  optionsFile?: string;
}

export interface TlsConfig {
  cafile?: string;
  capath?: string;
  certfile?: string;
  keyfile?: string;
  ciphers?: string;
  alpn?: string;
  version?: string;
  engine?: string;
  keyform?: string;
  engineKpassSha1?: string;
  insecure: boolean;
  useOsCerts: boolean;
}

/** Mosquitto's defaults; midge_rr differs in protocol version and count. */
export function initialConfig(tool: ToolKind): ClientConfig {
  return {
    tool,
    useSrv: false,
    tcpNoDelay: false,
    transport: 'tcp',
    noTls: false,
    keepalive: 60,
    protocolVersion: tool === 'rr' ? 5 : 4,
    cleanSession: true,
    sessionExpiry: -1,
    maxInflight: 20,
    qos: 0,
    retain: false,
    debug: false,
    quiet: false,
    will: { qos: 0, retain: false },
    tls: { insecure: false, useOsCerts: false },
    properties: {
      connect: [],
      publish: [],
      subscribe: [],
      unsubscribe: [],
      disconnect: [],
      will: [],
    },
    haveTopicAlias: false,
    pubMode: PubMode.None,
    repeatCount: 1,
    repeatDelayUs: 0,
    topics: [],
    filterOuts: [],
    unsubTopics: [],
    msgCount: tool === 'rr' ? 1 : 0,
    timeout: 0,
    exitAfterSub: false,
    noRetain: false,
    retainedOnly: false,
    removeRetained: false,
    retainAsPublished: false,
    randomFilter: 10000,
    eol: true,
    verbose: false,
    pretty: false,
  };
}

/** The largest payload MQTT can carry (remaining length minus headers). */
export const maxPayload = 268435455;

/** "Never expires" for session and message expiry. */
export const uint32Max = 4294967295;
