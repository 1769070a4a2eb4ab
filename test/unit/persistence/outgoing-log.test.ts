/**
 * The outgoing log's records and their index: what a batch writes comes
 * back with its last flow state, rows added and removed within the log
 * leave nothing, and changes to rows of the table are handed back as such.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutgoingState } from '../../../src/broker/message.js';
import { LogIndex } from '../../../src/persistence/log-index.js';
import { LogWriter } from '../../../src/persistence/outgoing-log.js';
import {
  type Batch,
  emptyBatch,
  type OutgoingRow,
  type SavedMessage,
} from '../../../src/persistence/store.js';

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

function row(seq: number, clientId: string, key: number, m: SavedMessage): OutgoingRow {
  return {
    seq,
    clientId,
    messageKey: key,
    message: m,
    qos: 1,
    retain: false,
    subscriptionIds: undefined,
    packetId: 0,
    state: OutgoingState.Queued,
    sent: false,
  };
}

/** Each batch through one writer, in order, into one index. */
function replay(...batches: Batch[]): LogIndex {
  const writer = new LogWriter();
  // Smaller than most of the blobs here: the index makes room.
  const r = new LogIndex(16);
  for (const b of batches) {
    const blob = writer.encode(b);
    if (blob !== undefined) r.add(blob);
  }
  return r;
}

/** Buffers compared by value. */
function plain(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x));
}

test('outgoing log - every field of a row and its message comes back', () => {
  const m = message('t/é/😀', {
    qos: 2,
    retain: true,
    expiresAt: 1_900_000_000_123,
    origin: 'pub-ñ',
    payload: Buffer.alloc(70_000, 7),
    properties: {
      contentType: 'text/plain',
      correlationData: Buffer.from([1, 2]),
      userProperties: [['k', 'v']],
    },
  });
  const b = emptyBatch();
  b.outgoing.push({
    ...row(5, 'client-ü', 40, m),
    qos: 2,
    retain: true,
    subscriptionIds: [1, 268_435_455],
    packetId: 65_535,
    state: OutgoingState.Pubrel,
    sent: true,
  });
  assert.deepEqual(plain(replay(b).rows()), plain(b.outgoing));
});

test('outgoing log - copies of one message share it; nothing is empty', () => {
  const writer = new LogWriter();
  assert.equal(writer.encode(emptyBatch()), undefined);
  const m = message('fan/out');
  const b = emptyBatch();
  b.outgoing.push(row(1, 'a', 7, m), row(2, 'b', 7, m), row(3, 'c', 8, message('x')));
  const one = writer.encode(b)?.length ?? 0;
  const rows = replay(b).rows();
  assert.deepEqual(
    rows.map((r) => [r.seq, r.clientId, r.messageKey, r.message.topic]),
    [
      [1, 'a', 7, 'fan/out'],
      [2, 'b', 7, 'fan/out'],
      [3, 'c', 8, 'x'],
    ],
  );
  assert.equal(rows[0]?.message, rows[1]?.message);
  // The shared message is written once: the blob is smaller than three.
  const apart = emptyBatch();
  apart.outgoing.push(row(1, 'a', 7, m), row(2, 'b', 9, m), row(3, 'c', 8, message('x')));
  assert.ok(one < (writer.encode(apart)?.length ?? 0));
});

test('outgoing log - rows added and removed in the log leave nothing', () => {
  const first = emptyBatch();
  first.outgoing.push(row(10, 'a', 1, message('one')), row(11, 'a', 2, message('two')));
  const second = emptyBatch();
  second.removedOutgoing.push(10);
  second.outgoingUpdates.push({
    ...row(11, 'a', 2, message('ignored')),
    packetId: 4,
    state: OutgoingState.Publish,
    sent: true,
  });
  second.outgoing.push(row(12, 'a', 3, message('three')));
  const third = emptyBatch();
  third.removedOutgoing.push(12);
  const r = replay(first, second, third);
  assert.deepEqual(
    r.rows().map((o) => [o.seq, o.message.topic, o.packetId, o.state, o.sent]),
    [[11, 'two', 4, OutgoingState.Publish, true]],
  );
  assert.deepEqual(r.removed, []);
  assert.deepEqual([...r.updated.keys()], []);
});

test('outgoing log - changes to rows not added in the log are for the table', () => {
  const b = emptyBatch();
  b.outgoing.push(row(100, 'a', 1, message('new')));
  b.outgoingUpdates.push(
    { ...row(3, 'a', 1, message('old')), packetId: 9, state: OutgoingState.Pubrel },
    { ...row(4, 'a', 1, message('old')), packetId: 8, state: OutgoingState.Publish },
  );
  const later = emptyBatch();
  later.removedOutgoing.push(4, 5);
  const r = replay(b, later);
  assert.deepEqual(r.removed, [4, 5]);
  assert.deepEqual(
    [...r.updated.values()],
    [{ seq: 3, packetId: 9, state: OutgoingState.Pubrel, sent: false }],
  );
  assert.deepEqual(
    r.rows().map((o) => o.seq),
    [100],
  );
});

test('outgoing log - a row added below the first seq is still tracked', () => {
  const b = emptyBatch();
  b.outgoing.push(row(50, 'a', 1, message('fifty')), row(20, 'a', 2, message('twenty')));
  const later = emptyBatch();
  later.outgoingUpdates.push({ ...row(20, 'a', 2, message('x')), packetId: 2 });
  later.removedOutgoing.push(50);
  const r = replay(b, later);
  assert.deepEqual(
    r.rows().map((o) => [o.seq, o.message.topic, o.packetId]),
    [[20, 'twenty', 2]],
  );
  assert.deepEqual(r.removed, []);
});

test('outgoing log - a damaged blob is refused', () => {
  const b = emptyBatch();
  b.outgoing.push(row(1, 'a', 1, message('one')));
  const blob = Buffer.from(new LogWriter().encode(b) as Buffer);
  assert.throws(() => new LogIndex(64).add(Buffer.from([9, 0, 0])), /bad outgoing log/);
  assert.throws(() => new LogIndex(64).add(blob.subarray(0, blob.length - 1)));
});

test('outgoing log - the index forgets everything when cleared', () => {
  const b = emptyBatch();
  b.outgoing.push(row(1, 'a', 1, message('one')));
  b.removedOutgoing.push(0);
  const r = replay(b);
  assert.equal(r.empty, false);
  assert.equal(r.fits(1 << 20), false);
  r.clear();
  assert.equal(r.empty, true);
  assert.equal(r.fits(16), true);
  assert.deepEqual([r.rows(), r.removed], [[], []]);
  const again = emptyBatch();
  again.outgoing.push(row(9, 'b', 2, message('nine')));
  r.add(new LogWriter().encode(again) as Buffer);
  assert.deepEqual(
    r.rows().map((o) => [o.seq, o.clientId]),
    [[9, 'b']],
  );
});
