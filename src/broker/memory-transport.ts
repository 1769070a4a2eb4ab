/**
 * An in-memory connection: a Transport for the broker and a client end
 * that sends encoded packets and decodes what comes back. Unit tests drive
 * the broker through it without sockets; embedders can use it to connect
 * in-process clients.
 *
 * @example
 * const { transport, client } = createMemoryPair();
 * broker.accept(transport, defaultListenerSettings);
 * client.send({ type: PacketType.Connect, ... });
 * const connack = await client.next();
 */
import {
  encode,
  type Packet,
  PacketDecoder,
  PacketType,
  type ProtocolVersion,
} from '../protocol/index.js';
import type { Transport, TransportHandlers } from './transport.js';

export interface MemoryPairOptions {
  remoteAddress?: string;
  remotePort?: number;
}

let nextPort = 40000;

/** Creates a connected pair: give `transport` to the broker, keep `client`. */
export function createMemoryPair(options: MemoryPairOptions = {}): {
  transport: MemoryTransport;
  client: MemoryClient;
} {
  const client = new MemoryClient();
  const transport = new MemoryTransport(
    client,
    options.remoteAddress ?? '127.0.0.1',
    options.remotePort ?? nextPort++,
  );
  client.attach(transport);
  return { transport, client };
}

/** The broker's side. Closing is reported asynchronously, as sockets do. */
export class MemoryTransport implements Transport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly #client: MemoryClient;
  #handlers: TransportHandlers | undefined;
  #early: Buffer[] = [];
  /** Chunks sent while the broker was not reading, as a socket keeps them. */
  #unread: Buffer[] = [];
  #paused = false;
  #closed = false;

  constructor(client: MemoryClient, remoteAddress: string, remotePort: number) {
    this.#client = client;
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
  }

  get bufferedBytes(): number {
    return this.#client.pendingBytes;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True while the broker does not read from the client. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Bytes the client sent that the broker has not read yet. */
  get unreadBytes(): number {
    let n = 0;
    for (const chunk of this.#unread) n += chunk.length;
    return n;
  }

  pause(): void {
    this.#paused = true;
  }

  /** Reading starts again on a later tick, as a socket's does. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#unread.length > 0) queueMicrotask(() => this.#readUnread());
  }

  start(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) handlers.onData(chunk);
  }

  /**
   * The client gets bytes of its own, as over a socket: the broker shares
   * one encoded PUBLISH among subscribers and keeps a message in flight
   * inside the packet it sent (./delivery.ts), so a client that writes
   * into a payload it received must not reach those.
   */
  write(data: Buffer): void {
    if (!this.#closed) this.#client.receive(Buffer.from(data));
  }

  end(): void {
    this.#close(false);
  }

  destroy(): void {
    this.#close(false);
  }

  /** Data from the client end. */
  deliver(chunk: Buffer): void {
    if (this.#closed) return;
    if (this.#handlers === undefined) this.#early.push(chunk);
    else if (this.#paused || this.#unread.length > 0) this.#unread.push(chunk);
    else this.#handlers.onData(chunk);
  }

  #readUnread(): void {
    while (!this.#paused && !this.#closed && this.#unread.length > 0) {
      this.#handlers?.onData(this.#unread.shift() as Buffer);
    }
  }

  drained(): void {
    this.#handlers?.onDrain();
  }

  /** Closed by either end; the broker hears of it on a later turn. */
  closeFromClient(hadError: boolean): void {
    this.#close(hadError);
  }

  #close(hadError: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.closedByPeer();
    setImmediate(() => this.#handlers?.onClose(hadError));
  }
}

/** The client's side: send packets or raw bytes, await decoded replies. */
export class MemoryClient {
  /** Packets received and not yet taken by `next()`. */
  readonly received: Packet[] = [];
  /** Set if the broker sent bytes this end could not decode. */
  decodeError: Error | undefined = undefined;
  #transport: MemoryTransport | undefined;
  #decoder: PacketDecoder;
  #waiters: Array<{ resolve: (p: Packet) => void; reject: (e: Error) => void }> = [];
  #paused = false;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #closed = false;

  constructor() {
    this.#decoder = new PacketDecoder((p) => this.#onPacket(p), { side: 'client' });
  }

  attach(transport: MemoryTransport): void {
    this.#transport = transport;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes held back while paused, as a socket's send buffer would. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** The protocol version used to encode and decode; CONNECT sets it. */
  get version(): ProtocolVersion {
    return this.#decoder.version;
  }

  set version(v: ProtocolVersion) {
    this.#decoder.version = v;
  }

  send(packet: Packet): void {
    if (packet.type === PacketType.Connect) this.version = packet.protocolVersion;
    this.sendRaw(encode(packet, this.version));
  }

  sendRaw(bytes: Buffer): void {
    this.#transport?.deliver(bytes);
  }

  /** The next packet from the broker; rejects if the connection closes. */
  next(timeoutMs = 1000): Promise<Packet> {
    const p = this.received.shift();
    if (p !== undefined) return Promise.resolve(p);
    if (this.#closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error(`no packet within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        resolve: (pk: Packet) => {
          clearTimeout(timer);
          resolve(pk);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Resolves once the broker has closed the connection. */
  async waitClosed(timeoutMs = 1000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.#closed) {
      if (Date.now() > until) throw new Error('connection still open');
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Stops reading, as a slow client does; bytes pile up in the transport. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const chunk of pending) this.#decode(chunk);
    this.#transport?.drained();
  }

  /** Drops the connection without DISCONNECT, as a network failure does. */
  close(hadError = false): void {
    this.#transport?.closeFromClient(hadError);
  }

  receive(data: Buffer): void {
    if (this.#paused) {
      this.#pending.push(data);
      this.#pendingBytes += data.length;
      return;
    }
    this.#decode(data);
  }

  closedByPeer(): void {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.reject(new Error('connection closed'));
  }

  #decode(data: Buffer): void {
    try {
      this.#decoder.feed(data);
    } catch (err) {
      this.decodeError = err as Error;
    }
  }

  #onPacket(packet: Packet): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve(packet);
    else this.received.push(packet);
  }
}
