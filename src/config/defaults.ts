/**
 * Fresh objects holding Mosquitto 2.0's defaults. Each call returns new
 * objects so a parse can mutate them freely.
 */
import type {
  BridgeConfig,
  Config,
  Directive,
  ListenerConfig,
  SecurityOptions,
  SourcePosition,
} from './types.js';

export const DEFAULT_PORT = 1883;

export function createSecurity(): SecurityOptions {
  return {
    passwordFile: null,
    aclFile: null,
    pskFile: null,
    allowAnonymous: null,
    allowZeroLengthClientId: true,
    autoIdPrefix: 'auto-',
    plugins: [],
  };
}

export function createListener(port: number, bindAddress: string | null): ListenerConfig {
  return {
    port,
    bindAddress,
    unixSocketPath: null,
    isDefault: false,
    protocol: 'mqtt',
    socketDomain: null,
    bindInterface: null,
    maxConnections: -1,
    maxQos: 2,
    maxTopicAlias: 10,
    maxTopicAliasBroker: 0,
    mountPoint: null,
    useUsernameAsClientId: false,
    acceptProtocolVersions: [3, 4, 5],
    proxyProtocol: null,
    proxyProtocolV2RequireTls: false,
    cafile: null,
    capath: null,
    certfile: null,
    keyfile: null,
    ciphers: null,
    ciphersTls13: null,
    crlfile: null,
    dhparamfile: null,
    requireCertificate: false,
    tlsEngine: null,
    tlsEngineKpassSha1: null,
    tlsKeyform: 'pem',
    tlsVersion: null,
    useIdentityAsUsername: false,
    useSubjectAsUsername: false,
    disableClientCertDateChecks: false,
    pskHint: null,
    httpDir: null,
    websocketsOrigins: [],
    security: createSecurity(),
    source: null,
  };
}

export function createBridge(name: string, source: SourcePosition): BridgeConfig {
  return {
    name,
    addresses: [],
    topics: [],
    attemptUnsubscribe: true,
    bindAddress: null,
    maxPacketSize: 0,
    outgoingRetain: true,
    protocolVersion: 'mqttv311',
    cleansession: false,
    localCleansession: null,
    keepaliveInterval: 60,
    idleTimeout: 60,
    localClientId: null,
    localUsername: null,
    localPassword: null,
    remoteClientId: null,
    remoteUsername: null,
    remotePassword: null,
    notifications: true,
    notificationsLocalOnly: false,
    notificationTopic: null,
    restartTimeout: null,
    backoffBase: 5,
    backoffCap: 30,
    backoffStable: null,
    roundRobin: false,
    startType: 'automatic',
    threshold: 10,
    tryPrivate: true,
    maxTopicAlias: 10,
    receiveMaximum: null,
    sessionExpiryInterval: 0,
    tcpKeepalive: null,
    tcpUserTimeout: null,
    reloadType: 'lazy',
    alpn: null,
    cafile: null,
    capath: null,
    certfile: null,
    keyfile: null,
    identity: null,
    psk: null,
    insecure: false,
    requireOcsp: false,
    tlsVersion: null,
    tlsUseOsCerts: false,
    ciphers: null,
    ciphersTls13: null,
    source,
  };
}

/** The last directive that set `option`, by canonical name or as written. */
export function findSource(
  directives: readonly Directive[],
  option: string,
): SourcePosition | undefined {
  for (let i = directives.length - 1; i >= 0; i--) {
    const d = directives[i]!;
    if (d.canonical === option || d.option === option) {
      return { file: d.file, line: d.line };
    }
  }
  return undefined;
}

export function createConfig(file: string | null): Config {
  const security = createSecurity();
  const directives: Directive[] = [];
  return {
    file,
    files: file === null ? [] : [file],
    allowDuplicateMessages: false,
    checkRetainSource: true,
    clientidPrefixes: null,
    maxInflightBytes: 0,
    maxInflightMessages: 20,
    maxKeepalive: 0,
    maxPacketSize: 0,
    maxQueuedBytes: 0,
    maxQueuedMessages: 1000,
    memoryLimit: 0,
    messageSizeLimit: 0,
    pidFile: null,
    queueQos0Messages: false,
    retainAvailable: true,
    // midge gathers each turn's writes to a client into one system call,
    // which is what Nagle's algorithm would do, so Nagle only adds delay:
    // a small message could wait for the peer's delayed ACK (up to 40 ms).
    setTcpNodelay: true,
    tcpWrappers: false,
    sysInterval: 10,
    upgradeOutgoingQos: false,
    user: 'mosquitto',
    enableControlApi: false,
    globalMaxClients: -1,
    globalMaxConnections: -1,
    persistence: false,
    persistenceFile: 'mosquitto.db',
    persistenceLocation: null,
    autosaveInterval: 1800,
    autosaveOnChanges: false,
    persistenceDurability: 'normal',
    persistentClientExpiration: 0,
    logDest: ['stderr'],
    logFile: null,
    logType: ['error', 'warning', 'notice', 'information'],
    logTimestamp: true,
    logTimestampFormat: null,
    logFacility: null,
    connectionMessages: true,
    websocketsLogLevel: 0,
    websocketsHeadersSize: 0,
    perListenerSettings: false,
    security,
    plugins: security.plugins,
    globalPlugins: [],
    namedPlugins: new Map(),
    localOnly: true,
    listeners: [],
    bridges: [],
    directives,
    warnings: [],
    sourceOf: (option) => findSource(directives, option),
  };
}
