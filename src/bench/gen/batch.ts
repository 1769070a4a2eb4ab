/**
 * A publisher's pre-encoded output: one buffer holding a run of complete
 * PUBLISH packets ("slots"). It is filled once from templates; afterwards
 * sending costs only patching the sequence number, packet id and time
 * stamp of each slot. A batch is not touched again until the socket has
 * taken its bytes (the write callback), since Node keeps a reference to
 * a buffer it could not write at once.
 */
import type { ProtocolVersion, QoS } from '../../protocol/index.js';
import { publishTemplate } from './wire.js';

export interface BatchShape {
  /** Index of this publisher, written into every stamp. */
  publisher: number;
  topics: readonly string[];
  /** Global index of topics[0]; topic i has index topicBase + i. */
  topicBase: number;
  qos: QoS;
  payload: number;
  retain: boolean;
  version: ProtocolVersion;
}

/** Bytes aimed at per batch: large writes, small enough to recycle often. */
const targetBytes = 32 * 1024;

export class Batch {
  readonly buf: Buffer;
  readonly slots: number;
  /** End offset of each slot. */
  readonly slotEnd: Int32Array;
  readonly idAt: Int32Array;
  readonly stampAt: Int32Array;
  /** Local topic index of each slot. */
  readonly topicOf: Int32Array;
  busy = false;

  constructor(shape: BatchShape) {
    const templates = shape.topics.map((topic) =>
      publishTemplate(topic, shape.qos, shape.payload, shape.version, shape.retain),
    );
    const mean = templates.reduce((n, t) => n + t.buf.length, 0) / templates.length;
    const perTarget = Math.max(1, Math.floor(targetBytes / mean));
    // Whole rounds of topics, so that full batches cover them evenly.
    const rounds = Math.max(1, Math.round(perTarget / templates.length));
    this.slots = rounds * templates.length;
    this.slotEnd = new Int32Array(this.slots);
    this.idAt = new Int32Array(this.slots);
    this.stampAt = new Int32Array(this.slots);
    this.topicOf = new Int32Array(this.slots);
    let size = 0;
    for (let j = 0; j < this.slots; j++)
      size += templates[j % templates.length]!.buf.length;
    this.buf = Buffer.alloc(size);
    let at = 0;
    for (let j = 0; j < this.slots; j++) {
      const t = templates[j % templates.length]!;
      t.buf.copy(this.buf, at);
      this.idAt[j] = t.idAt < 0 ? -1 : at + t.idAt;
      this.stampAt[j] = at + t.payloadAt;
      this.topicOf[j] = j % templates.length;
      this.buf.writeUInt32LE(shape.publisher, at + t.payloadAt);
      this.buf.writeUInt32LE(
        shape.topicBase + (j % templates.length),
        at + t.payloadAt + 8,
      );
      at += t.buf.length;
      this.slotEnd[j] = at;
    }
  }
}
