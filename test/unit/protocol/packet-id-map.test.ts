/**
 * PacketIdMap against a Map as the model: the same answers to get, has,
 * size and delete, and the same iteration order, through any sequence of
 * sets, deletes and clears (ids colliding in the table, wrapping around
 * its end, and growing it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { MAX_PROBE, PacketIdMap } from '../../../src/protocol/packet-id-map.js';

type Op =
  | { kind: 'set'; id: number; value: number }
  | { kind: 'delete'; id: number }
  | { kind: 'clear' };

// Ids from a small range collide often; a few reach the top of the range;
// multiples of 1024 share their home slot in every table up to 1024 slots,
// and a run of them with their neighbours makes long clusters.
const id = fc.oneof(
  fc.integer({ min: 1, max: 40 }),
  fc.integer({ min: 1, max: 0xffff }),
  fc.integer({ min: 1, max: 63 }).map((k) => k * 1024),
  fc.integer({ min: 1, max: 63 }).map((k) => k * 1024 + 1),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('set' as const), id, value: fc.integer() }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('delete' as const), id }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

function check(map: PacketIdMap<number>, model: Map<number, number>): void {
  assert.equal(map.size, model.size);
  assert.deepEqual([...map], [...model]);
  assert.deepEqual(map.keys(), [...model.keys()]);
  assert.deepEqual(map.values(), [...model.values()]);
  for (const [k, v] of model) {
    assert.equal(map.get(k), v);
    assert.ok(map.has(k));
  }
}

test('behaves as a Map through any sequence of sets, deletes and clears', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const map = new PacketIdMap<number>();
      const model = new Map<number, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          map.set(o.id, o.value);
          model.set(o.id, o.value);
        } else if (o.kind === 'delete') {
          assert.equal(map.delete(o.id), model.delete(o.id));
          assert.equal(map.get(o.id), undefined);
          assert.equal(map.has(o.id), false);
        } else {
          map.clear();
          model.clear();
        }
      }
      check(map, model);
    }),
    { numRuns: 500 },
  );
});

test('a window of in-flight ids moving through the whole id space', () => {
  const map = new PacketIdMap<number>();
  const model = new Map<number, number>();
  let next = 1;
  for (let i = 0; i < 200_000; i++) {
    map.set(next, i);
    model.set(next, i);
    if (model.size > 20) {
      const oldest = model.keys().next().value as number;
      assert.ok(map.delete(oldest));
      model.delete(oldest);
    }
    next = next === 0xffff ? 1 : next + 1;
  }
  check(map, model);
});

test('refuses ids outside 1-65535 and finds none there', () => {
  const map = new PacketIdMap<string>();
  for (const bad of [0, -1, 0x10000, 1.5, Number.NaN]) {
    assert.throws(() => map.set(bad, 'x'), RangeError);
    assert.equal(map.has(bad), false);
    assert.equal(map.get(bad), undefined);
    assert.equal(map.delete(bad), false);
  }
  assert.equal(map.size, 0);
});

test('a lookup or delete reads a bounded number of slots, whatever the ids', () => {
  // Ids in sequence fill adjacent slots. A peer may ack ids whose home slot
  // lies inside such a run, or pick colliding ids for its own QoS 2 flows.
  const bound = MAX_PROBE;
  const run = new PacketIdMap<number>();
  for (let i = 1; i <= 16_000; i++) run.set(i, i);
  let before = run.probes;
  for (let i = 1; i <= 16_000; i++) assert.equal(run.get(i + 32_768), undefined);
  const perLookup = (run.probes - before) / 16_000;
  assert.ok(perLookup <= bound, `an absent id read ${perLookup} slots`);
  before = run.probes;
  for (let i = 1; i <= 16_000; i++) run.delete(i);
  const perDelete = (run.probes - before) / 16_000;
  assert.ok(perDelete <= 2 * bound, `a delete in send order read ${perDelete} slots`);

  const hostile = new PacketIdMap<number>();
  const model = new Map<number, number>();
  for (let k = 1; k <= 63; k++) {
    for (const id of [k * 1024, k * 1024 + 1, k * 1024 + 2]) {
      hostile.set(id, k);
      model.set(id, k);
    }
  }
  for (let id = 1; id <= 0xffff; id++) {
    before = hostile.probes;
    assert.equal(hostile.get(id), model.get(id));
    assert.ok(hostile.probes - before <= bound, `get ${id} read too many slots`);
  }
});

test('a table that held thousands of ids lets their memory go once emptied', () => {
  // As a Map does: a session's window may spike once and stay small after.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  const used = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = used();
  const maps: PacketIdMap<number>[] = [];
  for (let k = 0; k < 20; k++) {
    const map = new PacketIdMap<number>();
    for (let id = 1; id <= 20_000; id++) map.set(id, id);
    if (k % 2 === 0) for (let id = 1; id <= 20_000; id++) map.delete(id);
    else map.clear();
    map.set(7, 7);
    maps.push(map);
  }
  const held = used() - base;
  assert.equal(maps.length, 20);
  // 20 tables of 65536 slots would keep 23 MB.
  assert.ok(held < 4_000_000, `${held} bytes still held by 20 emptied tables`);
});
