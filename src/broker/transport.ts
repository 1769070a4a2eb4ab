/**
 * The broker core speaks to a connection through this interface and never
 * to a socket. TCP, TLS, WebSocket, Unix-socket and in-memory adapters
 * implement it (src/listeners).
 *
 * Writes are batched by the adapter: `write` queues bytes and the adapter
 * flushes once per turn of the event loop, so a burst of packets costs one
 * system call.
 */
export interface Transport {
  /** Peer address as logged ("127.0.0.1", "::1", a Unix socket path). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Bytes queued but not yet handed to the operating system. */
  readonly bufferedBytes: number;
  /**
   * True when the bytes travel encrypted: TLS on this listener, or TLS at
   * a proxy that said so in a PROXY v2 header. Absent = false.
   */
  readonly encrypted?: boolean;
  /**
   * Who the peer is according to the layer below MQTT, when the listener
   * takes usernames from there (use_identity_as_username,
   * use_subject_as_username, TLS-PSK identities, PROXY v2 certificate
   * names). Absent = the CONNECT's username and password are used as sent.
   * Set before the first byte of MQTT reaches `onData`.
   */
  readonly identity?: TransportIdentity;
  /**
   * Install the callbacks. `onData` receives each chunk read; the chunk is
   * not reused by the adapter, so subarrays of it stay valid. `onDrain` is
   * called when queued bytes have been flushed after `bufferedBytes` grew.
   * `onClose` is called exactly once, whoever closed the connection.
   * They are called as methods of `handlers`, so a connection can pass
   * itself rather than make closures.
   */
  start(handlers: TransportHandlers): void;
  /**
   * Queues `data`, which neither the adapter nor its peer may write into:
   * the broker shares one encoded PUBLISH among subscribers and keeps a
   * message in flight inside the packet it sent (./delivery.ts). The
   * in-process pair hands its client a copy (./memory-transport.ts); the
   * bridges' link only reads what it decodes.
   */
  write(data: Buffer): void;
  /**
   * Hands what was written so far to the operating system now rather than
   * at the end of the turn. Optional; the output gate uses it when it
   * lets held packets go after the turn's flush.
   */
  flush?(): void;
  /** Flush what is queued, then close. */
  end(): void;
  /** Close at once, dropping what is queued. */
  destroy(): void;
  /**
   * Stop and restart reading. The broker stops reading from a client that
   * does not read its replies, and from one whose CONNECT is still being
   * checked, so neither can make it buffer without bound.
   */
  pause?(): void;
  resume?(): void;
  /**
   * Whether pause() really stops the peer's input; a wrapper that always
   * has pause() says here whether what it wraps can (undefined: it can
   * when pause exists).
   */
  readonly pausable?: boolean;
}

/**
 * A username from below MQTT. When a transport has one, the broker drops
 * the CONNECT's username and password, as Mosquitto does:
 * - `username` undefined: the listener wants one but the client gave none
 *   (no certificate, no CN): refuse with Bad User Name or Password (3.x
 *   return code 4), before use_username_as_clientid is applied.
 * - otherwise the client's username is `username` (and so its client id,
 *   with use_username_as_clientid).
 * - `verified` true (certificate or PSK checked by TLS here): skip the
 *   password check (allow_anonymous, password file, auth plugins); ACLs
 *   still apply. `verified` false (a name sent by a PROXY v2 proxy): run
 *   the usual checks with that username and no password.
 */
export interface TransportIdentity {
  readonly username: string | undefined;
  readonly verified: boolean;
}

export interface TransportHandlers {
  onData(chunk: Buffer): void;
  onDrain(): void;
  onClose(hadError: boolean): void;
}
