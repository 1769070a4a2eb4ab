/**
 * The in-process pipe between a bridge and its local broker: the broker
 * sees an ordinary Transport, the bridge gets decoded packets.
 *
 * Bytes the broker writes are decoded on a microtask, never inside the
 * broker's own call: a bridge that answers a packet at once (PUBCOMP for
 * a PUBREL) must not re-enter the broker while it is still routing.
 */
import type { Transport, TransportHandlers } from '../broker/index.js';
import { encode, type Packet, PacketDecoder } from '../protocol/index.js';

export interface LinkEnd {
  onPacket(packet: Packet): void;
  /** The link closed, whichever side closed it. Called once. */
  onClose(): void;
}

export class LinkTransport implements Transport {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 0;
  readonly bufferedBytes = 0;
  readonly #end: LinkEnd;
  readonly #decoder: PacketDecoder;
  #handlers: TransportHandlers | undefined;
  #early: Buffer[] = [];
  #inbox: Buffer[] = [];
  #scheduled = false;
  #closed = false;

  constructor(end: LinkEnd) {
    this.#end = end;
    this.#decoder = new PacketDecoder((p) => this.#end.onPacket(p), {
      side: 'client',
      version: 5,
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  // --- the broker's side ---

  start(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) handlers.onData(chunk);
  }

  write(data: Buffer): void {
    if (this.#closed) return;
    this.#inbox.push(data);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#drainInbox());
  }

  end(): void {
    this.close();
  }

  destroy(): void {
    this.close();
  }

  // --- the bridge's side ---

  /** Sends a packet to the broker (MQTT 5 encoding). */
  send(packet: Packet): void {
    if (this.#closed) return;
    const bytes = encode(packet, 5);
    if (this.#handlers === undefined) this.#early.push(bytes);
    else this.#handlers.onData(bytes);
  }

  /** Closes without DISCONNECT; both ends hear of it on a later turn. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    setImmediate(() => {
      this.#handlers?.onClose(false);
      this.#end.onClose();
    });
  }

  #drainInbox(): void {
    this.#scheduled = false;
    const chunks = this.#inbox;
    this.#inbox = [];
    try {
      for (const chunk of chunks) this.#decoder.feed(chunk);
    } catch {
      // The broker's own encoder produced bytes we cannot read: a bug in
      // one of the two. Dropping the link makes the bridge reconnect.
      this.close();
    }
  }
}
