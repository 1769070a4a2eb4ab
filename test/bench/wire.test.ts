/**
 * bench - wire: the generator's scanner finds every packet whatever the
 * chunking, and the sequence tracker tells loss, duplicates and reordering
 * apart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batch } from '../../src/bench/gen/batch.js';
import { SeqTracker } from '../../src/bench/gen/seq-tracker.js';
import { ackTemplate, FrameScanner, type FrameSink } from '../../src/bench/gen/wire.js';
import { PacketType } from '../../src/protocol/index.js';

class Sink implements FrameSink {
  seqs: number[] = [];
  ids: number[] = [];
  acks: number[] = [];
  onPublish(_flags: number, packetId: number, buf: Buffer, at: number): void {
    this.seqs.push(buf.readUInt32LE(at + 4));
    this.ids.push(packetId);
  }
  onAck(_type: number, packetId: number): void {
    this.acks.push(packetId);
  }
  onControl(): void {}
}

/** A stream of `count` stamped PUBLISH packets followed by one PUBACK. */
function stream(payload: number, qos: 0 | 1 | 2, version: 4 | 5, count: number): Buffer {
  const shape = {
    publisher: 0,
    topics: ['a/b'],
    topicBase: 0,
    qos,
    payload,
    retain: false,
  };
  const batch = new Batch({ ...shape, version });
  const parts: Buffer[] = [];
  for (let seq = 0; seq < count; seq++) {
    const j = seq % batch.slots;
    const start = j === 0 ? 0 : batch.slotEnd[j - 1]!;
    const slot = Buffer.from(batch.buf.subarray(start, batch.slotEnd[j]!));
    slot.writeUInt32LE(seq, batch.stampAt[j]! - start + 4);
    if (qos > 0) slot.writeUInt16BE(seq + 1, batch.idAt[j]! - start);
    parts.push(slot);
  }
  const ack = ackTemplate(PacketType.Puback, version);
  ack.writeUInt16BE(999, 2);
  parts.push(ack);
  return Buffer.concat(parts);
}

function scan(bytes: Buffer, chunk: number, version: 4 | 5): Sink {
  const sink = new Sink();
  const scanner = new FrameScanner(sink, version);
  for (let at = 0; at < bytes.length; at += chunk) {
    // A fresh copy per chunk, then scribbled over: the scanner may not
    // keep references into a chunk (the generator reuses its read buffer).
    const piece = Buffer.from(bytes.subarray(at, at + chunk));
    scanner.feed(piece);
    piece.fill(0xee);
  }
  return sink;
}

describe('bench - wire scanner', () => {
  for (const version of [4, 5] as const) {
    const name = version === 4 ? '3.1.1' : '5.0';
    it(`finds every packet at any chunk size (MQTT ${name})`, () => {
      const bytes = stream(16, 1, version, 40);
      for (let chunk = 1; chunk <= 80; chunk++) {
        const sink = scan(bytes, chunk, version);
        assert.deepEqual(sink.seqs, [...Array(40).keys()], `chunk ${chunk}`);
        assert.equal(sink.ids[39], 40);
        assert.deepEqual(sink.acks, [999]);
      }
    });
  }

  it('skips large payloads across chunks without losing the next header', () => {
    const bytes = stream(65536, 2, 4, 5);
    for (const chunk of [7, 1000, 65536, 65541, 100_000]) {
      const sink = scan(bytes, chunk, 4);
      assert.deepEqual(sink.seqs, [0, 1, 2, 3, 4], `chunk ${chunk}`);
      assert.deepEqual(sink.acks, [999]);
    }
  });
});

describe('bench - sequence tracker', () => {
  it('counts distinct, duplicate and late messages', () => {
    const t = new SeqTracker();
    for (const seq of [0, 1, 3, 2, 3, 5000, 4]) t.record(seq);
    assert.equal(t.distinct, 6);
    assert.equal(t.duplicates, 1);
    assert.equal(t.reordered, 2);
  });
});
