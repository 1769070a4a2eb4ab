/**
 * TLS (certificates or PSK) on a listener. A tls.Server that never listens
 * does the handshakes: the listener hands it each accepted socket (after
 * any PROXY header), and gets back the secured socket with what TLS
 * learned about the client (encrypted, and a username when the listener
 * takes it from the certificate or the PSK identity).
 *
 * Log lines follow Mosquitto's for a failed handshake: the connection,
 * the OpenSSL error, and `Client <unknown> disconnected: Protocol error.`
 */
import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket, type TlsOptions } from 'node:tls';
import type { TransportIdentity } from '../broker/transport.js';
import { type Logger, LogType } from '../log/log-types.js';
import { PskFile } from '../security/psk-file.js';
import { ignoreSocketError, type PeerInfo, peerOf } from './socket-transport.js';
import { commonName, subjectAsUsername } from './tls-identity.js';
import { serverTlsOptions, type TlsSpec } from './tls-options.js';

export interface TlsLayerOptions {
  spec: TlsSpec;
  /** The listener's name in log lines (its port, known once bound). */
  listenerName(): string;
  log: Logger;
  /** Log connections and their failures (connection_messages)? */
  connectionMessages(): boolean;
  /** Milliseconds a client has to finish the handshake. */
  handshakeTimeout: number;
  /** Receives each client whose handshake and certificate passed. */
  onSecure(socket: TLSSocket, peer: PeerInfo): void;
  /** Receives TLS key log lines (--tls-keylog), for a packet analyser. */
  keylog?: (line: Buffer) => void;
}

/** Without a psk_file no identity is known and every handshake fails. */
function loadPsk(spec: TlsSpec): Promise<PskFile | undefined> {
  const file = spec.psk?.file;
  return file === undefined ? Promise.resolve(undefined) : PskFile.load(file);
}

/** Date errors disable_client_cert_date_checks lets through. */
const DATE_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * The socket the listener accepted, given the one a layer made of it. The
 * tls.Server wraps what it is handed and Node keeps that as `_parent`;
 * this is how the PROXY-given address follows the client through TLS.
 */
export function acceptedSocket(socket: Socket): Socket {
  return (socket as Socket & { _parent?: Socket })._parent ?? socket;
}

export class TlsLayer {
  readonly #options: TlsLayerOptions;
  readonly #server: Server;
  readonly #peers = new WeakMap<Socket, PeerInfo>();
  readonly #pskIdentities = new WeakMap<Socket, string>();
  #pskFile: PskFile | undefined;

  /**
   * Reads the certificate and PSK files; rejects with TlsConfigError or
   * ConfigError (PSK file) naming the file.
   */
  static async create(options: TlsLayerOptions): Promise<TlsLayer> {
    const tlsOptions = serverTlsOptions(options.spec);
    return new TlsLayer(options, tlsOptions, await loadPsk(options.spec));
  }

  private constructor(
    options: TlsLayerOptions,
    tlsOptions: TlsOptions,
    pskFile: PskFile | undefined,
  ) {
    this.#options = options;
    this.#pskFile = pskFile;
    const psk = options.spec.psk;
    if (psk !== undefined) {
      tlsOptions.pskIdentityHint = psk.hint;
      tlsOptions.pskCallback = (socket, identity) => this.#pskKey(socket, identity);
    }
    tlsOptions.handshakeTimeout = options.handshakeTimeout;
    this.#server = createServer(tlsOptions);
    this.#server.on('secureConnection', (socket) => this.#onSecure(socket));
    this.#server.on('tlsClientError', (error, socket) => this.#onFailure(error, socket));
    const keylog = options.keylog;
    if (keylog !== undefined) this.#server.on('keylog', (line) => keylog(line));
  }

  /** Starts the handshake on an accepted socket. */
  handle(socket: Socket, peer: PeerInfo): void {
    this.#peers.set(socket, peer);
    this.#server.emit('connection', socket);
  }

  /**
   * Reads the certificate, key, CA, CRL and PSK files again; new
   * connections use them, open ones keep theirs. If one is bad, the old
   * ones stay and the promise rejects.
   */
  async reload(): Promise<void> {
    const next = serverTlsOptions(this.#options.spec);
    const pskFile = await loadPsk(this.#options.spec);
    this.#server.setSecureContext(next);
    this.#pskFile = pskFile;
  }

  #pskKey(socket: TLSSocket, identity: string): Buffer | null {
    const key = this.#pskFile?.key(identity);
    if (key !== undefined) this.#pskIdentities.set(socket, identity);
    return key ?? null;
  }

  #peerOf(socket: TLSSocket): PeerInfo {
    return this.#peers.get(acceptedSocket(socket)) ?? peerOf(socket);
  }

