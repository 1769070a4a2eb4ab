/**
 * The journal listens to the broker (it is its StateObserver) and saves
 * what changed, once per turn of the event loop, in one store batch.
 *
 * On the message path a change costs an array push or a map insert: the
 * journal notes *which* session, subscription, outgoing message, incoming
 * QoS 2 entry or retained topic changed, never how. At the end of the turn it reads the
 * current state of each noted object and writes that: an outgoing message
 * queued and acknowledged within the same turn is never written at all,
 * and the batch is always a consistent picture of the turn's end.
 *
 * Only persistent sessions are saved (expiry interval not 0). A session
 * saved for the first time is written whole. An outgoing message is
 * inserted once, then only its flow state is updated, until it is
 * deleted. While a batch waits, the broker's output waits too (see
 * src/broker/state-observer.ts); the gate opens when the batch commits.
 */
import type {
  Broker,
  OutgoingMessage,
  OutputGate,
  Session,
  StateObserver,
  StoredMessage,
} from '../broker/index.js';
import { adoptContents } from './restore.js';
import {
  type Batch,
  batchSize,
  emptyBatch,
  type SessionRow,
  type Store,
  type StoreContents,
} from './store.js';

/** `storeId` of an outgoing message that ended before it was saved. */
const GONE = -1;

/** How long a failed commit waits before it is tried again. */
const RETRY_MS = 1000;

export interface JournalEvents {
  /** After each commit, with the number of rows it changed. */
  committed?(rows: number): void;
  /** A commit failed; it is retried and the broker's output waits. */
  failed(error: Error): void;
}

export interface RestoreCounts {
  sessions: number;
  subscriptions: number;
  messages: number;
  retained: number;
}

export class Journal implements StateObserver {
  readonly #broker: Broker;
  readonly #store: Store;
  readonly #events: JournalEvents;
  #gate: OutputGate | undefined;
  // What changed this turn.
  readonly #sessions = new Set<Session>();
  readonly #subs = new Map<Session, Set<string>>();
  /** Outgoing messages noted, with their sessions; may repeat. */
  readonly #outs: OutgoingMessage[] = [];
  readonly #outSessions: Session[] = [];
  readonly #goneOuts: OutgoingMessage[] = [];
  readonly #goneSessions: Session[] = [];
  readonly #incoming = new Map<Session, Set<number>>();
  readonly #retained = new Map<string, StoredMessage | null>();
  /** Rows left over in the store at start-up, removed by the first batch. */
  #leftovers = emptyBatch();
  // What the store holds.
  /** Saved sessions, with their saved outgoing messages. */
  readonly #known = new Map<Session, Set<OutgoingMessage>>();
  #nextSeq = 1;
  #nextMessageKey = 1;
  // Committing.
  readonly #queue: Array<{ batch: Batch; mark: number }> = [];
  #scheduled = false;
  #busy = false;
  #retry: NodeJS.Timeout | undefined;
  readonly #onTurnEnd = () => {
    this.#scheduled = false;
    if (!this.#busy && this.#retry === undefined) this.#drain();
  };

  constructor(broker: Broker, store: Store, events: JournalEvents) {
    this.#broker = broker;
    this.#store = store;
    this.#events = events;
  }

