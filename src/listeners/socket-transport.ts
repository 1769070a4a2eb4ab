/**
 * Adapts a Node stream socket (TCP, TLS or Unix) to the broker's Transport.
 *
 * Write batching: the first write in a turn of the event loop corks the
 * socket and puts the transport on a shared list; one setImmediate per turn
 * uncorks every transport on the list. A burst of packets to one client
 * thus becomes one system call, and a turn costs one timer for all clients.
 */
import type { Socket } from 'node:net';
import type { Transport, TransportHandlers } from '../broker/transport.js';

const corked: SocketTransport[] = [];
let flushScheduled = false;

function flushAll(): void {
  flushScheduled = false;
  // Uncorking may run user callbacks that write again; those land in a new
  // batch because `corked` is swapped out first.
  const batch = corked.splice(0, corked.length);
  for (const transport of batch) transport.flush();
}

export class SocketTransport implements Transport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  #socket: Socket;
  #corked = false;
  #closed = false;

  constructor(socket: Socket, remoteAddress?: string, remotePort?: number) {
    this.#socket = socket;
    this.remoteAddress = remoteAddress ?? stripMappedPrefix(socket.remoteAddress);
    this.remotePort = remotePort ?? socket.remotePort ?? 0;
  }

  get bufferedBytes(): number {
    return this.#socket.writableLength;
  }

  start(handlers: TransportHandlers): void {
    const socket = this.#socket;
    socket.on('data', handlers.onData);
    socket.on('drain', handlers.onDrain);
    // Errors (ECONNRESET, EPIPE) end in 'close'; the broker only needs that.
    socket.on('error', () => {});
    socket.once('close', (hadError) => {
      this.#closed = true;
      handlers.onClose(hadError);
    });
  }

  write(data: Buffer): void {
    if (this.#closed) return;
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      corked.push(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushAll);
      }
    }
    this.#socket.write(data);
  }

  /** Called by the shared flush; public for that alone. */
  flush(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  }

  end(): void {
    if (this.#closed) return;
    this.flush();
    this.#socket.end();
    // A peer that never reads must not keep the socket open for ever.
    setTimeout(() => this.#socket.destroy(), 5000).unref();
  }

  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }
}

/** "::ffff:127.0.0.1" -> "127.0.0.1", as Mosquitto logs IPv4 peers. */
function stripMappedPrefix(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
