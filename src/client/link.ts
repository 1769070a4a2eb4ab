/**
 * A Link is one open byte pipe to the server: a socket (TCP, TLS, Unix,
 * through a proxy or not) or a WebSocket. The client writes packets to it
 * and gets chunks back through {@link LinkHandlers}.
 *
 * Write batching, shared with the broker (src/io/write-batch.ts): the
 * first write in a turn of the event loop queues the link, and one flush
 * per turn empties every queued link. A socket is corked meanwhile, so a
 * burst of packets becomes one system call; a WebSocket gets one frame.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { type Flushable, scheduleFlush } from '../io/write-batch.js';

export interface LinkHandlers {
  onData(chunk: Buffer): void;
  /** The link closed; `error` is what broke it, if anything did. */
  onClose(error?: Error): void;
  /** The transport's buffer emptied after having been over its limit. */
  onDrain(): void;
}

export interface Link {
  /** Queues bytes; they leave at the end of this turn of the event loop. */
  write(data: Buffer): void;
  /** True while the transport buffers more than it wants to. */
  readonly congested: boolean;
  /** Flushes, then closes gracefully. */
  end(): void;
  /** Closes at once, dropping anything unsent. */
  destroy(): void;
  start(handlers: LinkHandlers): void;
}

/** A Node stream socket: net.Socket, tls.TLSSocket or a Unix socket. */
export class SocketLink implements Link, Flushable {
  readonly #socket: Socket;
  #corked = false;
  #closed = false;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  get congested(): boolean {
    return this.#socket.writableNeedDrain;
  }

  start(handlers: LinkHandlers): void {
    const socket = this.#socket;
    let failure: Error | undefined;
    socket.on('data', handlers.onData);
    socket.on('drain', handlers.onDrain);
    socket.on('error', (err) => {
      failure = err;
    });
    socket.once('close', () => {
      this.#closed = true;
      handlers.onClose(failure);
    });
    // A proxy handshake may have paused the socket.
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

  flush(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  }

  end(): void {
    if (this.#closed) return;
    this.flush();
    this.#socket.end();
    // A server that never closes its side must not hold the socket open.
    setTimeout(() => this.#socket.destroy(), 2000).unref();
  }

  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }
}

/** A WebSocket: each flush sends the turn's packets as one binary frame. */
export class WebSocketLink implements Link, Flushable {
  readonly #ws: WebSocket;
  #pending: Buffer[] = [];
  #closed = false;
  #handlers?: LinkHandlers;

  constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  get congested(): boolean {
    return this.#ws.bufferedAmount > 65536;
  }

  start(handlers: LinkHandlers): void {
    const ws = this.#ws;
    this.#handlers = handlers;
    let failure: Error | undefined;
    ws.on('message', (data: Buffer | Buffer[] | ArrayBuffer) => {
      handlers.onData(toBuffer(data));
    });
    ws.on('error', (err) => {
      failure = err;
    });
    ws.once('close', () => {
      this.#closed = true;
      handlers.onClose(failure);
    });
  }

  write(data: Buffer): void {
    if (this.#closed) return;
    if (this.#pending.length === 0) scheduleFlush(this);
    this.#pending.push(data);
  }

  flush(): void {
    const pending = this.#pending;
    if (pending.length === 0 || this.#closed) return;
    this.#pending = [];
    const frame = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    this.#ws.send(frame, { binary: true }, this.#afterSend);
  }

  /** ws has no 'drain': each sent frame is a chance that it drained. */
  readonly #afterSend = (): void => {
    if (!this.congested) this.#handlers?.onDrain();
  };

  end(): void {
    if (this.#closed) return;
    this.flush();
    this.#ws.close(1000);
    setTimeout(() => this.#ws.terminate(), 2000).unref();
  }

  destroy(): void {
    this.#closed = true;
    this.#ws.terminate();
  }
}

function toBuffer(data: Buffer | Buffer[] | ArrayBuffer): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
