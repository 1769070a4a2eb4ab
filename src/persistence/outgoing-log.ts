/**
 * The outgoing log: how the SQLite store saves the message path.
 *
 * A message to a persistent session usually lives for one round trip: it
 * is saved, sent, acknowledged and forgotten within milliseconds. As rows
 * of a table that costs a B-tree insert and delete per message, each with
 * a 16-column record, and every commit rewrites the table pages at both
 * ends (the new rows and the deleted ones). Instead, each commit appends
 * the turn's outgoing changes as one blob of compact records to the `log`
 * table: one row per commit, however many messages. From time to time the
 * store *folds* the log: it replays it, writes the messages still alive
 * into `outgoing` and empties the log, in one transaction. Most messages
 * were inserted and removed within the log and never reach `outgoing`.
 *
 * Records, little-endian; strings as u16 length + UTF-8, blobs as u32
 * length + bytes:
 *
 *   MESSAGE key:f64 qos:u8 retain:u8 expiresAt:f64 topic origin payload
 *           properties (blob; length 0 = none)
 *   OUT     seq:f64 back:u32 qos:u8 retain:u8 state:u8 sent:u8
 *           packetId:u16 clientId ids:u16 (then ids × u32)
 *   UPDATE  seq:f64 packetId:u16 state:u8 sent:u8
 *   REMOVE  seq:f64
 *
 * An OUT points `back` bytes to its MESSAGE, earlier in the same blob and
 * written once per blob however many sessions share the message; so
 * records keep their meaning wherever the blob is copied.
 */
import type { OutgoingState } from '../broker/index.js';
import type { QoS } from '../protocol/index.js';
import { decodeProperties, encodeProperties } from './codec.js';
import type { Batch, OutgoingRow, SavedMessage } from './store.js';

/** Record tags. */
export const MESSAGE = 1;
export const OUT = 2;
export const UPDATE = 3;
export const REMOVE = 4;

/** A log blob buffer above this size is not kept for the next commit. */
const KEEP_BYTES = 1 << 20;

/** Encodes the outgoing part of a batch; one reused buffer. */
export class LogWriter {
  #buf = Buffer.allocUnsafe(16 * 1024);
  #pos = 0;
  /**
   * The last MESSAGE record written to this blob. The copies of a message
   * routed to many sessions are noted one after another, so this shares
   * the message among them without a map per commit.
   */
  #lastKey = 0;
  #lastAt = 0;

  /**
   * The outgoing changes of `b` as one blob (valid until the next call),
   * or undefined when it has none. Removals come first, as in a batch.
   */
  encode(b: Batch): Buffer | undefined {
    if (b.removedOutgoing.length + b.outgoing.length + b.outgoingUpdates.length === 0) {
      return undefined;
    }
    if (this.#buf.length > KEEP_BYTES) this.#buf = Buffer.allocUnsafe(16 * 1024);
    this.#pos = 0;
    this.#lastKey = 0;
    for (const seq of b.removedOutgoing) this.#remove(seq);
    for (const o of b.outgoing) this.#out(o);
    for (const o of b.outgoingUpdates) this.#update(o);
    return this.#buf.subarray(0, this.#pos);
  }

  #remove(seq: number): void {
    this.#room(9);
    this.#buf[this.#pos] = REMOVE;
    this.#buf.writeDoubleLE(seq, this.#pos + 1);
    this.#pos += 9;
  }

