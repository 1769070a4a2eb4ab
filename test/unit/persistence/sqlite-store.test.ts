/**
 * The SQLite store: every kind of row goes in and comes back equal, a
 * batch's removals apply before its rows, updates touch only the flow
 * state, and a reopened file holds what was committed.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import { OutgoingState } from '../../../src/broker/message.js';
import { MemoryStore } from '../../../src/persistence/memory-store.js';
import { SqliteStore } from '../../../src/persistence/sqlite-store.js';
import {
  type Batch,
  emptyBatch,
  type OutgoingRow,
  type SavedMessage,
  type Store,
  type StoreContents,
} from '../../../src/persistence/store.js';

function tempFile(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'midge-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'midge.db');
}

const message = (topic: string, extra: Partial<SavedMessage> = {}): SavedMessage => ({
  topic,
  payload: Buffer.from(`payload of ${topic}`),
  qos: 1,
  retain: false,
  properties: undefined,
  expiresAt: 0,
  origin: 'publisher',
  ...extra,
});

function sample(): Batch {
  const b = emptyBatch();
  b.sessions.push(
    {
      clientId: 'a',
      expiryInterval: 0xffffffff,
      expiresAt: 0,
      nextPacketId: 7,
      username: 'alice',
      will: undefined,
    },
    {
      clientId: 'b',
      expiryInterval: 600,
      expiresAt: 1_800_000_000_000,
      nextPacketId: 1,
      username: undefined,
      will: {
        message: message('will/b', {
          qos: 2,
          retain: true,
          properties: { contentType: 'text/plain' },
        }),
        publishAt: 1_800_000_001_000,
      },
    },
  );
  b.subscriptions.push(
    {
      clientId: 'a',
      key: '$share/g/s/#',
      record: {
        filter: 's/#',
        group: 'g',
        qos: 1,
        noLocal: false,
        retainAsPublished: false,
        retainHandling: 0,
        identifier: 0,
      },
    },
    {
      clientId: 'b',
      key: 't/+',
      record: {
        filter: 't/+',
        group: '',
        qos: 2,
        noLocal: true,
        retainAsPublished: true,
        retainHandling: 2,
        identifier: 268_435_455,
      },
    },
  );
  const props = {
    payloadFormatIndicator: 1,
    responseTopic: 'reply/here',
    correlationData: Buffer.from([1, 2, 3]),
    userProperties: [
      ['k', 'v'],
      ['k', 'w'],
    ] as Array<[string, string]>,
  };
  const shared = message('t/1', { properties: props, expiresAt: 1_900_000_000_000 });
  b.outgoing.push(
    {
      seq: 1,
      clientId: 'b',
      messageKey: 10,
      message: shared,
      qos: 1,
      retain: false,
      subscriptionIds: [4, 9],
      packetId: 3,
      state: OutgoingState.Publish,
      sent: true,
    },
    {
      seq: 2,
      clientId: 'a',
      messageKey: 10,
      message: shared,
      qos: 0,
      retain: true,
      subscriptionIds: undefined,
      packetId: 0,
      state: OutgoingState.Queued,
      sent: false,
    },
  );
  b.incoming.push(
    { clientId: 'a', packetId: 5, message: message('in/5', { qos: 2 }) },
    { clientId: 'a', packetId: 6, message: null },
  );
  b.retained.push(message('r/1', { retain: true, payload: Buffer.alloc(0, 0) }));
  return b;
}

/** Buffers and null-prototype objects compared by value. */
function plain(c: StoreContents): unknown {
  return JSON.parse(JSON.stringify(c));
}

function roundTrip(t: TestContext, store: Store, reopen: () => Store): void {
  const b = sample();
  store.commit(b);
  const expected: StoreContents = {
    sessions: b.sessions,
    subscriptions: b.subscriptions,
    outgoing: b.outgoing,
    incoming: b.incoming,
    retained: b.retained,
  };
  assert.deepEqual(plain(store.load()), plain(expected));
  store.close();
  const again = reopen();
  t.after(() => again.close());
  assert.deepEqual(plain(again.load()), plain(expected));
}

