/**
 * What the broker tells a persistence layer (src/persistence), and how it
 * keeps its output back until the state behind that output is durable.
 *
 * The core calls the observer at each change of saved state: a session
 * starting, resuming or ending, a subscription, an outgoing message queued,
 * sent, advanced or finished, an incoming QoS 2 message held or released,
 * a retained message set or cleared. Each call only notes what changed;
 * the observer writes the changes in one batch per turn of the event loop.
 *
 * Output: a PUBACK, PUBREC or PUBCOMP tells a publisher the broker now owns
 * its message, and a QoS 2 PUBLISH or PUBREL to a subscriber fixes a packet
 * identifier the subscriber will hold the broker to. Neither may reach the
 * network before the state it reflects is saved, or a crash in between
 * loses an acknowledged message or delivers one twice. So while changes
 * wait (`holding`), every byte the broker writes waits too, in order, and
 * the observer lets it go (`release`) once its batch is committed. Writes
 * made while nothing waits go straight through.
 */
import type { OutgoingMessage, StoredMessage } from './message.js';
import type { Session } from './session.js';
import type { Transport, TransportHandlers, TransportIdentity } from './transport.js';

export interface StateObserver {
  /** Started, resumed, expiry or pending will changed, or ended. */
  sessionChanged(session: Session): void;
  /** Added, replaced or removed; `key` as in `session.subscriptions`. */
  subscriptionChanged(session: Session, key: string): void;
  /** Queued, sent or advanced to PUBREL. */
  outgoingChanged(session: Session, out: OutgoingMessage): void;
  /** Completed, expired or dropped. */
  outgoingRemoved(session: Session, out: OutgoingMessage): void;
  /** An entry of `session.incomingQos2` set or deleted. */
  incomingChanged(session: Session, packetId: number): void;
  /** Retained message set, or cleared (null). */
  retainedChanged(topic: string, message: StoredMessage | null): void;
}

/** Marks the end of a connection in the held output. */
const END = null;

/**
 * Holds the output of every connection while `holding` is true. Items are
 * kept flat as (transport, bytes-or-END) pairs, in the order written.
 */
export class OutputGate {
  /** Set by the persistence layer while changes wait to be committed. */
  holding = false;
  #items: Array<GatedTransport | Buffer | null> = [];
  /** Items released since the start, so marks stay valid across releases. */
  #released = 0;

  wrap(transport: Transport): Transport {
    return new GatedTransport(transport, this);
  }

  /** A mark after everything held so far: what a commit started now covers. */
  get mark(): number {
    return this.#released + this.#items.length;
  }

  /** Sends what was held before `mark` (everything by default), in order. */
  release(mark: number = this.mark): void {
    const n = Math.min(mark - this.#released, this.#items.length);
    if (n <= 0) return;
    const items = this.#items;
    this.#items = n === items.length ? [] : items.slice(n);
    this.#released += n;
    const touched: GatedTransport[] = [];
    for (let i = 0; i < n; i += 2) {
      const t = items[i] as GatedTransport;
      if (t.unhold(items[i + 1] as Buffer | null)) touched.push(t);
    }
    // The turn's own flush has usually run by now: without this the bytes
    // would wait one more turn of the event loop.
    for (const t of touched) t.flush();
  }

  hold(transport: GatedTransport, data: Buffer | null): void {
    this.#items.push(transport, data);
  }
}

class GatedTransport implements Transport {
  readonly #inner: Transport;
  readonly #gate: OutputGate;
  #held = 0;
  #heldBytes = 0;
  #ended = false;
  #destroyed = false;

  readonly pausable: boolean;

  constructor(inner: Transport, gate: OutputGate) {
    this.#inner = inner;
    this.#gate = gate;
    this.pausable = inner.pausable ?? inner.pause !== undefined;
  }

  get remoteAddress(): string {
    return this.#inner.remoteAddress;
  }

  get remotePort(): number {
    return this.#inner.remotePort;
  }

  get bufferedBytes(): number {
    return this.#inner.bufferedBytes + this.#heldBytes;
  }

  get encrypted(): boolean | undefined {
    return this.#inner.encrypted;
  }

  get identity(): TransportIdentity | undefined {
    return this.#inner.identity;
  }

  start(handlers: TransportHandlers): void {
    this.#inner.start(handlers);
  }

  write(data: Buffer): void {
    if (this.#ended) return;
    if (this.#held === 0 && !this.#gate.holding) {
      this.#inner.write(data);
      return;
    }
    this.#held++;
    this.#heldBytes += data.length;
    this.#gate.hold(this, data);
  }

  /** Ends after what is held, so a last packet (DISCONNECT) still goes. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#held === 0) {
      this.#inner.end();
      return;
    }
    this.#held++;
    this.#gate.hold(this, END);
  }

  destroy(): void {
    this.#ended = true;
    this.#destroyed = true;
    this.#inner.destroy();
  }

  /**
   * One held item, handed on by the gate. Returns true for the last held
   * write of a transport still open, which the gate then flushes.
   */
  unhold(data: Buffer | null): boolean {
    this.#held--;
    if (this.#destroyed) return false;
    if (data === END) {
      this.#inner.end();
      return false;
    }
    this.#heldBytes -= data.length;
    this.#inner.write(data);
    return this.#held === 0 && !this.#ended;
  }

  pause(): void {
    this.#inner.pause?.();
  }

  resume(): void {
    this.#inner.resume?.();
  }

  flush(): void {
    this.#inner.flush?.();
  }
}
