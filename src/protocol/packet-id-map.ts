/**
 * A map from packet identifier (1-65535) to value, for the per-message
 * bookkeeping of in-flight messages: an entry is set when a message goes
 * out or comes in and deleted when it is acknowledged.
 *
 * Why not a Map: V8 rebuilds a Map's hash table every few dozen deletions,
 * and the table it leaves behind keeps a pointer to its successor. Once
 * one table of a long-lived Map is in the old generation, every later
 * table, with the messages it held, is kept alive through young-generation
 * collections by the dead one before it, and promoted, until a full
 * collection breaks the chain. A broker that falls into this promotes
 * megabytes per collection and loses a third of its throughput
 * (docs/benchmarks.md). This table is open addressing over arrays that are
 * replaced only when it grows, or when a large one is emptied: set and
 * delete otherwise allocate nothing.
 *
 * No entry lies more than MAX_PROBE slots past its home slot: a set that
 * would place one further grows the table instead. Ids in sequence fill
 * adjacent slots, so a long run of them is the usual shape, and without
 * the bound every lookup of an absent id whose home lies in the run (an
 * ack for a peer-chosen id) and every delete at its start would walk the
 * whole run, up to thousands of slots. With it, each reads at most
 * MAX_PROBE + 1 slots. From 65536 slots up, every id has a slot of its own.
 *
 * Iteration is in insertion order, as a Map's (messages are resent in the
 * order they were first sent); it sorts, and is meant for the rare paths
 * (reconnection, persistence, clearing), not per message.
 */

const EMPTY = 0;
const MIN_CAPACITY = 8;
/**
 * A table emptied (the last entry deleted, or cleared) gives up arrays
 * larger than this: a session whose window once held thousands of
 * messages would otherwise keep a megabyte or two for its lifetime. Up to
 * it (32 entries, above Mosquitto's default window of 20) the arrays are
 * kept, so a window that keeps draining to zero allocates nothing.
 */
const KEEP_SLOTS = 64;
/** The furthest an entry may lie past its home slot. */
export const MAX_PROBE = 16;

export class PacketIdMap<V> {
  /** Packet ids by slot; EMPTY = free. */
  #ids: Uint16Array;
  #values: Array<V | undefined>;
  /** Insertion number of each slot's entry, for iteration order. */
  #order: Float64Array;
  #mask: number;
  #size = 0;
  #inserted = 0;
  #probes = 0;

  constructor(capacity = MIN_CAPACITY) {
    const n = tableSize(capacity);
    this.#ids = new Uint16Array(n);
    this.#values = new Array<V | undefined>(n).fill(undefined);
    this.#order = new Float64Array(n);
    this.#mask = n - 1;
  }

  /** Empty arrays of `n` slots in place of the current ones. */
  #allocate(n: number): void {
    this.#ids = new Uint16Array(n);
    this.#values = new Array<V | undefined>(n).fill(undefined);
    this.#order = new Float64Array(n);
    this.#mask = n - 1;
    this.#size = 0;
    this.#inserted = 0;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Slots read past the home slot by lookups, sets and deletes so far: the
   * work the probe bound limits, for its tests.
   */
  get probes(): number {
    return this.#probes;
  }

  has(id: number): boolean {
    return this.#find(id) >= 0;
  }

  get(id: number): V | undefined {
    const slot = this.#find(id);
    return slot >= 0 ? this.#values[slot] : undefined;
  }