test('sqlite store - every row kind comes back as written, after reopening too', (t) => {
  const file = tempFile(t);
  roundTrip(t, new SqliteStore(file), () => new SqliteStore(file));
});

test('memory store - the same round trip', (t) => {
  const store = new MemoryStore();
  roundTrip(t, store, () => store);
});

test('sqlite store - removals, then rows; a removed session takes its rows along', (t) => {
  const store = new SqliteStore(tempFile(t));
  t.after(() => store.close());
  store.commit(sample());
  const b = emptyBatch();
  b.removedSessions.push('a');
  b.removedOutgoing.push(2);
  b.removedRetained.push('r/1');
  b.removedSubscriptions.push({ clientId: 'b', key: 't/+' });
  // The same client id starts again in the same batch.
  b.sessions.push({
    clientId: 'a',
    expiryInterval: 60,
    expiresAt: 0,
    nextPacketId: 1,
    username: undefined,
    will: undefined,
  });
  store.commit(b);
  const c = store.load();
  assert.deepEqual(
    c.sessions.map((s) => [s.clientId, s.expiryInterval]),
    [
      ['b', 600],
      ['a', 60],
    ],
  );
  assert.deepEqual(c.subscriptions, []);
  assert.deepEqual(c.incoming, []);
  assert.deepEqual(
    c.outgoing.map((o) => o.seq),
    [1],
  );
  assert.deepEqual(c.retained, []);
});

test('sqlite store - an update changes the flow state and nothing else', (t) => {
  const store = new SqliteStore(tempFile(t));
  t.after(() => store.close());
  const first = sample();
  store.commit(first);
  const b = emptyBatch();
  const row = first.outgoing[0];
  assert.ok(row);
  b.outgoingUpdates.push({
    ...row,
    message: message('ignored'),
    packetId: 3,
    state: OutgoingState.Pubrel,
  });
  store.commit(b);
  const back = store.load().outgoing[0];
  assert.deepEqual(
    [back?.state, back?.packetId, back?.message.topic, back?.subscriptionIds],
    [OutgoingState.Pubrel, 3, 't/1', [4, 9]],
  );
});

test('sqlite store - a failed batch leaves nothing of itself', (t) => {
  const store = new SqliteStore(tempFile(t));
  t.after(() => store.close());
  const b = sample();
  // A retained row without a topic breaks a NOT NULL constraint, last.
  b.retained.push({ ...message('bad'), topic: null as unknown as string });
  assert.throws(() => store.commit(b));
  const c = store.load();
  assert.deepEqual([c.sessions.length, c.outgoing.length, c.retained.length], [0, 0, 0]);
});

/** Every outgoing row's seq, topic and flow state, as loaded. */
function outgoing(store: Store): unknown[] {
  return store.load().outgoing.map((o) => [o.seq, o.message.topic, o.packetId, o.state]);
}

function queued(seq: number, topic: string): OutgoingRow {
  return {
    seq,
    clientId: 'a',
    messageKey: seq,
    message: message(topic),
    qos: 1,
    retain: false,
    subscriptionIds: undefined,
    packetId: 0,
    state: OutgoingState.Queued,
    sent: false,
  };
}

/** Rows 1 to 3 folded into the table, then a batch that changes them. */
function foldThenChange(store: SqliteStore): void {
  const b = emptyBatch();
  b.outgoing.push(queued(1, 'one'), queued(2, 'two'), queued(3, 'three'));
  store.commit(b);
  store.checkpoint();
  const c = emptyBatch();
  c.removedOutgoing.push(1);
  c.outgoingUpdates.push({
    ...queued(2, 'two'),
    packetId: 7,
    state: OutgoingState.Publish,
  });
  c.outgoing.push(queued(4, 'four'), queued(5, 'five'));
  store.commit(c);
  const d = emptyBatch();
  d.removedOutgoing.push(5);
  store.commit(d);
}

const AFTER_CHANGE = [
  [2, 'two', 7, OutgoingState.Publish],
  [3, 'three', 0, OutgoingState.Queued],
  [4, 'four', 0, OutgoingState.Queued],
];