  #update(o: OutgoingRow): void {
    this.#room(13);
    const buf = this.#buf;
    const p = this.#pos;
    buf[p] = UPDATE;
    buf.writeDoubleLE(o.seq, p + 1);
    buf.writeUInt16LE(o.packetId, p + 9);
    buf[p + 11] = o.state;
    buf[p + 12] = o.sent ? 1 : 0;
    this.#pos = p + 13;
  }

  #out(o: OutgoingRow): void {
    if (o.messageKey !== this.#lastKey || this.#lastKey === 0) {
      this.#lastKey = o.messageKey;
      this.#lastAt = this.#pos;
      this.#message(o.messageKey, o.message);
    }
    const at = this.#lastAt;
    const ids = o.subscriptionIds;
    const count = ids === undefined ? 0 : ids.length;
    this.#room(21 + 4 * count);
    const buf = this.#buf;
    const p = this.#pos;
    buf[p] = OUT;
    buf.writeDoubleLE(o.seq, p + 1);
    buf.writeUInt32LE(p - at, p + 9);
    buf[p + 13] = o.qos;
    buf[p + 14] = o.retain ? 1 : 0;
    buf[p + 15] = o.state;
    buf[p + 16] = o.sent ? 1 : 0;
    buf.writeUInt16LE(o.packetId, p + 17);
    this.#pos = p + 19;
    this.#string(o.clientId);
    this.#room(2 + 4 * count);
    this.#buf.writeUInt16LE(count, this.#pos);
    this.#pos += 2;
    for (let i = 0; i < count; i++) {
      this.#buf.writeUInt32LE((ids as number[])[i] as number, this.#pos);
      this.#pos += 4;
    }
  }

  #message(key: number, m: SavedMessage): void {
    this.#room(19);
    const buf = this.#buf;
    const p = this.#pos;
    buf[p] = MESSAGE;
    buf.writeDoubleLE(key, p + 1);
    buf[p + 9] = m.qos;
    buf[p + 10] = m.retain ? 1 : 0;
    buf.writeDoubleLE(m.expiresAt, p + 11);
    this.#pos = p + 19;
    this.#string(m.topic);
    this.#string(m.origin);
    this.#blob(m.payload);
    this.#blob(encodeProperties(m.properties));
  }

  #string(s: string): void {
    // At most 3 bytes per UTF-16 unit; the exact length comes from write.
    this.#room(2 + 3 * s.length);
    const buf = this.#buf;
    const start = this.#pos + 2;
    let n = asciiInto(buf, start, s);
    if (n < 0) n = buf.write(s, start);
    buf.writeUInt16LE(n, this.#pos);
    this.#pos = start + n;
  }

  #blob(b: Buffer | null): void {
    const n = b === null ? 0 : b.length;
    this.#room(4 + n);
    this.#buf.writeUInt32LE(n, this.#pos);
    if (b !== null) b.copy(this.#buf, this.#pos + 4);
    this.#pos += 4 + n;
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.#buf.length, this.#pos + n));
    this.#buf.copy(bigger, 0, 0, this.#pos);
    this.#buf = bigger;
  }
}

/**
 * Copies a short ASCII string byte by byte, cheaper than a call into the
 * native UTF-8 encoder for client ids and topics; -1 for any other string.
 */
function asciiInto(buf: Buffer, at: number, s: string): number {
  const n = s.length;
  if (n > 64) return -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    buf[at + i] = c;
  }
  return n;
}

/** The offset after the MESSAGE record at `p`. */
export function skipMessage(blob: Buffer, p: number): number {
  p += 19;
  p += 2 + blob.readUInt16LE(p);
  p += 2 + blob.readUInt16LE(p);
  p += 4 + blob.readUInt32LE(p);
  return p + 4 + blob.readUInt32LE(p);
}

/** The row whose OUT record is at `at`, with the state written there. */
export function decodeOut(
  seq: number,
  blob: Buffer,
  at: number,
  messages: Map<number, { key: number; message: SavedMessage }>,
): OutgoingRow {
  const messageAt = at - blob.readUInt32LE(at + 9);
  const m = messageIn(blob, messageAt, messages);
  const clientLength = blob.readUInt16LE(at + 19);
  const clientId = blob.toString('utf8', at + 21, at + 21 + clientLength);
  const idsAt = at + 21 + clientLength;
  const count = blob.readUInt16LE(idsAt);
  let subscriptionIds: number[] | undefined;
  if (count > 0) {
    subscriptionIds = [];
    for (let i = 0; i < count; i++) {
      subscriptionIds.push(blob.readUInt32LE(idsAt + 2 + 4 * i));
    }
  }
  return {
    seq,
    clientId,
    messageKey: m.key,
    message: m.message,
    qos: blob[at + 13] as QoS,
    retain: blob[at + 14] === 1,
    subscriptionIds,
    packetId: blob.readUInt16LE(at + 17),
    state: blob[at + 15] as OutgoingState,
    sent: blob[at + 16] === 1,
  };
}

/** The message at `p`, decoded once per blob and shared by its rows. */
function messageIn(
  blob: Buffer,
  p: number,
  messages: Map<number, { key: number; message: SavedMessage }>,
): { key: number; message: SavedMessage } {
  const key = blob.readDoubleLE(p + 1);
  const known = messages.get(key);
  if (known !== undefined) return known;
  const qos = blob[p + 9] as QoS;
  const retain = blob[p + 10] === 1;
  const expiresAt = blob.readDoubleLE(p + 11);
  let q = p + 19;
  const topic = readString(blob, q);
  q += 2 + blob.readUInt16LE(q);
  const origin = readString(blob, q);
  q += 2 + blob.readUInt16LE(q);
  const payloadLength = blob.readUInt32LE(q);
  // A copy: the blob holds many messages, most of them gone.
  const payload = Buffer.from(blob.subarray(q + 4, q + 4 + payloadLength));
  q += 4 + payloadLength;
  const propsLength = blob.readUInt32LE(q);
  const properties = decodeProperties(blob.subarray(q + 4, q + 4 + propsLength));
  const message = { topic, payload, qos, retain, properties, expiresAt, origin };
  const entry = { key, message };
  messages.set(key, entry);
  return entry;
}

function readString(blob: Buffer, p: number): string {
  return blob.toString('utf8', p + 2, p + 2 + blob.readUInt16LE(p));
}
