/**
 * A small typed event emitter. Unlike node:events, an 'error' event with no
 * listener is simply dropped: a library must not crash its host because the
 * host chose to handle failures through promises instead. Listeners are
 * kept in arrays and called in a plain loop, so emitting costs no closure.
 */

// biome-ignore lint/suspicious/noExplicitAny: listener tuples of any shape
type Listener = (...args: any[]) => void;

export class TypedEmitter<Events extends { [E in keyof Events]: Listener }> {
  #listeners: { [E in keyof Events]?: Events[E][] } = {};

  /** Adds a listener; returns `this` for chaining. */
  on<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = this.#listeners[event];
    if (list) list.push(listener);
    else this.#listeners[event] = [listener];
    return this;
  }

  /** Adds a listener that is removed after its first call. */
  once<E extends keyof Events>(event: E, listener: Events[E]): this {
    const wrapper = ((...args: Parameters<Events[E]>) => {
      this.off(event, wrapper);
      listener(...args);
    }) as Events[E] & { original?: Listener };
    wrapper.original = listener;
    return this.on(event, wrapper);
  }

  /** Removes a listener added with on() or once(). */
  off<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = this.#listeners[event];
    if (!list) return this;
    const i = list.findIndex(
      (l) => l === listener || (l as { original?: Listener }).original === listener,
    );
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  listenerCount<E extends keyof Events>(event: E): number {
    return this.#listeners[event]?.length ?? 0;
  }

  protected emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const list = this.#listeners[event];
    if (!list || list.length === 0) return;
    if (list.length === 1) {
      list[0]!(...args);
      return;
    }
    // A listener may remove itself (once) while we iterate: use a copy.
    for (const listener of list.slice()) listener(...args);
  }
}
