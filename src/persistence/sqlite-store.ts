/**
 * midge's own store: one SQLite file (better-sqlite3) in WAL mode. A batch
 * is one transaction of prepared statements; SQLite's write-ahead log makes
 * the commit a sequential append, and `checkpoint` folds the log into the
 * main file (autosave_interval, SIGUSR1, shutdown).
 *
 * Outgoing messages, the bulk of the traffic, go through the outgoing log
 * (./outgoing-log.ts): one blob per commit in the `log` table, kept in
 * memory too (./log-index.ts) and folded into the `outgoing` table when
 * the next blob would pass `foldBytes`, at each checkpoint and on close.
 * What is in memory changes only once SQLite has committed.
 *
 * @example
 * const store = new SqliteStore('/var/lib/midge/midge.db', 'normal');
 * const contents = store.load();
 */
import type Database from 'better-sqlite3';
import type { OutgoingState } from '../broker/index.js';
import type { QoS } from '../protocol/index.js';
import { decodeIds, decodeProperties, encodeIds, encodeProperties } from './codec.js';
import { LogIndex } from './log-index.js';
import { LogWriter } from './outgoing-log.js';
import { type Durability, openDatabase } from './sqlite-open.js';
import { WRITES, type WriteName } from './sqlite-schema.js';
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

type Row = Record<string, Database.Value>;
type Statements = Record<WriteName, Database.Statement>;

export interface SqliteStoreOptions {
  /**
   * Log bytes between folds. A fold writes only what survived, so this
   * bounds the memory the log takes and its pause, not the work per message.
   */
  foldBytes?: number;
}

/** Some 10 000 messages of 16 bytes between folds. */
const FOLD_BYTES = 1 << 20;

export class SqliteStore implements Store {
  readonly name: string;
  readonly #db: Database.Database;
  readonly #st: Statements;
  readonly #apply: (b: Batch, blob: Buffer | undefined, fold: boolean) => void;
  readonly #foldInTransaction: () => void;
  readonly #writer = new LogWriter();
  readonly #log: LogIndex;
  /** The log segment being written, and the row its next blob goes to. */
  #segment = 0;
  #nextRow = 1;
  readonly #rowArgs: Database.Value[] = [0, 0, null];
  /** Reused for every outgoing row: nothing allocated per message. */
  readonly #outArgs: Database.Value[] = new Array(16).fill(null);
  readonly #updateArgs: Database.Value[] = [0, 0, 0, 0];

