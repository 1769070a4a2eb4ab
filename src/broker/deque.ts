/**
 * A first-in first-out queue on a growable ring buffer: push and shift are
 * O(1) without the O(n) cost of `Array.prototype.shift`. Session queues use
 * it so that draining a long queue never copies the rest of it.
 */
export class Deque<T> {
  /**
   * The ring; an empty deque shares one zero-length array and gets its own
   * on the first push, so that the many sessions that never queue anything
   * hold no ring (an 8-slot array costs about 100 bytes).
   */
  #items: Array<T | undefined>;
  #head = 0;
  #length = 0;

  constructor(capacity = 0) {
    this.#items = capacity > 0 ? new Array(capacity) : NO_ITEMS;
  }

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) % this.#items.length] = item;
    this.#length++;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length--;
    return item;
  }

  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** The item at position `i` from the oldest, for iteration by index. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.#length) return undefined;
    return this.#items[(this.#head + i) % this.#items.length];
  }

  /**
   * Keeps only the items for which `keep` is true, in order. O(n); meant
   * for the periodic sweep (expired messages), not the per-message path.
   */
  retain(keep: (item: T) => boolean): number {
    let removed = 0;
    const n = this.#length;
    for (let i = 0; i < n; i++) {
      const item = this.shift() as T;
      if (keep(item)) this.push(item);
      else removed++;
    }
    return removed;
  }

  clear(): void {
    this.#items = NO_ITEMS;
    this.#head = 0;
    this.#length = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) yield this.at(i) as T;
  }

  #grow(): void {
    const old = this.#items;
    const next = new Array<T | undefined>(Math.max(MIN_CAPACITY, old.length * 2));
    for (let i = 0; i < this.#length; i++) {
      next[i] = old[(this.#head + i) % old.length];
    }
    this.#items = next;
    this.#head = 0;
  }
}

const MIN_CAPACITY = 8;
/** Never written: push grows a deque off it before storing anything. */
const NO_ITEMS: never[] = [];
