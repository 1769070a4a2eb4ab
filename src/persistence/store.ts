/**
 * The interface every store implements: the in-memory store, the SQLite
 * store, and later ones (a cluster store). A store knows rows, not the
 * broker: the journal (./journal.ts) turns the broker's changes into
 * batches of rows, and ./restore.ts turns the rows back into sessions.
 *
 * @example
 * const store = new MemoryStore();
 * store.commit({ ...emptyBatch(), retained: [message] });
 * store.load().retained; // [message]
 */
import type { OutgoingState, SubscriptionRecord } from '../broker/index.js';
import type { Properties, QoS } from '../protocol/index.js';

/** An application message as saved: the broker's StoredMessage fits it. */
export interface SavedMessage {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties: Properties | undefined;
  /** Epoch milliseconds; 0 = never expires. */
  expiresAt: number;
  /** Client id of the publisher, for No Local. */
  origin: string;
}

/** A persistent session (one whose expiry interval is not 0). */
export interface SessionRow {
  clientId: string;
  /** Seconds; 0xFFFFFFFF = never expires. */
  expiryInterval: number;
  /** Epoch milliseconds at which it expires; 0 = connected, or never. */
  expiresAt: number;
  nextPacketId: number;
  /** Who the client was when last connected, when known. */
  username: string | undefined;
  /** A will waiting for its Will Delay Interval. */
  will: { message: SavedMessage; publishAt: number } | undefined;
}

export interface SubscriptionRow {
  clientId: string;
  /** As in Session.subscriptions: the filter, `$share/<group>/` kept. */
  key: string;
  record: SubscriptionRecord;
}

/**
 * One message on its way to one session, queued or in flight. The message
 * is stored with the row: one insert and one delete per delivery, however
 * many sessions share the message. Rows of one message share a
 * `messageKey`, so a restart shares the message in memory again.
 * LIMIT(perf): fan-out to many persistent sessions writes the payload once
 * per session.
 */
export interface OutgoingRow {
  /** Increasing with the order messages joined the session's queue. */
  seq: number;
  clientId: string;
  messageKey: number;
  message: SavedMessage;
  qos: QoS;
  retain: boolean;
  subscriptionIds: number[] | undefined;
  /** 0 while queued. */
  packetId: number;
  state: OutgoingState;
  sent: boolean;
}

/** An incoming QoS 2 message answered with PUBREC, awaiting PUBREL. */
export interface IncomingRow {
  clientId: string;
  packetId: number;
  /** null: acknowledged but not to be delivered (refused). */
  message: SavedMessage | null;
}

/** Everything a store holds; also the "put" half of a batch. */
export interface StoreContents {
  sessions: SessionRow[];
  subscriptions: SubscriptionRow[];
  /** In `seq` order. */
  outgoing: OutgoingRow[];
  incoming: IncomingRow[];
  retained: SavedMessage[];
}

/**
 * The changes of one turn of the event loop. A store applies a batch as
 * one transaction: removals first (a removed session takes its
 * subscriptions and incoming rows with it; its outgoing rows are listed in
 * `removedOutgoing`), then the rows to add or replace. An outgoing row is
 * added once (`outgoing`), then only updated (`outgoingUpdates`) until it
 * is removed: a store may rely on a seq never being added twice.
 */
export interface Batch extends StoreContents {
  /**
   * Outgoing rows already stored whose place in the flow changed: only
   * `packetId`, `state` and `sent` are written.
   */
  outgoingUpdates: OutgoingRow[];
  removedSessions: string[];
  removedSubscriptions: Array<{ clientId: string; key: string }>;
  removedOutgoing: number[];
  removedIncoming: Array<{ clientId: string; packetId: number }>;
  removedRetained: string[];
}

export interface Store {
  /** A name for log lines: the file path, or "memory". */
  readonly name: string;
  /** Everything saved, read once at start-up. */
  load(): StoreContents;
  /**
   * Applies a batch atomically. Rows may be the broker's live objects: a
   * store reads everything it needs before returning (or before its first
   * await), and never keeps them. A returned promise settles when the
   * batch is durable.
   */
  commit(batch: Batch): void | Promise<void>;
  /** Folds any journal into the main file; may do nothing. */
  checkpoint(): void;
  close(): void;
}

export function emptyContents(): StoreContents {
  return {
    sessions: [],
    subscriptions: [],
    outgoing: [],
    incoming: [],
    retained: [],
  };
}

/** Made once per commit: a plain literal, no spreading. */
export function emptyBatch(): Batch {
  return {
    sessions: [],
    subscriptions: [],
    outgoing: [],
    incoming: [],
    retained: [],
    outgoingUpdates: [],
    removedSessions: [],
    removedSubscriptions: [],
    removedOutgoing: [],
    removedIncoming: [],
    removedRetained: [],
  };
}

/** The number of rows a batch adds, replaces or removes. */
export function batchSize(b: Batch): number {
  return (
    b.sessions.length +
    b.subscriptions.length +
    b.outgoing.length +
    b.outgoingUpdates.length +
    b.incoming.length +
    b.retained.length +
    b.removedSessions.length +
    b.removedSubscriptions.length +
    b.removedOutgoing.length +
    b.removedIncoming.length +
    b.removedRetained.length
  );
}
