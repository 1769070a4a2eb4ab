/**
 * Adapts a Node stream socket (TCP, TLS or Unix) to the broker's Transport.
 *
 * Write batching: the first write in a turn of the event loop corks the
 * socket and queues the transport for the shared per-turn flush
 * (./write-batch.ts), which uncorks it: a burst of packets to one client
 * becomes one system call.
 *
 * Memory: a broker may hold a hundred thousand idle sockets, so nothing
 * here is made per socket that can be shared. The socket's listeners are
 * module-level functions that find their transport through one symbol
 * property on the socket, instead of closures (and `once` wrappers, which
 * cost a state object and a bound function each) per socket.
 *
 * Small packets are also gathered into one buffer before they reach the
 * socket: each `socket.write` costs a request object and a slot in the
 * writev array, far more than copying a 20-byte PUBACK or retained
 * message, so a turn that sends thousands of them hands the socket a few
 * large buffers instead. Large buffers go to the socket as they are,
 * after what was gathered before them, so the order never changes.
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

const transportKey = Symbol('midge.transport');

/** A socket handed to a SocketTransport, which it points back to. */
interface OwnedSocket extends Socket {
  [transportKey]?: SocketTransport;
}

/**
 * Swallows socket errors: ECONNRESET, EPIPE and the like end in 'close',
 * which is all the broker needs. Shared so that no socket gets a closure.
 */
export function ignoreSocketError(): void {}

/** Buffers up to this size are gathered (copied); larger ones are not. */
const GATHER_MAX = 1024;

/** Gathered bytes are handed to the socket once they reach this much. */
const GATHER_LIMIT = 64 * 1024;

export class SocketTransport implements Transport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly encrypted: boolean;
  readonly identity: TransportIdentity | undefined;
  #socket: OwnedSocket;
  #handlers: TransportHandlers | undefined = undefined;
  #corked = false;
  #closed = false;
  /** Small buffers written this turn, not yet given to the socket. */
  #gathered: Buffer[] | null = null;
  #gatheredBytes = 0;
  /** Destroys a socket whose peer does not close after `end`. */
  #endTimer: NodeJS.Timeout | undefined = undefined;

  constructor(socket: Socket, peer: PeerInfo = peerOf(socket)) {
    this.#socket = socket;
    this.remoteAddress = peer.remoteAddress;
    this.remotePort = peer.remotePort;
    this.encrypted = peer.encrypted ?? false;
    this.identity = peer.identity;
  }

  get bufferedBytes(): number {
    return this.#socket.writableLength + this.#gatheredBytes;
  }

  start(handlers: TransportHandlers): void {
    const socket = this.#socket;
    this.#handlers = handlers;
    socket[transportKey] = this;
    socket.on('data', onSocketData);
    socket.on('drain', onSocketDrain);
    // A listener has usually installed the same one already.
    if (socket.listenerCount('error') === 0) socket.on('error', ignoreSocketError);
    // 'close' comes once, so `on` does what `once` would, without a wrapper.
    socket.on('close', onSocketClose);
    // A listener may have paused the socket to read a PROXY header first.
    socket.resume();
  }

  // Called by the socket's shared listeners (below), and only by them.
  handleData(chunk: Buffer): void {
    this.#handlers?.onData(chunk);
  }

  handleDrain(): void {
    this.#handlers?.onDrain();
  }

  handleClose(hadError: boolean): void {
    this.#closed = true;
    // The timer would hold this transport, and its connection, for its
    // whole delay: at thousands of connections a second, a heap of them.
    if (this.#endTimer !== undefined) clearTimeout(this.#endTimer);
    this.#endTimer = undefined;
    this.#gathered = null;
    this.#gatheredBytes = 0;
    this.#handlers?.onClose(hadError);
  }

  write(data: Buffer): void {
    if (this.#closed) return;
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      scheduleFlush(this);
    }
    if (data.length > GATHER_MAX) {
      this.#release();
      this.#socket.write(data);
      return;
    }
    if (this.#gathered === null) this.#gathered = [data];
    else this.#gathered.push(data);
    this.#gatheredBytes += data.length;
    if (this.#gatheredBytes >= GATHER_LIMIT) this.#release();
  }

  /** Called by the shared flush; public for that alone. */
  flush(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#release();
    this.#socket.uncork();
  }

  /** Hands the gathered buffers to the socket as one. */
  #release(): void {
    const list = this.#gathered;
    if (list === null) return;
    const bytes = this.#gatheredBytes;
    this.#gathered = null;
    this.#gatheredBytes = 0;
    this.#socket.write(
      list.length === 1 ? (list[0] as Buffer) : Buffer.concat(list, bytes),
    );
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
    if (this.#endTimer !== undefined) return;
    this.#endTimer = setTimeout(() => this.#socket.destroy(), END_TIMEOUT_MS);
    this.#endTimer.unref();
  }

  destroy(): void {
    this.#closed = true;
    this.#gathered = null;
    this.#gatheredBytes = 0;
    this.#socket.destroy();
  }
}

// The listeners of every transport's socket: `this` is the socket.
function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[transportKey]?.handleData(chunk);
}

function onSocketDrain(this: OwnedSocket): void {
  this[transportKey]?.handleDrain();
}

function onSocketClose(this: OwnedSocket, hadError: boolean): void {
  this[transportKey]?.handleClose(hadError);
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
