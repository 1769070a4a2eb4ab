/**
 * Things a test receives over time (packets, connections, messages),
 * taken in order of arrival: next() hands out the first one not yet
 * taken, waiting for it if need be.
 */
export class Arrivals<T> {
  /** Everything that arrived, taken or not. */
  readonly items: T[] = [];
  #taken = 0;
  #wake: (() => void) | undefined;

  /** `what` names an item in the timeout error: "no <what> within 2000 ms". */
  constructor(readonly what: string) {}

  push(item: T): void {
    this.items.push(item);
    this.#wake?.();
  }

  /** Wakes a waiting next(), so that its `stop` check runs again. */
  poke(): void {
    this.#wake?.();
  }

  /**
   * The next item not yet taken; rejects after `ms`, or as soon as `stop`
   * gives a reason (e.g. the connection closed) while none is there.
   */
  async next(ms: number, stop?: () => string | undefined): Promise<T> {
    const deadline = Date.now() + ms;
    while (this.#taken >= this.items.length) {
      const reason = stop?.();
      if (reason !== undefined) throw new Error(reason);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${this.what} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.items[this.#taken++]!;
  }
}
