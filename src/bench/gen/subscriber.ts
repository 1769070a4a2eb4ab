/**
 * A subscribing client: acknowledges what it receives, checks every
 * message's stamp (loss, duplicates, order, routing) and, when asked,
 * records latency. Deliveries are counted here, at the receiving end,
 * which is what a throughput figure means.
 */
import { PacketType, type QoS } from '../../protocol/index.js';
import { Histogram } from '../hdr.js';
import { Counter } from './counters.js';
import { type ClientOptions, RawClient } from './raw-client.js';
import { SeqTracker } from './seq-tracker.js';

const maxPublishers = 1 << 20;

export interface SubscriberSpec {
  clientId: string;
  filters: string[];
  qos: QoS;
  /**
   * Global topic indexes this subscriber should receive, as a string of
   * '0'/'1' flags (cheap to post to a worker); '' = accept any.
   */
  topicMask: string;
  /** Record send-to-receive latency (publisher on the same worker). */
  latency: boolean;
}

export interface SubscriberReport {
  clientId: string;
  received: number;
  /** Distinct messages per publisher index. */
  distinct: Record<number, number>;
  duplicates: number;
  reordered: number;
  unexpected: number;
  /** Wall-clock ms of the first and last delivery. */
  firstAt: number;
  lastAt: number;
  error: string | null;
}

export class Subscriber extends RawClient {
  readonly spec: SubscriberSpec;
  received = 0;
  unexpected = 0;
  firstAt = 0;
  lastAt = 0;
  readonly histogram: Histogram | null;
  recording = false;
  readonly #trackers: SeqTracker[] = [];
  readonly #mask: Uint8Array | null;
  #nowUs = 0;
  #chunkCount = 0;

  constructor(spec: SubscriberSpec, options: Omit<ClientOptions, 'clientId'>) {
    super({ ...options, clientId: spec.clientId });
    this.spec = spec;
    this.histogram = spec.latency ? new Histogram() : null;
    this.#mask = spec.topicMask === '' ? null : Buffer.from(spec.topicMask, 'latin1');
  }

  override onPublish(flags: number, packetId: number, buf: Buffer, at: number): void {
    const publisher = buf.readUInt32LE(at);
    const topic = buf.readUInt32LE(at + 8);
    if (publisher >= maxPublishers) {
      // Not a stamp the generator wrote: count it, do not index by it.
      this.unexpected++;
      this.#chunkCount++;
      return;
    }
    let tracker = this.#trackers[publisher];
    if (tracker === undefined) {
      tracker = new SeqTracker();
      this.#trackers[publisher] = tracker;
    }
    tracker.record(buf.readUInt32LE(at + 4));
    // '1' is 0x31: the mask holds the flag characters as bytes.
    if (this.#mask !== null && this.#mask[topic] !== 0x31) this.unexpected++;
    if (this.recording) {
      this.histogram!.record((this.#nowUs - buf.readUInt32LE(at + 12)) >>> 0);
    }
    this.#chunkCount++;
    const qos = (flags >> 1) & 3;
    if (qos === 1) this.acks.push(PacketType.Puback, packetId);
    else if (qos === 2) this.acks.push(PacketType.Pubrec, packetId);
  }

  override onAck(type: number, packetId: number): void {
    if (type === PacketType.Pubrel) this.acks.push(PacketType.Pubcomp, packetId);
  }

  protected override beforeChunk(): void {
    if (this.histogram !== null) this.#nowUs = Math.round(performance.now() * 1000) >>> 0;
  }

  protected override afterChunk(): void {
    const n = this.#chunkCount;
    if (n === 0) return;
    this.#chunkCount = 0;
    this.received += n;
    this.options.counters[Counter.Delivered]! += n;
    const now = performance.timeOrigin + performance.now();
    if (this.firstAt === 0) this.firstAt = now;
    this.lastAt = now;
  }

  /** Distinct messages so far, over all publishers. */
  distinct(): number {
    let n = 0;
    for (const t of this.#trackers) if (t) n += t.distinct;
    return n;
  }

  report(): SubscriberReport {
    const distinct: Record<number, number> = {};
    let duplicates = 0;
    let reordered = 0;
    this.#trackers.forEach((t, publisher) => {
      distinct[publisher] = t.distinct;
      duplicates += t.duplicates;
      reordered += t.reordered;
    });
    return {
      clientId: this.spec.clientId,
      received: this.received,
      distinct,
      duplicates,
      reordered,
      unexpected: this.unexpected,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      error: this.error,
    };
  }
}
