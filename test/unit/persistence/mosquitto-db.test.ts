/**
 * Reading mosquitto.db: a file written by Debian's mosquitto 2.0.11
 * (fixtures/mosquitto-2.0.11.db: two retained messages, a 3.1.1 and a 5.0
 * persistent session with four queued messages each, made by running it),
 * and files in the older formats 2 to 5 built here field by field.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { NEVER_EXPIRES } from '../../../src/broker/index.js';
import { OutgoingState } from '../../../src/broker/message.js';
import { mosquittoContents } from '../../../src/persistence/mosquitto-convert.js';
import { parseMosquittoDb } from '../../../src/persistence/mosquitto-db.js';

const FIXTURE = new URL('./fixtures/mosquitto-2.0.11.db', import.meta.url);
/** The fixture was written at this time (epoch seconds, in its own clock). */
const WRITTEN = 1_796_404_403;

function read(buf: Buffer, now = WRITTEN * 1000) {
  const chunks = parseMosquittoDb(buf);
  return { version: chunks.version, ...mosquittoContents(chunks, now) };
}

test('mosquitto.db - a file from mosquitto 2.0.11 (format 6)', () => {
  const db = read(readFileSync(FIXTURE));
  const c = db.contents;
  assert.equal(db.version, 6);
  assert.deepEqual(db.skipped, []);
  assert.deepEqual(
    c.sessions.map((s) => [s.clientId, s.expiryInterval, s.nextPacketId]),
    [
      ['dur4', NEVER_EXPIRES, 5],
      ['dur5', 3600, 5],
    ],
  );
  // The 5.0 session was to end an hour after its client left.
  const ends = c.sessions[1]?.expiresAt ?? 0;
  assert.ok(Math.abs(ends - (WRITTEN + 3600) * 1000) < 60_000, `ends at ${ends}`);
  assert.deepEqual(
    c.subscriptions.map((s) => [s.clientId, s.key, s.record.qos, s.record.noLocal]),
    [
      ['dur4', 'q/#', 2, false],
      ['dur5', 'q/#', 1, true],
    ],
  );
  assert.equal(c.subscriptions[1]?.record.identifier, 7);
  assert.equal(c.subscriptions[1]?.record.retainAsPublished, true);
  assert.deepEqual(
    c.outgoing.map((o) => [o.clientId, o.message.payload.toString(), o.qos, o.state]),
    [
      ['dur4', 'queued0', 1, OutgoingState.Queued],
      ['dur4', 'queued1', 1, OutgoingState.Queued],
      ['dur4', 'queued2', 1, OutgoingState.Queued],
      ['dur4', 'q2msg', 2, OutgoingState.Queued],
      ['dur5', 'queued0', 1, OutgoingState.Queued],
      ['dur5', 'queued1', 1, OutgoingState.Queued],
      ['dur5', 'queued2', 1, OutgoingState.Queued],
      ['dur5', 'q2msg', 1, OutgoingState.Queued],
    ],
  );
  assert.deepEqual(c.outgoing[4]?.subscriptionIds, [7]);
  // One message for both sessions: the rows share its key.
  assert.equal(c.outgoing[0]?.messageKey, c.outgoing[4]?.messageKey);
  const [kept, expiring] = c.retained;
  assert.deepEqual(
    [kept?.topic, kept?.payload.toString(), kept?.origin],
    ['keep/r', 'retained1', 'pub'],
  );
  assert.deepEqual(kept?.properties, {
    contentType: 'text/plain',
    userProperties: [['a', 'b']],
  });
  assert.equal(expiring?.topic, 'keep/exp');
  assert.ok((expiring?.expiresAt ?? 0) > WRITTEN * 1000);
});

test('mosquitto.db - expired messages are left out, and said so', () => {
  const later = (WRITTEN + 7200) * 1000;
  const db = read(readFileSync(FIXTURE), later);
  assert.deepEqual(
    db.contents.retained.map((m) => m.topic),
    ['keep/r'],
  );
  assert.deepEqual(db.skipped, ['1 retained messages that expired or are missing']);
});

// Files of the older formats, built from their layout.

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function u64le(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}
const str = (s: string) => Buffer.concat([u16(Buffer.byteLength(s)), Buffer.from(s)]);

function file(version: number, chunks: Buffer[]): Buffer {
  const magic = Buffer.from('00b5006d6f7371756974746f206462', 'hex');
  return Buffer.concat([magic, u32(0), u32(version), ...chunks]);
}
const chunk234 = (type: number, body: Buffer) =>
  Buffer.concat([u16(type), u32(body.length), body]);
const chunk56 = (type: number, body: Buffer) =>
  Buffer.concat([u32(type), u32(body.length), body]);

