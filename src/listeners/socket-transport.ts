/**
 * Adapts a Node stream socket (TCP, TLS or Unix) to the broker's Transport.
 *
 * Write batching: the first write in a turn of the event loop corks the
 * socket and queues the transport for the shared per-turn flush
 * (./write-batch.ts), which uncorks it: a burst of packets to one client
 * becomes one system call.
 */
import type { Socket } from 'node:net';
import type {
  Transport,
  TransportHandlers,
  TransportIdentity,
} from '../broker/transport.js';
import { scheduleFlush } from '../io/write-batch.js';

/** What a listener learned about the peer before MQTT starts. */
export interface PeerInfo {
  remoteAddress: string;
  remotePort: number;
  encrypted?: boolean;
  identity?: TransportIdentity;
}

/** A peer closing politely must not keep a socket open for ever. */
const END_TIMEOUT_MS = 5000;

export class SocketTransport implements Transport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly encrypted: boolean;
  readonly identity: TransportIdentity | undefined;
  #socket: Socket;
  #corked = false;
  #closed = false;

  constructor(socket: Socket, peer: PeerInfo = peerOf(socket)) {
    this.#socket = socket;
    this.remoteAddress = peer.remoteAddress;
    this.remotePort = peer.remotePort;
    this.encrypted = peer.encrypted ?? false;
    this.identity = peer.identity;
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
    // A listener may have paused the socket to read a PROXY header first.
    socket.resume();
  }

  write(data: Buffer): void {
    if (this.#closed) return;
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      scheduleFlush(this);
    }
    this.#socket.write(data);
  }

  /** Called by the shared flush; public for that alone. */
  flush(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    if (!this.#closed) this.#socket.resume();
  }

  end(): void {
    if (this.#closed) return;
    this.flush();
    // Nothing more is read from a peer being sent away.
    this.#socket.pause();
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), END_TIMEOUT_MS).unref();
  }

  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }
}

/** The peer as the socket sees it; Unix sockets have no address. */
export function peerOf(socket: Socket): PeerInfo {
  return {
    remoteAddress: stripMappedPrefix(socket.remoteAddress),
    remotePort: socket.remotePort ?? 0,
  };
}

/** "::ffff:127.0.0.1" -> "127.0.0.1", as Mosquitto logs IPv4 peers. */
export function stripMappedPrefix(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
