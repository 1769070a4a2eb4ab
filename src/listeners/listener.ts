/**
 * One configured listener: its sockets and the steps every new connection
 * goes through before the broker sees it.
 *
 *   accept -> max_connections -> hosts.allow/deny -> PROXY header
 *          -> TLS handshake (certificates or PSK) -> WebSocket upgrade
 *          -> broker.accept(transport, settings)
 *
 * Each step is present only when configured; each refusal closes the
 * socket before a byte of MQTT is read, with Mosquitto's log line.
 */
import type { Server, Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Broker } from '../broker/index.js';
import type { ListenerSettings } from '../broker/options.js';
import { type Logger, LogType } from '../log/log-types.js';
import { type BindSpec, closeServers, openServers } from './bind.js';
import { HostAccess, type HostAccessSpec } from './hosts-files.js';
import { type ProxyPolicy, readProxyHeader } from './proxy-reader.js';
import {
  ignoreSocketError,
  type PeerInfo,
  peerOf,
  SocketTransport,
  stripMappedPrefix,
} from './socket-transport.js';
import { acceptedSocket, TlsLayer } from './tls-layer.js';
import type { TlsSpec } from './tls-options.js';
import { WebSocketLayer, type WebSocketSpec } from './websocket.js';
import { WebSocketTransport } from './ws-transport.js';

export interface ListenerOptions extends BindSpec {
  settings: ListenerSettings;
  /** Set TCP_NODELAY on client sockets. */
  noDelay?: boolean;
  /** TLS with certificates or PSK. */
  tls?: TlsSpec;
  /** MQTT over WebSockets (`protocol websockets`). */
  websockets?: WebSocketSpec;
  /** Expect a PROXY header first (enable_proxy_protocol). */
  proxyProtocol?: ProxyPolicy;
  /** Check hosts.allow / hosts.deny for each connection. */
  hostAccess?: HostAccessSpec;
  /** Logged when the listener opens (settings that do less than hoped). */
  warnings?: string[];
  /** Receives TLS key log lines (--tls-keylog). */
  keylog?: (line: Buffer) => void;
}

export class Listener {
  readonly servers: Server[] = [];
  readonly #broker: Broker;
  readonly #options: ListenerOptions;
  readonly #log: Logger;
  #settings: ListenerSettings;
  #connections = 0;
  /** Accepted sockets not yet handed to the broker (PROXY, TLS, HTTP). */
  readonly #pending = new Set<Socket>();
  #tls: TlsLayer | undefined;
  #ws: WebSocketLayer | undefined;
  #hostAccess: HostAccess | undefined;
  /**
   * Every socket's 'close' listener: one function per listener rather than
   * a closure (and a `once` wrapper) per socket; `this` is the socket.
   */
  readonly #onSocketClose: (this: Socket) => void;