  #onSecure(socket: TLSSocket): void {
    const peer = this.#peerOf(socket);
    const refusal = this.#verify(socket);
    if (refusal !== undefined) {
      this.#logFailure(peer, `OpenSSL Error[0]: ${refusal}`, true);
      socket.destroy();
      return;
    }
    socket.on('error', ignoreSocketError);
    this.#options.onSecure(socket, {
      ...peer,
      encrypted: true,
      identity: this.#identity(socket),
    });
  }

  /** Why the client certificate is refused, or undefined if it is not. */
  #verify(socket: TLSSocket): string | undefined {
    const spec = this.#options.spec;
    if (spec.psk !== undefined || !spec.requireCertificate) return undefined;
    const cert = socket.getPeerCertificate();
    if (!cert || Object.keys(cert).length === 0)
      return 'peer did not return a certificate';
    const error = socket.authorizationError as unknown as string | null | undefined;
    if (socket.authorized || !error) return undefined;
    // LIMIT(compat): OpenSSL reports the last error it met, so a client
    // certificate both expired and revoked passes here when date checks
    // are off; Mosquitto 2.1 checks revocation regardless.
    if (spec.disableClientCertDateChecks && DATE_ERRORS.has(error)) return undefined;
    return `certificate verify failed (${error})`;
  }

  #identity(socket: TLSSocket): TransportIdentity | undefined {
    const spec = this.#options.spec;
    if (!spec.useIdentityAsUsername && !spec.useSubjectAsUsername) return undefined;
    if (spec.psk !== undefined) {
      // A PSK client has no subject: with use_subject_as_username alone,
      // Mosquitto finds no username and refuses it.
      const identity = spec.useIdentityAsUsername
        ? this.#pskIdentities.get(socket)
        : undefined;
      return { username: identity, verified: true };
    }
    const cert = socket.getPeerX509Certificate();
    if (cert === undefined) return { username: undefined, verified: true };
    // use_identity_as_username wins when both are set, as in Mosquitto.
    const username = spec.useIdentityAsUsername
      ? commonName(socket.getPeerCertificate())
      : subjectAsUsername(cert);
    return { username, verified: true };
  }

  #onFailure(
    error: Error & { code?: string; library?: string },
    socket: TLSSocket,
  ): void {
    const peer = this.#peerOf(socket);
    if (error.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
      this.#logFailure(peer, 'Client <unknown> has exceeded timeout, disconnecting.');
    } else if (error.library !== undefined) {
      this.#logFailure(peer, `OpenSSL Error[0]: ${openSslText(error)}`, true);
    } else {
      this.#logFailure(peer, 'Socket error on client <unknown>, disconnecting.');
    }
  }

  #logFailure(peer: PeerInfo, line: string, protocolError = false): void {
    const { log } = this.#options;
    const connectionMessages = this.#options.connectionMessages();
    const name = this.#options.listenerName();
    const from = `${peer.remoteAddress}:${peer.remotePort}`;
    if (connectionMessages) {
      log.write(LogType.Notice, `New connection from ${from} on port ${name}.`);
    }
    if (protocolError) {
      log.write(LogType.Error, line);
      if (connectionMessages) {
        log.write(LogType.Notice, 'Client <unknown> disconnected: Protocol error.');
      }
    } else if (connectionMessages) {
      log.write(LogType.Notice, line);
    }
  }
}

/**
 * OpenSSL's error in the short form Mosquitto logs,
 * `error:0A0000FD:SSL routines::binder does not verify`; Node sometimes
 * gives the long form with the function, source file and line.
 */
export function openSslText(
  error: Error & { library?: string; reason?: string },
): string {
  const match = /error:([0-9A-Fa-f]+):([^:\n]*):[^:\n]*:([^:\n]*)/.exec(error.message);
  if (match) return `error:${match[1]}:${match[2]}::${match[3]}`;
  return `${error.library}: ${error.reason ?? error.message.split('\n')[0]}`;
}
