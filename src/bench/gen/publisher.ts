/**
 * A publishing client: open loop (as fast as the socket takes bytes), at a
 * fixed rate, or a fixed count. QoS 1/2 publishing keeps at most `window`
 * messages unacknowledged (and never more than the broker's 5.0 Receive
 * Maximum), the way a real client bounds its in-flight set.
 */
import { PacketType } from '../../protocol/index.js';
import { Batch, type BatchShape } from './batch.js';
import { Counter } from './counters.js';
import { type ClientOptions, RawClient } from './raw-client.js';

export interface PublisherSpec extends Omit<BatchShape, 'version'> {
  clientId: string;
  /** Unacknowledged QoS 1/2 messages allowed (at most 65535). */
  window: number;
  /** Messages per second; 0 = as fast as possible. */
  rate: number;
  /** Stop after this many messages; 0 = until told. */
  count: number;
}

/** Buffered bytes above which the pump waits for 'drain'. */
const highWater = 512 * 1024;
const poolSize = 8;
/** Writes per pump call before yielding to the event loop. */
const writesPerTurn = 16;

export class Publisher extends RawClient {
  readonly spec: PublisherSpec;
  sent = 0;
  acked = 0;
  /** Acks for packet ids that were not in flight: a broker fault. */
  strayAcks = 0;
  readonly sentPerTopic: Float64Array;
  readonly #pool: Batch[] = [];
  readonly #release: (() => void)[] = [];
  readonly #inflight = new Uint8Array(65536);
  #inflightCount = 0;
  #nextId = 1;
  /** Next slot to send, in every batch. */
  #cursor = 0;
  #running = false;
  #scheduled = false;
  #startedAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #idle: (() => void) | null = null;
  readonly #pumpNow = () => this.#pump();

  constructor(spec: PublisherSpec, options: Omit<ClientOptions, 'clientId'>) {
    super({ ...options, clientId: spec.clientId });
    this.spec = spec;
    this.sentPerTopic = new Float64Array(spec.topics.length);
    const shape = { ...spec, version: options.version };
    for (let i = 0; i < poolSize; i++) {
      const batch = new Batch(shape);
      this.#pool.push(batch);
      this.#release.push(() => {
        batch.busy = false;
        this.#schedule();
      });
    }
    this.socket.on('drain', this.#pumpNow);
  }

  start(): void {
    this.#running = true;
    this.#startedAt = performance.now();
    if (this.spec.rate > 0) this.#timer = setInterval(this.#pumpNow, 1);
    this.#schedule();
  }

  /** Stops sending; resolves once every QoS 1/2 flow is complete. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.#halt();
    await this.whenIdle(timeoutMs);
  }

  /** Resolves when nothing is in flight and sending has ended. */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#idle = done;
    });
  }

  override onAck(type: number, packetId: number): void {
    if (type === PacketType.Pubrec) {
      this.acks.push(PacketType.Pubrel, packetId);
      return;
    }
    const done = this.spec.qos === 1 ? PacketType.Puback : PacketType.Pubcomp;
    if (type !== done || this.#inflight[packetId] !== 1) {
      this.strayAcks++;
      return;
    }
    this.#inflight[packetId] = 0;
    this.#inflightCount--;
    this.acked++;
    this.options.counters[Counter.Acked]!++;
    if (this.#running) this.#schedule();
    else this.#checkIdle();
  }

  protected override onClose(): void {
    this.#halt();
    this.#checkIdle();
  }

  #checkIdle(): void {
    const idle = this.#idle;
    if (idle === null || !this.#isIdle()) return;
    this.#idle = null;
    idle();
  }

  #isIdle(): boolean {
    return !this.#running && (this.#inflightCount === 0 || this.closed);
  }

  #halt(): void {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#scheduled || !this.#running) return;
    this.#scheduled = true;
    setImmediate(this.#pumpNow);
  }

  #pump(): void {
    this.#scheduled = false;
    for (let turn = 0; turn < writesPerTurn; turn++) {
      if (!this.#running || this.closed) return;
      if (this.socket.writableLength > highWater) return;
      const i = this.#freeBatch();
      if (i < 0) return;
      const n = this.#allowance(this.#pool[i]!.slots);
      if (n === 0) return;
      this.#send(i, n);
    }
    this.#schedule();
  }

  /** How many messages may go now, at most `slots`. */
  #allowance(slots: number): number {
    let n = slots;
    const { rate, count, qos, window } = this.spec;
    if (rate > 0) {
      const due = Math.floor((rate * (performance.now() - this.#startedAt)) / 1000);
      n = Math.min(n, due - this.sent);
    }
    if (count > 0) {
      n = Math.min(n, count - this.sent);
      if (n <= 0) {
        this.#halt();
        this.#checkIdle();
      }
    }
    if (qos > 0) {
      n = Math.min(n, Math.min(window, this.receiveMaximum) - this.#inflightCount);
    }
    return Math.max(0, n);
  }

  /**
   * Sends up to `n` slots of batch `i`, from the cursor on. All batches
   * share one layout, so the cursor walks the topics in turn whatever
   * batch is free and however few messages the window allows.
   */
  #send(i: number, n: number): void {
    const batch = this.#pool[i]!;
    const { buf, idAt, stampAt, topicOf, slotEnd } = batch;
    const first = this.#cursor;
    const end = Math.min(first + n, batch.slots);
    const now = Math.round(performance.now() * 1000) >>> 0;
    const perTopic = this.sentPerTopic;
    for (let j = first; j < end; j++) {
      const at = stampAt[j]!;
      buf.writeUInt32LE(this.sent++, at + 4);
      buf.writeUInt32LE(now, at + 12);
      if (idAt[j]! >= 0) buf.writeUInt16BE(this.#takeId(), idAt[j]!);
      perTopic[topicOf[j]!]!++;
    }
    this.#cursor = end === batch.slots ? 0 : end;
    this.options.counters[Counter.Sent]! += end - first;
    batch.busy = true;
    const from = first === 0 ? 0 : slotEnd[first - 1]!;
    this.socket.write(buf.subarray(from, slotEnd[end - 1]!), this.#release[i]);
  }

  #freeBatch(): number {
    for (let i = 0; i < this.#pool.length; i++) if (!this.#pool[i]!.busy) return i;
    return -1;
  }

  #takeId(): number {
    let id = this.#nextId;
    while (this.#inflight[id] === 1) id = id === 65535 ? 1 : id + 1;
    this.#nextId = id === 65535 ? 1 : id + 1;
    this.#inflight[id] = 1;
    this.#inflightCount++;
    return id;
  }
}