  /** Sets `id`; a new id goes last in iteration order, a known one keeps its place. */
  set(id: number, value: V): this {
    if (!isPacketId(id)) {
      throw new RangeError(`packet identifier out of range: ${id}`);
    }
    const known = this.#find(id);
    if (known >= 0) {
      this.#values[known] = value;
      return this;
    }
    const slot = this.#freeSlot(id);
    if (slot < 0 || (this.#size + 1) * 2 > this.#ids.length) {
      this.#grow();
      return this.set(id, value);
    }
    this.#ids[slot] = id;
    this.#values[slot] = value;
    this.#order[slot] = this.#inserted++;
    this.#size++;
    return this;
  }

  delete(id: number): boolean {
    let slot = this.#find(id);
    if (slot < 0) return false;
    const ids = this.#ids;
    const values = this.#values;
    const order = this.#order;
    const mask = this.#mask;
    // Backward-shift deletion: entries after the hole that would be found
    // through it move back, so no tombstone is left behind. One more than
    // MAX_PROBE slots past the hole, no entry can have its home before it.
    let gap = 1;
    let read = 0;
    for (let next = (slot + 1) & mask; ids[next] !== EMPTY; next = (next + 1) & mask) {
      read++;
      const home = (ids[next] as number) & mask;
      const reachable =
        slot <= next ? home <= slot || home > next : home <= slot && home > next;
      if (reachable) {
        ids[slot] = ids[next] as number;
        values[slot] = values[next];
        order[slot] = order[next] as number;
        slot = next;
        gap = 1;
      } else if (++gap > MAX_PROBE) {
        break;
      }
    }
    this.#probes += read;
    ids[slot] = EMPTY;
    values[slot] = undefined;
    this.#size--;
    if (this.#size === 0 && ids.length > KEEP_SLOTS) this.#allocate(MIN_CAPACITY);
    return true;
  }

  clear(): void {
    if (this.#size === 0) return;
    if (this.#ids.length > KEEP_SLOTS) {
      this.#allocate(MIN_CAPACITY);
      return;
    }
    this.#ids.fill(EMPTY);
    this.#values.fill(undefined);
    this.#size = 0;
  }

  /** [id, value] pairs in insertion order. */
  entries(): Array<[number, V]> {
    const slots: number[] = [];
    const ids = this.#ids;
    for (let slot = 0; slot < ids.length; slot++) {
      if (ids[slot] !== EMPTY) slots.push(slot);
    }
    const order = this.#order;
    slots.sort((a, b) => (order[a] as number) - (order[b] as number));
    return slots.map((slot) => [ids[slot] as number, this.#values[slot] as V]);
  }

  [Symbol.iterator](): IterableIterator<[number, V]> {
    return this.entries()[Symbol.iterator]();
  }

  keys(): number[] {
    return this.entries().map(([id]) => id);
  }

  values(): V[] {
    return this.entries().map(([, value]) => value);
  }

  /** The slot holding `id`, or -1. */
  #find(id: number): number {
    if (!(id >= 1 && id <= 0xffff)) return -1;
    const ids = this.#ids;
    const mask = this.#mask;
    let slot = id & mask;
    for (let probe = 0; probe <= MAX_PROBE; probe++) {
      const at = ids[slot];
      if (at === id || at === EMPTY) {
        if (probe > 0) this.#probes += probe;
        return at === id ? slot : -1;
      }
      slot = (slot + 1) & mask;
    }
    this.#probes += MAX_PROBE;
    return -1;
  }

  /** A free slot within MAX_PROBE of `id`'s home, or -1. */
  #freeSlot(id: number): number {
    const ids = this.#ids;
    const mask = this.#mask;
    let slot = id & mask;
    for (let probe = 0; probe <= MAX_PROBE; probe++) {
      if (ids[slot] === EMPTY) {
        if (probe > 0) this.#probes += probe;
        return slot;
      }
      slot = (slot + 1) & mask;
    }
    this.#probes += MAX_PROBE;
    return -1;
  }

  #grow(): void {
    const entries = this.entries();
    this.#allocate(this.#ids.length * 2);
    for (const [id, value] of entries) this.set(id, value);
  }
}

/** The power of two that holds `capacity` entries at half load or less. */
function tableSize(capacity: number): number {
  let n = MIN_CAPACITY;
  while (n < capacity * 2) n *= 2;
  return n;
}

/** True for a packet identifier MQTT allows: an integer from 1 to 65535. */
export function isPacketId(id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= 0xffff;
}
