/**
 * Checks one stream of numbered messages (one publisher as seen by one
 * subscriber): a bit per sequence number tells a duplicate from a late
 * arrival, and the count of distinct numbers gives the loss once the
 * sender says how many it sent.
 */
export class SeqTracker {
  #bits = new Uint32Array(1024);
  distinct = 0;
  duplicates = 0;
  /** Messages that arrived after one with a higher number. */
  reordered = 0;
  #highest = -1;

  record(seq: number): void {
    const word = seq >>> 5;
    if (word >= this.#bits.length) this.#grow(word);
    const mask = 1 << (seq & 31);
    const bits = this.#bits;
    if ((bits[word]! & mask) !== 0) {
      this.duplicates++;
      return;
    }
    bits[word] = bits[word]! | mask;
    this.distinct++;
    if (seq < this.#highest) this.reordered++;
    else this.#highest = seq;
  }

  #grow(word: number): void {
    let size = this.#bits.length * 2;
    while (size <= word) size *= 2;
    const bigger = new Uint32Array(size);
    bigger.set(this.#bits);
    this.#bits = bigger;
  }
}

/** Totals over many streams, as reported at the end of a run. */
export interface Integrity {
  /** Deliveries the subscribers should have had. */
  expected: number;
  /** Distinct messages delivered. */
  delivered: number;
  lost: number;
  duplicates: number;
  reordered: number;
  /** Deliveries to a subscriber whose filters do not match the topic. */
  unexpected: number;
}

export function emptyIntegrity(): Integrity {
  return {
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicates: 0,
    reordered: 0,
    unexpected: 0,
  };
}
