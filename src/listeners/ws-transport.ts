/**
 * Adapts a WebSocket (the `ws` package) to the broker's Transport.
 *
 * MQTT over WebSockets carries the byte stream in binary frames, and a
 * frame may hold several packets or part of one [MQTT-6.0.0-2], so the
 * writes of one turn of the event loop go out as a single frame, flushed
 * by the shared per-turn flush (./write-batch.ts).
 */
import type { WebSocket } from 'ws';
import type {
  Transport,
  TransportHandlers,
  TransportIdentity,
} from '../broker/transport.js';
import { scheduleFlush } from '../io/write-batch.js';
import type { PeerInfo } from './socket-transport.js';

/** Close code for a text frame: MQTT allows binary frames only. */
const UNSUPPORTED_DATA = 1003;
/** Close code ws reports when the connection dropped without a close frame. */
const ABNORMAL_CLOSURE = 1006;

export class WebSocketTransport implements Transport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly encrypted: boolean;
  readonly identity: TransportIdentity | undefined;
  #ws: WebSocket;
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  #scheduled = false;
  #closed = false;
  #errored = false;
  #handlers: TransportHandlers | undefined;
  readonly #afterSend = (): void => this.#onSent();

  constructor(ws: WebSocket, peer: PeerInfo) {
    this.#ws = ws;
    this.remoteAddress = peer.remoteAddress;
    this.remotePort = peer.remotePort;
    this.encrypted = peer.encrypted ?? false;
    this.identity = peer.identity;
  }

  get bufferedBytes(): number {
    return this.#queuedBytes + this.#ws.bufferedAmount;
  }

  start(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    const ws = this.#ws;
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      // Any other frame type closes the connection [MQTT-6.0.0-1].
      if (!isBinary) {
        ws.close(UNSUPPORTED_DATA);
        return;
      }
      handlers.onData(data);
    });
    ws.on('error', () => {
      this.#errored = true;
    });
    ws.once('close', (code: number) => {
      this.#closed = true;
      handlers.onClose(this.#errored || code === ABNORMAL_CLOSURE);
    });
  }

  write(data: Buffer): void {
    if (this.#closed) return;
    this.#queue.push(data);
    this.#queuedBytes += data.length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      scheduleFlush(this);
    }
  }

  /** Called by the shared flush; public for that alone. */
  flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    if (queue.length === 0 || this.#closed) return;
    const frame =
      queue.length === 1 ? queue[0]! : Buffer.concat(queue, this.#queuedBytes);
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#ws.send(frame, { binary: true }, this.#afterSend);
  }

  pause(): void {
    this.#ws.pause();
  }

  resume(): void {
    if (!this.#closed) this.#ws.resume();
  }

  end(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    // ws destroys the socket itself if the peer never answers the close.
    this.#ws.close(1000);
  }

  destroy(): void {
    this.#closed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#ws.terminate();
  }

  #onSent(): void {
    if (this.bufferedBytes === 0) this.#handlers?.onDrain();
  }
}
