/**
 * A store that keeps its rows in maps: for tests, and for embedders who
 * want the persistence machinery without a file. Rows are copied in, so a
 * later change to a live broker object does not leak into the store.
 */
import type {
  Batch,
  IncomingRow,
  OutgoingRow,
  SavedMessage,
  SessionRow,
  Store,
  StoreContents,
  SubscriptionRow,
} from './store.js';

function copyMessage(m: SavedMessage): SavedMessage {
  return {
    topic: m.topic,
    payload: Buffer.from(m.payload),
    qos: m.qos,
    retain: m.retain,
    properties: m.properties === undefined ? undefined : { ...m.properties },
    expiresAt: m.expiresAt,
    origin: m.origin,
  };
}

export class MemoryStore implements Store {
  readonly name = 'memory';
  /** How many batches were committed, for tests. */
  commits = 0;
  readonly #sessions = new Map<string, SessionRow>();
  /** By client id, then key. */
  readonly #subs = new Map<string, Map<string, SubscriptionRow>>();
  readonly #outgoing = new Map<number, OutgoingRow>();
  readonly #incoming = new Map<string, Map<number, IncomingRow>>();
  readonly #retained = new Map<string, SavedMessage>();

  load(): StoreContents {
    const flat = <K, V>(m: Map<string, Map<K, V>>) =>
      [...m.values()].flatMap((inner) => [...inner.values()]);
    return {
      sessions: [...this.#sessions.values()],
      subscriptions: flat(this.#subs),
      outgoing: [...this.#outgoing.values()].sort((a, b) => a.seq - b.seq),
      incoming: flat(this.#incoming),
      retained: [...this.#retained.values()],
    };
  }

  commit(b: Batch): void {
    this.commits++;
    for (const id of b.removedSessions) {
      this.#sessions.delete(id);
      this.#subs.delete(id);
      this.#incoming.delete(id);
    }
    for (const r of b.removedSubscriptions) this.#subs.get(r.clientId)?.delete(r.key);
    for (const seq of b.removedOutgoing) this.#outgoing.delete(seq);
    for (const r of b.removedIncoming) this.#incoming.get(r.clientId)?.delete(r.packetId);
    for (const topic of b.removedRetained) this.#retained.delete(topic);
    this.#put(b);
  }

  checkpoint(): void {}

  close(): void {}

  #put(b: Batch): void {
    for (const s of b.sessions) {
      const will = s.will && { ...s.will, message: copyMessage(s.will.message) };
      this.#sessions.set(s.clientId, { ...s, will });
    }
    for (const r of b.subscriptions) {
      inner(this.#subs, r.clientId).set(r.key, { ...r, record: { ...r.record } });
    }
    for (const o of b.outgoing) {
      const ids = o.subscriptionIds && [...o.subscriptionIds];
      const message = copyMessage(o.message);
      this.#outgoing.set(o.seq, { ...o, message, subscriptionIds: ids });
    }
    for (const o of b.outgoingUpdates) {
      const row = this.#outgoing.get(o.seq);
      if (row === undefined) continue;
      row.packetId = o.packetId;
      row.state = o.state;
      row.sent = o.sent;
    }
    for (const r of b.incoming) {
      const message = r.message && copyMessage(r.message);
      inner(this.#incoming, r.clientId).set(r.packetId, { ...r, message });
    }
    for (const m of b.retained) this.#retained.set(m.topic, copyMessage(m));
  }
}

function inner<K, V>(outer: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let m = outer.get(key);
  if (m === undefined) {
    m = new Map();
    outer.set(key, m);
  }
  return m;
}