  constructor(broker: Broker, options: ListenerOptions, log: Logger) {
    this.#broker = broker;
    this.#options = options;
    this.#settings = options.settings;
    this.#log = log;
    const listener = this;
    this.#onSocketClose = function (this: Socket) {
      listener.#connections--;
      listener.#pending.delete(this);
    };
  }

  /** The port actually bound (differs from the configured one for port 0). */
  get port(): number {
    const address = this.servers[0]?.address();
    return typeof address === 'object' && address ? address.port : this.#options.port;
  }

  get settings(): ListenerSettings {
    return this.#settings;
  }

  /** Reads certificates and opens the sockets; throws on failure. */
  async open(): Promise<void> {
    await this.#makeLayers();
    for (const warning of this.#options.warnings ?? []) {
      this.#log.write(LogType.Warning, `Warning: ${warning}`);
    }
    const servers = await openServers(
      this.#options,
      this.#log,
      (socket) => this.#accept(socket),
      this.#options.websockets !== undefined,
    );
    this.servers.push(...servers);
    if (this.#options.port === 0 && this.#options.unixPath === undefined) {
      // Port 0 picks a free port: name the listener by it in logs.
      this.#settings = { ...this.#settings, name: String(this.port) };
    }
  }

  /**
   * Stops accepting and drops connections the broker does not own yet;
   * resolves once the broker has closed the others.
   */
  async close(): Promise<void> {
    const closing = closeServers(this.servers);
    for (const socket of this.#pending) socket.destroy();
    await closing;
  }

  /**
   * Reads the certificate, key, CA, CRL and PSK files again for new
   * connections (SIGHUP). Rejects, keeping the old ones, if one is bad.
   */
  async reloadCertificates(): Promise<void> {
    await this.#tls?.reload();
  }

  get #timeoutMs(): number {
    return this.#broker.options.connectTimeout * 1000;
  }

  async #makeLayers(): Promise<void> {
    const { tls, websockets, hostAccess } = this.#options;
    if (hostAccess !== undefined)
      this.#hostAccess = new HostAccess(hostAccess, this.#log);
    if (tls !== undefined) {
      this.#tls = await TlsLayer.create({
        spec: tls,
        listenerName: () => this.#settings.name,
        log: this.#log,
        // Read each time: a configuration reload may change it.
        connectionMessages: () => this.#broker.options.connectionMessages,
        handshakeTimeout: this.#timeoutMs,
        onSecure: (socket, peer) => this.#serve(socket, peer),
        keylog: this.#options.keylog,
      });
    }
    if (websockets !== undefined) {
      this.#ws = new WebSocketLayer({
        spec: websockets,
        log: this.#log,
        idleTimeout: this.#timeoutMs,
        onSocket: (ws, peer, socket) => this.#acceptWebSocket(ws, peer, socket),
      });
    }
  }

  #accept(socket: Socket): void {
    // Errors before the broker owns the socket end in 'close' too.
    socket.on('error', ignoreSocketError);
    if (!this.#admit(socket)) {
      socket.destroy();
      return;
    }
    this.#connections++;
    this.#pending.add(socket);
    // 'close' comes once: `on` does what `once` would, without a wrapper.
    socket.on('close', this.#onSocketClose);
    if (this.#options.noDelay && this.#options.unixPath === undefined) {
      socket.setNoDelay(true);
    }
    const proxy = this.#options.proxyProtocol;
    if (proxy === undefined) {
      this.#secure(socket, this.#peerOf(socket));
      return;
    }
    readProxyHeader(socket, proxy, this.#log, this.#timeoutMs, (peer) =>
      this.#secure(socket, peer),
    );
  }

  /** max_connections, then hosts.allow / hosts.deny. */
  #admit(socket: Socket): boolean {
    const max = this.#settings.maxConnections;
    const client = this.#peerOf(socket).remoteAddress;
    const logging = this.#broker.options.connectionMessages;
    // As in Mosquitto, 0 and -1 both mean no limit.
    if (max > 0 && this.#connections >= max) {
      if (logging) {
        this.#log.write(
          LogType.Notice,
          `Client connection from ${client} denied: max_connections exceeded.`,
        );
      }
      return false;
    }
    if (this.#hostAccess === undefined || this.#options.unixPath !== undefined)
      return true;
    const server = stripMappedPrefix(socket.localAddress);
    if (this.#hostAccess.allows(client, server)) return true;
    if (logging) {
      this.#log.write(
        LogType.Notice,
        `Client connection from ${client} denied access by tcpd.`,
      );
    }
    return false;
  }

  /** Unix clients are named by the socket path and port 0, as Mosquitto does. */
  #peerOf(socket: Socket): PeerInfo {
    const path = this.#options.unixPath;
    return path === undefined ? peerOf(socket) : { remoteAddress: path, remotePort: 0 };
  }

  #secure(socket: Socket, peer: PeerInfo): void {
    if (this.#tls !== undefined) this.#tls.handle(socket, peer);
    else this.#serve(socket, peer);
  }

  #serve(socket: Socket, peer: PeerInfo): void {
    if (this.#ws !== undefined) {
      this.#ws.handle(socket, peer);
      return;
    }
    this.#pending.delete(acceptedSocket(socket));
    this.#broker.accept(new SocketTransport(socket, peer), this.#settings);
  }

  #acceptWebSocket(ws: WebSocket, peer: PeerInfo, socket: Socket): void {
    this.#pending.delete(acceptedSocket(socket));
    this.#broker.accept(new WebSocketTransport(ws, peer), this.#settings);
  }
}
