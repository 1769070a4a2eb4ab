/**
 * The outgoing log as the SQLite store holds it in memory between folds:
 * a copy of every blob appended since the last fold, end to end in one
 * buffer (the arena), and an index of the rows those blobs add, change
 * and remove. A fold then needs no read-back: it writes the survivors,
 * decoded from the arena, and the changes to rows of the `outgoing` table.
 *
 * Rows are added with increasing seqs, all above those of the table (the
 * journal numbers them so), so a row added in the log has a slot in two
 * arrays indexed by `seq - first`: no map or object per message. A row
 * added out of that order goes to a map instead.
 */
import type { OutgoingState } from '../broker/index.js';
import { decodeOut, MESSAGE, OUT, REMOVE, skipMessage, UPDATE } from './outgoing-log.js';
import type { OutgoingRow, SavedMessage } from './store.js';

/** A flow state change for a row of the `outgoing` table. */
export interface TableUpdate {
  seq: number;
  packetId: number;
  state: OutgoingState;
  sent: boolean;
}

/** Where a record is in the arena, plus one: 0 means none. */
type Where = number;

/** A seq further than this past the last slot goes to the map. */
const MAX_GAP = 1 << 16;

export class LogIndex {
  /** The room the arena starts with: a blob that does not fit waits for a fold. */
  readonly capacity: number;
  #arena: Buffer;
  #used = 0;
  /** Seq of slot 0; -1 before the first row. */
  #first = -1;
  #slots = 0;
  /** Per slot: its OUT record, and its last UPDATE record. */
  #out = new Float64Array(1024);
  #update = new Float64Array(1024);
  /** Rows added out of seq order: seq -> [OUT, last UPDATE]. */
  readonly #others = new Map<number, [Where, Where]>();
  /** Rows of the table removed, and rows of the table whose state changed. */
  removed: number[] = [];
  updated = new Map<number, TableUpdate>();

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#arena = Buffer.allocUnsafe(capacity);
  }

  /** Nothing since the last fold. */
  get empty(): boolean {
    return this.#used === 0;
  }

  /** Whether `bytes` more fit before a fold. */
  fits(bytes: number): boolean {
    return this.#used + bytes <= this.capacity;
  }

  /** Copies a blob in and indexes its records; throws on a malformed one. */
  add(blob: Buffer): void {
    const start = this.#used;
    const end = start + blob.length;
    if (end > this.#arena.length) this.#grow(end);
    blob.copy(this.#arena, start);
    this.#used = end;
    const a = this.#arena;
    let p = start;
    while (p < end) {
      const tag = a[p];
      if (tag === MESSAGE) p = skipMessage(a, p);
      else if (tag === OUT) p = this.#onOut(a, p);
      else if (tag === UPDATE) p = this.#onUpdate(a, p);
      else if (tag === REMOVE) p = this.#onRemove(a, p);
      else throw new Error(`bad outgoing log record ${tag} at ${p - start}`);
    }
    if (p !== end) throw new Error('truncated outgoing log record');
  }

  /** The rows added in the log and still there, with their last state. */
  rows(): OutgoingRow[] {
    const rows: OutgoingRow[] = [];
    const messages = new Map<number, { key: number; message: SavedMessage }>();
    for (const [seq, [out, update]] of this.#others) {
      rows.push(this.#decode(seq, out, update, messages));
    }
    for (let i = 0; i < this.#slots; i++) {
      const out = this.#out[i] as Where;
      if (out === 0) continue;
      const update = this.#update[i] as Where;
      rows.push(this.#decode(this.#first + i, out, update, messages));
    }
    return rows;
  }

  /** Forgets everything: after a fold has been committed. */
  clear(): void {
    if (this.#arena.length > this.capacity) {
      this.#arena = Buffer.allocUnsafe(this.capacity);
    }
    this.#used = 0;
    this.#out.fill(0, 0, this.#slots);
    this.#update.fill(0, 0, this.#slots);
    this.#first = -1;
    this.#slots = 0;
    this.#others.clear();
    this.removed = [];
    this.updated = new Map();
  }

  #decode(
    seq: number,
    out: Where,
    update: Where,
    messages: Map<number, { key: number; message: SavedMessage }>,
  ): OutgoingRow {
    const a = this.#arena;
    const row = decodeOut(seq, a, out - 1, messages);
    if (update !== 0) {
      const p = update - 1;
      row.packetId = a.readUInt16LE(p + 9);
      row.state = a[p + 11] as OutgoingState;
      row.sent = a[p + 12] === 1;
    }
    return row;
  }

  /** The slot of a seq added in order, or -1. */
  #slot(seq: number): number {
    const i = seq - this.#first;
    return this.#first >= 0 && i >= 0 && i < this.#slots ? i : -1;
  }

  #onOut(a: Buffer, p: number): number {
    const seq = a.readDoubleLE(p + 1);
    if (this.#first < 0) this.#first = seq;
    const i = seq - this.#first;
    const inOrder = i >= 0 && i < this.#slots + MAX_GAP;
    if (inOrder && i >= this.#slots) {
      this.#room(i + 1);
      this.#slots = i + 1;
    }
    if (inOrder) {
      this.#out[i] = p + 1;
      this.#update[i] = 0;
    } else {
      this.#others.set(seq, [p + 1, 0]);
    }
    const idsAt = p + 21 + a.readUInt16LE(p + 19);
    return idsAt + 2 + 4 * a.readUInt16LE(idsAt);
  }

  #onUpdate(a: Buffer, p: number): number {
    const seq = a.readDoubleLE(p + 1);
    const i = this.#slot(seq);
    const other = this.#others.get(seq);
    if (i >= 0 && this.#out[i] !== 0) {
      this.#update[i] = p + 1;
    } else if (other !== undefined) {
      other[1] = p + 1;
    } else {
      this.updated.set(seq, {
        seq,
        packetId: a.readUInt16LE(p + 9),
        state: a[p + 11] as OutgoingState,
        sent: a[p + 12] === 1,
      });
    }
    return p + 13;
  }

  #onRemove(a: Buffer, p: number): number {
    const seq = a.readDoubleLE(p + 1);
    const i = this.#slot(seq);
    if (i >= 0 && this.#out[i] !== 0) {
      this.#out[i] = 0;
      this.#update[i] = 0;
    } else if (!this.#others.delete(seq)) {
      this.removed.push(seq);
      this.updated.delete(seq);
    }
    return p + 9;
  }

  /** Slots for `n` seqs. */
  #room(n: number): void {
    if (n <= this.#out.length) return;
    const size = Math.max(n, 2 * this.#out.length);
    const out = new Float64Array(size);
    const update = new Float64Array(size);
    out.set(this.#out);
    update.set(this.#update);
    this.#out = out;
    this.#update = update;
  }

  /** An arena for `n` bytes, keeping what it holds. */
  #grow(n: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(n, 2 * this.#arena.length));
    this.#arena.copy(bigger, 0, 0, this.#used);
    this.#arena = bigger;
  }
}