  constructor(
    path: string,
    durability: Durability = 'normal',
    options: SqliteStoreOptions = {},
  ) {
    this.name = path;
    this.#db = openDatabase(path, durability);
    const st = {} as Statements;
    for (const [name, sql] of Object.entries(WRITES)) {
      st[name as WriteName] = this.#db.prepare(sql);
    }
    this.#st = st;
    this.#apply = this.#db.transaction(
      (b: Batch, blob: Buffer | undefined, fold: boolean) => {
        this.#remove(b);
        this.#put(b);
        if (fold) this.#fold();
        if (blob !== undefined) this.#append(blob, fold);
      },
    );
    this.#foldInTransaction = this.#db.transaction(() => this.#fold());
    this.#log = this.#readLog(options.foldBytes ?? FOLD_BYTES);
  }

  load(): StoreContents {
    const all = (sql: string) => this.#db.prepare<Row>(sql).all();
    return {
      sessions: all('SELECT * FROM sessions').map(sessionOf),
      subscriptions: all('SELECT * FROM subscriptions').map(subscriptionOf),
      outgoing: this.#withLog(all('SELECT * FROM outgoing').map(outgoingOf)),
      incoming: all('SELECT * FROM incoming').map(incomingOf),
      retained: all('SELECT * FROM retained').map((r) => messageOf(r, '')),
    };
  }

  commit(batch: Batch): void {
    const blob = this.#writer.encode(batch);
    const fold = blob !== undefined && !this.#log.empty && !this.#log.fits(blob.length);
    this.#apply(batch, blob, fold);
    if (fold) this.#folded();
    if (blob !== undefined) {
      this.#log.add(blob);
      this.#nextRow++;
    }
  }

  /** Folds the outgoing log, then SQLite's write-ahead log. */
  checkpoint(): void {
    if (!this.#log.empty) {
      this.#foldInTransaction();
      this.#folded();
    }
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    if (!this.#db.open) return;
    if (!this.#log.empty) {
      this.#foldInTransaction();
      this.#folded();
    }
    // Folded blobs left from longer segments: a stopped midge leaves none.
    this.#st.tidyLog.run();
    this.checkpoint();
    this.#db.close();
  }

  /** The log left by the last run, unfolded if it crashed. */
  #readLog(foldBytes: number): LogIndex {
    const head = this.#db.prepare('SELECT segment FROM log WHERE id = 0').get() as
      | { segment: number }
      | undefined;
    this.#segment = head?.segment ?? 0;
    const blobs = this.#db
      .prepare('SELECT data FROM log WHERE id > 0 AND segment = ? ORDER BY id')
      .raw(true)
      .all(this.#segment);
    const log = new LogIndex(foldBytes);
    // More than fits is kept all the same, and folded by the first commit.
    for (const [blob] of blobs) log.add(blob as Buffer);
    this.#nextRow = blobs.length + 1;
    return log;
  }

  /** Within the transaction: the blob at its row, in the segment it joins. */
  #append(blob: Buffer, fold: boolean): void {
    const a = this.#rowArgs;
    a[0] = fold ? 1 : this.#nextRow;
    a[1] = fold ? this.#segment + 1 : this.#segment;
    a[2] = blob;
    this.#st.appendLog.run(a);
    a[2] = null;
  }

  /** After a fold has been committed: the next segment, empty. */
  #folded(): void {
    this.#log.clear();
    this.#segment++;
    this.#nextRow = 1;
  }

  /** The table's rows with the log applied, in `seq` order. */
  #withLog(table: OutgoingRow[]): OutgoingRow[] {
    const log = this.#log;
    const bySeq = new Map(table.map((r) => [r.seq, r]));
    for (const seq of log.removed) bySeq.delete(seq);
    for (const u of log.updated.values()) {
      const row = bySeq.get(u.seq);
      if (row === undefined) continue;
      row.packetId = u.packetId;
      row.state = u.state;
      row.sent = u.sent;
    }
    for (const row of log.rows()) bySeq.set(row.seq, row);
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /**
   * Within a transaction: the log's net effect into `outgoing`, and the
   * log emptied. The caller clears the index once this is committed.
   */
  #fold(): void {
    const log = this.#log;
    const st = this.#st;
    for (const seq of log.removed) st.removeOutgoing.run(seq);
    for (const u of log.updated.values()) {
      st.updateOutgoing.run(this.#updateValues(u.packetId, u.state, u.sent, u.seq));
    }
    for (const o of log.rows()) {
      st.putOutgoing.run(fillOutgoing(this.#outArgs, o));
    }
    st.newSegment.run(this.#segment + 1);
  }

  #updateValues(
    packetId: number,
    state: OutgoingState,
    sent: boolean,
    seq: number,
  ): Database.Value[] {
    const u = this.#updateArgs;
    u[0] = packetId;
    u[1] = state;
    u[2] = flag(sent);
    u[3] = seq;
    return u;
  }

  #remove(b: Batch): void {
    const st = this.#st;
    for (const id of b.removedSessions) {
      st.removeSession.run(id);
      st.removeSessionSubs.run(id);
      st.removeSessionIncoming.run(id);
    }
    for (const r of b.removedSubscriptions) st.removeSub.run(r.clientId, r.key);
    for (const r of b.removedIncoming) st.removeIncoming.run(r.clientId, r.packetId);
    for (const topic of b.removedRetained) st.removeRetained.run(topic);
  }

  #put(b: Batch): void {
    const st = this.#st;
    for (const s of b.sessions) st.putSession.run(...sessionValues(s));
    for (const r of b.subscriptions) {
      const s = r.record;
      st.putSub.run(
        r.clientId,
        r.key,
        s.filter,
        s.group,
        s.qos,
        flag(s.noLocal),
        flag(s.retainAsPublished),
        s.retainHandling,
        s.identifier,
      );
    }
    for (const r of b.incoming) {
      const values = r.message === null ? NO_MESSAGE : messageValues(r.message);
      st.putIncoming.run(r.clientId, r.packetId, ...values);
    }
    for (const m of b.retained) st.putRetained.run(...messageValues(m));
  }
}

