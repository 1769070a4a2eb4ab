/**
 * Connection-level load: a storm of short-lived connections (CONNECT,
 * CONNACK, DISCONNECT, again) and a fleet of idle ones held open. Both
 * spread their source addresses over 127.0.0.0/8 so that a long run does
 * not run out of ephemeral ports on one address.
 */
import type { ProtocolVersion } from '../../protocol/index.js';
import { RawClient } from './raw-client.js';

export interface ConnLoadSpec {
  port: number;
  version: ProtocolVersion;
  /** Connections being set up at once. */
  concurrency: number;
  /** Client id prefix, unique per worker and run. */
  prefix: string;
  counters: Float64Array;
}

const sourceAddresses = 32;
let nextSource = 0;

function sourceAddress(): string {
  nextSource = (nextSource + 1) % sourceAddresses;
  return `127.0.0.${nextSource + 1}`;
}

function client(spec: ConnLoadSpec, n: number): RawClient {
  return new RawClient({
    port: spec.port,
    version: spec.version,
    counters: spec.counters,
    clientId: `${spec.prefix}${n}`,
    localAddress: sourceAddress(),
  });
}

export class ConnectionStorm {
  readonly #spec: ConnLoadSpec;
  #running = false;
  #made = 0;
  completed = 0;
  failed = 0;
  firstError: string | null = null;
  readonly #loops: Promise<void>[] = [];
  readonly #closing = new Set<Promise<void>>();

  constructor(spec: ConnLoadSpec) {
    this.#spec = spec;
  }

  start(): void {
    this.#running = true;
    for (let i = 0; i < this.#spec.concurrency; i++) this.#loops.push(this.#loop());
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    await Promise.all(this.#closing);
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const c = client(this.#spec, this.#made++);
      try {
        await c.handshake();
        this.completed++;
        // The next connection starts while this one closes; the number
        // closing at once is bounded so that sockets do not pile up.
        const closing = c.disconnect();
        this.#closing.add(closing);
        void closing.finally(() => this.#closing.delete(closing));
        if (this.#closing.size > this.#spec.concurrency * 4) {
          await Promise.race(this.#closing);
        }
      } catch (error) {
        this.failed++;
        this.firstError ??= (error as Error).message;
        c.socket.destroy();
        // A refused connection must not become a busy loop.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }
}

export class IdleFleet {
  readonly #spec: ConnLoadSpec;
  readonly #clients: RawClient[] = [];
  failed = 0;
  firstError: string | null = null;

  constructor(spec: ConnLoadSpec) {
    this.#spec = spec;
  }

  get open(): number {
    return this.#clients.filter((c) => !c.closed).length;
  }

  /** Opens `count` more connections, `concurrency` handshakes at a time. */
  async grow(count: number): Promise<void> {
    let next = 0;
    const loop = async () => {
      while (next < count) {
        next++;
        const c = client(this.#spec, this.#clients.length);
        this.#clients.push(c);
        try {
          await c.handshake(0);
        } catch (error) {
          this.failed++;
          this.firstError ??= (error as Error).message;
        }
      }
    };
    const loops = [];
    for (let i = 0; i < Math.min(this.#spec.concurrency, count); i++) loops.push(loop());
    await Promise.all(loops);
  }

  /** Drops every connection with a reset, leaving no TIME_WAIT behind. */
  close(): void {
    for (const c of this.#clients) c.socket.resetAndDestroy();
    this.#clients.length = 0;
  }
}
