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
   * Install the callbacks. `onData` receives each chunk read; the chunk is
   * not reused by the adapter, so subarrays of it stay valid. `onDrain` is
   * called when queued bytes have been flushed after `bufferedBytes` grew.
   * `onClose` is called exactly once, whoever closed the connection.
   */
  start(handlers: TransportHandlers): void;
  write(data: Buffer): void;
  /** Flush what is queued, then close. */
  end(): void;
  /** Close at once, dropping what is queued. */
  destroy(): void;
}

export interface TransportHandlers {
  onData(chunk: Buffer): void;
  onDrain(): void;
  onClose(hadError: boolean): void;
}