/** One row's values in the reused array. */
function fillOutgoing(a: Database.Value[], o: OutgoingRow): Database.Value[] {
  const m = o.message;
  a[0] = o.seq;
  a[1] = o.clientId;
  a[2] = o.messageKey;
  a[3] = o.qos;
  a[4] = flag(o.retain);
  a[5] = encodeIds(o.subscriptionIds);
  a[6] = o.packetId;
  a[7] = o.state;
  a[8] = flag(o.sent);
  a[9] = m.topic;
  a[10] = m.payload;
  a[11] = m.qos;
  a[12] = flag(m.retain);
  a[13] = m.expiresAt;
  a[14] = m.origin;
  a[15] = encodeProperties(m.properties);
  return a;
}

const NO_MESSAGE: Database.Value[] = [null, null, null, null, null, null, null];

function flag(b: boolean): number {
  return b ? 1 : 0;
}

function messageValues(m: SavedMessage): Database.Value[] {
  return [
    m.topic,
    m.payload,
    m.qos,
    flag(m.retain),
    m.expiresAt,
    m.origin,
    encodeProperties(m.properties),
  ];
}

function sessionValues(s: SessionRow): Database.Value[] {
  const will = s.will;
  return [
    s.clientId,
    s.expiryInterval,
    s.expiresAt,
    s.nextPacketId,
    s.username ?? null,
    will === undefined ? null : will.publishAt,
    ...(will === undefined ? NO_MESSAGE : messageValues(will.message)),
  ];
}

/** A message from columns named `<prefix>topic`, `<prefix>payload`, ... */
function messageOf(r: Row, prefix: string): SavedMessage {
  return {
    topic: r[`${prefix}topic`] as string,
    payload: r[`${prefix}payload`] as Buffer,
    qos: r[`${prefix}qos`] as QoS,
    retain: r[`${prefix}retain`] === 1,
    properties: decodeProperties(r[`${prefix}properties`] as Buffer | null),
    expiresAt: r[`${prefix}expires_at`] as number,
    origin: r[`${prefix}origin`] as string,
  };
}

function sessionOf(r: Row): SessionRow {
  const publishAt = r.will_publish_at as number | null;
  return {
    clientId: r.client_id as string,
    expiryInterval: r.expiry_interval as number,
    expiresAt: r.expires_at as number,
    nextPacketId: r.next_packet_id as number,
    username: (r.username as string | null) ?? undefined,
    will: publishAt === null ? undefined : { message: messageOf(r, 'will_'), publishAt },
  };
}

function subscriptionOf(r: Row): SubscriptionRow {
  return {
    clientId: r.client_id as string,
    key: r.key as string,
    record: {
      filter: r.filter as string,
      group: r.share_group as string,
      qos: r.qos as QoS,
      noLocal: r.no_local === 1,
      retainAsPublished: r.retain_as_published === 1,
      retainHandling: r.retain_handling as 0 | 1 | 2,
      identifier: r.identifier as number,
    },
  };
}

function outgoingOf(r: Row): OutgoingRow {
  return {
    seq: r.seq as number,
    clientId: r.client_id as string,
    messageKey: r.message_key as number,
    message: messageOf(r, ''),
    qos: r.delivery_qos as QoS,
    retain: r.delivery_retain === 1,
    subscriptionIds: decodeIds(r.subscription_ids as string | null),
    packetId: r.packet_id as number,
    state: r.state as OutgoingState,
    sent: r.sent === 1,
  };
}

function incomingOf(r: Row): IncomingRow {
  return {
    clientId: r.client_id as string,
    packetId: r.packet_id as number,
    message: r.topic === null ? null : messageOf(r, ''),
  };
}