test('sqlite store - outgoing rows in the table and in the log load as one', (t) => {
  const file = tempFile(t);
  const store = new SqliteStore(file);
  foldThenChange(store);
  assert.deepEqual(outgoing(store), AFTER_CHANGE);
  store.close();
  const again = new SqliteStore(file);
  t.after(() => again.close());
  assert.deepEqual(outgoing(again), AFTER_CHANGE);
});

test('sqlite store - folding at every commit gives the same rows', (t) => {
  const store = new SqliteStore(tempFile(t), 'normal', { foldBytes: 1 });
  t.after(() => store.close());
  foldThenChange(store);
  assert.deepEqual(outgoing(store), AFTER_CHANGE);
});

test('sqlite store - a crash before any fold loses nothing committed', (t) => {
  const file = tempFile(t);
  const store = new SqliteStore(file);
  t.after(() => store.close());
  foldThenChange(store);
  // Committed frames in the write-ahead log, the outgoing log not folded.
  assert.deepEqual(outgoing(crashImage(t, file)), AFTER_CHANGE);
});

test('sqlite store - a file of schema version 1 is brought up to version 2', (t) => {
  const file = tempFile(t);
  const first = new SqliteStore(file);
  first.commit(sample());
  first.close();
  // Version 1 had no outgoing log; its rows were all in `outgoing`.
  const v1 = new Database(file);
  v1.exec('DROP TABLE log');
  v1.pragma('user_version = 1');
  v1.close();
  const store = new SqliteStore(file);
  t.after(() => store.close());
  assert.deepEqual(
    store.load().outgoing.map((o) => o.seq),
    [1, 2],
  );
  const b = emptyBatch();
  b.outgoing.push(queued(3, 'three'));
  b.removedOutgoing.push(1);
  store.commit(b);
  assert.deepEqual(
    store.load().outgoing.map((o) => o.seq),
    [2, 3],
  );
  store.close();
  const check = new Database(file);
  t.after(() => check.close());
  assert.equal(check.pragma('user_version', { simple: true }), 2);
});

/** The files as a killed process leaves them, copied; the copy opened. */
function crashImage(t: TestContext, file: string): SqliteStore {
  const copy = join(dirname(file), `crash-${Date.now()}.db`);
  copyFileSync(file, copy);
  copyFileSync(`${file}-wal`, `${copy}-wal`);
  const store = new SqliteStore(copy);
  t.after(() => store.close());
  return store;
}

test('sqlite store - blobs of a folded segment are not read again', (t) => {
  const file = tempFile(t);
  const store = new SqliteStore(file);
  t.after(() => store.close());
  for (const seq of [1, 2, 3]) {
    const b = emptyBatch();
    b.outgoing.push(queued(seq, `m${seq}`));
    store.commit(b);
  }
  store.checkpoint();
  // The next segment's one blob takes the place of the first folded one;
  // the two after it are left over, and must stay ignored.
  const b = emptyBatch();
  b.removedOutgoing.push(1, 2, 3);
  b.outgoing.push(queued(4, 'm4'));
  store.commit(b);
  assert.deepEqual(outgoing(crashImage(t, file)), [[4, 'm4', 0, OutgoingState.Queued]]);
});

test('sqlite store - a closed store leaves only the head row in the log', (t) => {
  const file = tempFile(t);
  const store = new SqliteStore(file, 'normal', { foldBytes: 200 });
  for (let seq = 1; seq <= 20; seq++) {
    const b = emptyBatch();
    b.outgoing.push(queued(seq, `m${seq}`));
    if (seq > 2) b.removedOutgoing.push(seq - 2);
    store.commit(b);
  }
  store.close();
  const db = new Database(file);
  const rows = db.prepare('SELECT id, length(data) AS n FROM log').all();
  db.close();
  assert.deepEqual(rows, [{ id: 0, n: 0 }]);
  const again = new SqliteStore(file);
  t.after(() => again.close());
  assert.deepEqual(
    again.load().outgoing.map((o) => o.seq),
    [19, 20],
  );
});