  /**
   * Puts the saved state back into the broker, then starts listening.
   * Call once, before the broker accepts connections.
   */
  start(contents: StoreContents): RestoreCounts {
    const adopted = adoptContents(this.#broker, contents);
    for (const { session, outs, stale } of adopted.sessions) {
      this.#known.set(session, outs);
      // Ended at once, or bounded anew by persistent_client_expiration.
      if (stale) this.#sessions.add(session);
    }
    this.#nextSeq = adopted.maxSeq + 1;
    this.#nextMessageKey = adopted.maxMessageKey + 1;
    this.#leftovers = adopted.leftovers;
    this.#gate = this.#broker.observe(this);
    if (this.#hasChanges()) this.#schedule();
    return {
      sessions: adopted.sessions.length,
      subscriptions: contents.subscriptions.length,
      messages: contents.outgoing.length + contents.incoming.length,
      retained: adopted.retained,
    };
  }

  sessionChanged(session: Session): void {
    if (session.expiryInterval === 0 && !this.#known.has(session)) return;
    this.#sessions.add(session);
    this.#schedule();
  }

  subscriptionChanged(session: Session, key: string): void {
    if (session.expiryInterval === 0) return;
    noteIn(this.#subs, session, key);
    this.#schedule();
  }

  outgoingChanged(session: Session, out: OutgoingMessage): void {
    if (session.expiryInterval === 0) return;
    this.#noteOut(out, session);
    this.#schedule();
  }

  outgoingRemoved(session: Session, out: OutgoingMessage): void {
    // Never saved: marked so that a note of it this turn is skipped.
    if (!out.storeId) {
      out.storeId = GONE;
      return;
    }
    this.#goneOuts.push(out);
    this.#goneSessions.push(session);
    this.#schedule();
  }

  incomingChanged(session: Session, packetId: number): void {
    if (session.expiryInterval === 0) return;
    noteIn(this.#incoming, session, packetId);
    this.#schedule();
  }

  retainedChanged(topic: string, message: StoredMessage | null): void {
    // $SYS values are the broker's own and stale after a restart; Mosquitto
    // does not save them either.
    if (topic.startsWith('$SYS')) return;
    this.#retained.set(topic, message);
    this.#schedule();
  }

  /** Commits what is pending now rather than at the end of the turn. */
  flush(): void {
    if (!this.#busy) this.#drain();
  }

  /** Batches still waiting to be committed (after failures). */
  get pendingBatches(): number {
    return this.#queue.length;
  }

  /** Stops retrying; what is still pending is lost. */
  stop(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    if (this.#gate !== undefined) this.#gate.holding = true;
    setImmediate(this.#onTurnEnd);
  }

  /** Commits queued batches in order, then this turn's changes. */
  #drain(): void {
    const gate = this.#gate as OutputGate;
    while (!this.#busy) {
      if (this.#queue.length === 0) {
        if (!this.#hasChanges()) {
          gate.holding = this.#scheduled;
          if (!gate.holding) gate.release();
          return;
        }
        const batch = this.#build();
        // Nothing to save after all (a session that is not persistent).
        if (batchSize(batch) === 0) continue;
        this.#queue.push({ batch, mark: gate.mark });
      }
      const item = this.#queue[0] as { batch: Batch; mark: number };
      let result: void | Promise<void>;
      try {
        result = this.#store.commit(item.batch);
      } catch (error) {
        this.#failed(error);
        return;
      }
      if (result !== undefined) {
        this.#busy = true;
        result.then(
          () => {
            this.#busy = false;
            this.#committed(item.batch, item.mark);
            this.#drain();
          },
          (error: unknown) => {
            this.#busy = false;
            this.#failed(error);
          },
        );
        return;
      }
      this.#committed(item.batch, item.mark);
    }
  }

  #committed(batch: Batch, mark: number): void {
    this.#queue.shift();
    (this.#gate as OutputGate).release(mark);
    this.#events.committed?.(batchSize(batch));
  }

  #failed(error: unknown): void {
    this.#events.failed(error instanceof Error ? error : new Error(String(error)));
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#drain();
    }, RETRY_MS);
    this.#retry.unref();
  }

  #hasChanges(): boolean {
    return (
      this.#sessions.size > 0 ||
      this.#subs.size > 0 ||
      this.#outs.length > 0 ||
      this.#goneOuts.length > 0 ||
      this.#incoming.size > 0 ||
      this.#retained.size > 0 ||
      batchSize(this.#leftovers) > 0
    );
  }

  /** The batch for this turn, from the current state of what changed. */
  #build(): Batch {
    const b = this.#leftovers;
    this.#leftovers = emptyBatch();
    for (const s of this.#sessions) this.#buildSession(b, s);
    this.#sessions.clear();
    const gone = this.#goneOuts;
    for (let i = 0; i < gone.length; i++) {
      this.#buildGone(b, this.#goneSessions[i] as Session, gone[i] as OutgoingMessage);
    }
    gone.length = 0;
    this.#goneSessions.length = 0;
    for (const [s, keys] of this.#subs) this.#buildSubs(b, s, keys);
    this.#subs.clear();
    this.#buildOuts(b);
    for (const [s, ids] of this.#incoming) this.#buildIncoming(b, s, ids);
    this.#incoming.clear();
    for (const [topic, m] of this.#retained) {
      if (m === null) b.removedRetained.push(topic);
      else b.retained.push(m);
    }
    this.#retained.clear();
    return b;
  }

  #buildSession(b: Batch, s: Session): void {
    const persistent = s.expiryInterval !== 0 && this.#broker.session(s.clientId) === s;
    const outs = this.#known.get(s);
    if (!persistent) {
      if (outs === undefined) return;
      this.#known.delete(s);
      b.removedSessions.push(s.clientId);
      for (const out of outs) b.removedOutgoing.push(out.storeId as number);
      return;
    }
    b.sessions.push(sessionRow(s));
    if (outs !== undefined) return;
    // First time: the whole session, whatever happened to it before.
    this.#known.set(s, new Set());
    for (const key of s.subscriptions.keys()) noteIn(this.#subs, s, key);
    for (const out of s.inflight.values()) this.#noteOut(out, s);
    for (const out of s.queue) this.#noteOut(out, s);
    for (const id of s.incomingQos2.keys()) noteIn(this.#incoming, s, id);
  }

  #buildGone(b: Batch, s: Session, out: OutgoingMessage): void {
    const outs = this.#known.get(s);
    if (outs === undefined || !outs.delete(out)) return;
    b.removedOutgoing.push(out.storeId as number);
  }

  #buildSubs(b: Batch, s: Session, keys: Set<string>): void {
    if (!this.#known.has(s)) return;
    const clientId = s.clientId;
    for (const key of keys) {
      const record = s.subscriptions.get(key);
      if (record === undefined) b.removedSubscriptions.push({ clientId, key });
      else b.subscriptions.push({ clientId, key, record });
    }
  }

  #noteOut(out: OutgoingMessage, session: Session): void {
    this.#outs.push(out);
    this.#outSessions.push(session);
  }

  /**
   * Arrays rather than a map keyed by message: nothing allocated per turn.
   * A message noted twice is written once: the first note gives it a seq
   * from this batch's range, and a later one sees that.
   */
  #buildOuts(b: Batch): void {
    const outs = this.#outs;
    const sessions = this.#outSessions;
    const firstSeq = this.#nextSeq;
    for (let i = 0; i < outs.length; i++) {
      const out = outs[i] as OutgoingMessage;
      const id = out.storeId as number;
      if (id === GONE || id >= firstSeq) continue;
      this.#buildOut(b, sessions[i] as Session, out);
    }
    outs.length = 0;
    sessions.length = 0;
  }

  #buildOut(b: Batch, s: Session, out: OutgoingMessage): void {
    const outs = this.#known.get(s);
    if (outs === undefined) return;
    const saved = (out.storeId as number) > 0;
    if (!saved) {
      out.storeId = this.#nextSeq++;
      outs.add(out);
      const m = out.message;
      if (!m.storeId) m.storeId = this.#nextMessageKey++;
    } else if (!outs.has(out)) {
      // Removed since it was noted, earlier in this batch.
      return;
    }
    (saved ? b.outgoingUpdates : b.outgoing).push({
      seq: out.storeId as number,
      clientId: s.clientId,
      messageKey: out.message.storeId as number,
      message: out.message,
      qos: out.qos,
      retain: out.retain,
      subscriptionIds: out.subscriptionIds,
      packetId: out.packetId,
      state: out.state,
      sent: out.sent,
    });
  }

  #buildIncoming(b: Batch, s: Session, ids: Set<number>): void {
    if (!this.#known.has(s)) return;
    const clientId = s.clientId;
    for (const packetId of ids) {
      const message = s.incomingQos2.get(packetId);
      if (message === undefined) b.removedIncoming.push({ clientId, packetId });
      else b.incoming.push({ clientId, packetId, message });
    }
  }
}

function noteIn<T>(map: Map<Session, Set<T>>, session: Session, item: T): void {
  let items = map.get(session);
  if (items === undefined) {
    items = new Set();
    map.set(session, items);
  }
  items.add(item);
}

function sessionRow(s: Session): SessionRow {
  const will = s.pendingWill;
  return {
    clientId: s.clientId,
    expiryInterval: s.expiryInterval,
    expiresAt: s.expiresAt,
    nextPacketId: s.nextPacketId,
    username: s.client?.username,
    will: will && { message: will.message, publishAt: will.publishAt },
  };
}
