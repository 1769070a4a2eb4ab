/**
 * One flush per turn of the event loop for every transport: the broker's
 * connections and the client library's links share it.
 *
 * A transport that gets its first write of a turn queues itself here; one
 * setImmediate per turn then flushes every queued transport. A burst of
 * packets to one client thus becomes one system call (or one WebSocket
 * frame), and a turn costs one timer for all clients, not one per client.
 */

export interface Flushable {
  /** Hands what was queued this turn to the operating system. */
  flush(): void;
}

let queued: Flushable[] = [];
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  // Flushing may run callbacks that write again; those land in a new batch
  // because the list is swapped out first.
  const batch = queued;
  queued = [];
  for (const item of batch) item.flush();
}

/** Queues `item` for this turn's flush; call once per turn per item. */
export function scheduleFlush(item: Flushable): void {
  queued.push(item);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}