/** Format 2 to 4 chunks: CFG, a message, a client, its messages, a sub, a retain. */
function oldFile(version: 2 | 3 | 4): Buffer {
  const store = (id: number, topic: string, payload: string, retain: number) =>
    chunk234(
      2,
      Buffer.concat([
        u64le(id),
        str('src'),
        ...(version === 4 ? [str('user'), u16(1883)] : []),
        u16(1),
        u16(1),
        str(topic),
        Buffer.from([1, retain]),
        u32(payload.length),
        Buffer.from(payload),
      ]),
    );
  const clientMsg = (id: number, mid: number, state: number, direction: number) =>
    chunk234(
      3,
      Buffer.concat([
        str('old'),
        u64le(id),
        u16(mid),
        Buffer.from([1, 0, direction, state, 0]),
      ]),
    );
  return file(version, [
    chunk234(1, Buffer.concat([Buffer.from([1, 8]), u64le(3)])),
    store(1, 'a/b', 'queued', 0),
    store(2, 'a/r', 'kept', 1),
    chunk234(
      6,
      Buffer.concat([str('old'), u16(41), ...(version === 2 ? [] : [u64le(0)])]),
    ),
    clientMsg(1, 0, 11, 1),
    clientMsg(1, 12, 3, 1),
    chunk234(5, Buffer.concat([str('old'), str('a/#'), Buffer.from([1])])),
    chunk234(4, u64le(2)),
  ]);
}

for (const version of [2, 3, 4] as const) {
  test(`mosquitto.db - format ${version} (Mosquitto 1.x)`, () => {
    const db = read(oldFile(version));
    const c = db.contents;
    assert.equal(db.version, version);
    assert.deepEqual(
      c.sessions.map((s) => [s.clientId, s.expiryInterval, s.nextPacketId]),
      [['old', NEVER_EXPIRES, 42]],
    );
    assert.deepEqual(
      c.subscriptions.map((s) => [s.key, s.record.qos]),
      [['a/#', 1]],
    );
    assert.deepEqual(
      c.outgoing.map((o) => [o.message.payload.toString(), o.packetId, o.state, o.sent]),
      [
        ['queued', 0, OutgoingState.Queued, false],
        ['queued', 12, OutgoingState.Publish, true],
      ],
    );
    assert.deepEqual(
      c.retained.map((m) => [m.topic, m.payload.toString(), m.origin]),
      [['a/r', 'kept', 'src']],
    );
  });
}

test('mosquitto.db - format 5 (Mosquitto 1.6): in-flight steps both ways', () => {
  const pad = (b: Buffer, n: number) => Buffer.concat([b, Buffer.alloc(n - b.length)]);
  const store = (id: number, topic: string, payload: string) => {
    const fixed = pad(
      Buffer.concat([
        u64le(id),
        u64le(0),
        u32(payload.length),
        u16(0),
        u16(3),
        u16(0),
        u16(topic.length),
        u16(0),
        Buffer.from([2, 0]),
      ]),
      32,
    );
    return chunk56(
      2,
      Buffer.concat([
        fixed,
        Buffer.from('src'),
        Buffer.from(topic),
        Buffer.from(payload),
      ]),
    );
  };
  const client = chunk56(
    6,
    Buffer.concat([
      pad(Buffer.concat([u64le(0), u32(120), u16(9), u16(3)]), 16),
      Buffer.from('new'),
    ]),
  );
  const msg = (id: number, mid: number, qos: number, state: number, direction: number) =>
    chunk56(
      3,
      Buffer.concat([
        pad(
          Buffer.concat([
            u64le(id),
            u16(mid),
            u16(3),
            Buffer.from([qos, state, 0, direction]),
          ]),
          16,
        ),
        Buffer.from('new'),
      ]),
    );
  const db = read(
    file(5, [
      chunk56(1, pad(Buffer.concat([u64le(9), Buffer.from([0, 8])]), 16)),
      store(1, 'x/1', 'one'),
      store(2, 'x/2', 'two'),
      store(3, 'x/3', 'three'),
      client,
      msg(1, 5, 2, 5, 1), // waiting for PUBREC
      msg(2, 6, 2, 9, 1), // waiting for PUBCOMP
      msg(3, 7, 2, 7, 0), // from the client, waiting for PUBREL
      msg(3, 0, 2, 7, 0), // damaged: no PUBREL can name packet id 0
      chunk56(99, Buffer.from('future')), // unknown: skipped
    ]),
  );
  const c = db.contents;
  assert.deepEqual(
    c.sessions.map((s) => [s.clientId, s.expiryInterval, s.nextPacketId]),
    [['new', 120, 10]],
  );
  assert.deepEqual(
    c.outgoing.map((o) => [o.message.topic, o.packetId, o.state]),
    [
      ['x/1', 5, OutgoingState.Publish],
      ['x/2', 6, OutgoingState.Pubrel],
    ],
  );
  assert.deepEqual(
    c.incoming.map((i) => [i.packetId, i.message?.topic]),
    [[7, 'x/3']],
  );
  assert.deepEqual(db.skipped, [
    '1 incoming messages without a packet identifier',
    '1 chunks of an unknown type',
  ]);
});

test('mosquitto.db - files it cannot read say why', () => {
  const v = (n: number) => file(n, []);
  assert.throws(
    () => parseMosquittoDb(v(7)),
    /format version 7 is not one Mosquitto 2.0 reads/,
  );
  assert.throws(
    () => parseMosquittoDb(Buffer.from('SQLite format 3')),
    /not a Mosquitto database/,
  );
  const cut = readFileSync(FIXTURE).subarray(0, 200);
  assert.throws(() => parseMosquittoDb(cut), /cut short/);
});
