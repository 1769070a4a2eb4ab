/**
 * MQTT over WebSockets on a listener (`protocol websockets`), plain or
 * behind the listener's TLS. An http.Server that never listens reads the
 * HTTP side of each accepted socket: upgrades to the `mqtt` subprotocol
 * become WebSocket transports; other requests get http_dir's static files
 * (or 404). websockets_origin limits the Origin header of upgrades.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Logger, LogType } from '../log/log-types.js';
import { httpReply, StaticFiles } from './http-files.js';
import type { PeerInfo } from './socket-transport.js';

export interface WebSocketSpec {
  /** Folder of static files served over plain HTTP requests. */
  httpDir?: string;
  /** Allowed Origin header values; empty = any. */
  origins: string[];
  /** Largest HTTP header block (websockets_headers_size); default Node's. */
  maxHeaderSize?: number;
}

export interface WebSocketLayerOptions {
  spec: WebSocketSpec;
  log: Logger;
  /** Milliseconds an HTTP connection may stay idle before the upgrade. */
  idleTimeout: number;
  /** Receives each upgraded WebSocket with its peer and its socket. */
  onSocket(ws: WebSocket, peer: PeerInfo, socket: Socket): void;
}

/** Subprotocols taken, best first: MQTT's, and the name 3.1 clients used. */
const SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];

export class WebSocketLayer {
  readonly #options: WebSocketLayerOptions;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #files: StaticFiles | undefined;
  readonly #peers = new WeakMap<Socket, PeerInfo>();
  readonly #origins: Set<string>;

  /** Throws if http_dir does not exist. */
  constructor(options: WebSocketLayerOptions) {
    this.#options = options;
    const { spec } = options;
    this.#files = spec.httpDir === undefined ? undefined : new StaticFiles(spec.httpDir);
    this.#origins = new Set(spec.origins.map((o) => o.toLowerCase()));
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
    });
    this.#http = createServer({ maxHeaderSize: spec.maxHeaderSize });
    this.#http.on('request', (req, res) => {
      if (this.#files) this.#files.handle(req, res);
      else httpReply(res, 404, 'Not Found');
    });
    this.#http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.#upgrade(req, socket, head),
    );
  }

  /** Takes an accepted socket (plain or TLS) that speaks HTTP. */
  handle(socket: Socket, peer: PeerInfo): void {
    this.#peers.set(socket, peer);
    // http.Server's own timeouts run only when it listens; this one guards
    // against clients that never finish (or never send) a request.
    socket.setTimeout(this.#options.idleTimeout, () => socket.destroy());
    this.#http.emit('connection', socket);
    socket.resume();
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const peer = this.#peers.get(socket);
    const refusal = peer === undefined ? 'unknown socket' : this.#refusal(req);
    if (refusal !== undefined || peer === undefined) {
      this.#options.log.write(
        LogType.Websockets,
        `WebSocket upgrade from ${peer?.remoteAddress ?? '?'} refused: ${refusal}.`,
      );
      const status = refusal?.startsWith('origin') ? '403 Forbidden' : '400 Bad Request';
      socket.once('finish', () => socket.destroy());
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    socket.setTimeout(0);
    this.#wss.handleUpgrade(req, socket, head, (ws) =>
      this.#options.onSocket(ws, peer, socket),
    );
  }

  /** Why an upgrade is refused, or undefined to accept it. */
  #refusal(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    // Browsers always send Origin; clients that do not are not the cross-
    // site pages websockets_origin guards against, so they pass.
    if (this.#origins.size > 0 && origin !== undefined) {
      if (!this.#origins.has(origin.toLowerCase())) return `origin ${origin} not allowed`;
    }
    const offered = req.headers['sec-websocket-protocol'];
    if (offered !== undefined) {
      const names = offered.split(',').map((p) => p.trim());
      if (!names.some((name) => SUBPROTOCOLS.includes(name))) {
        return `no mqtt subprotocol in "${offered}"`;
      }
    }
    return undefined;
  }
}
