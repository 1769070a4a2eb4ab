/**
 * PacketIdMap against a Map as the model: the same answers to get, has,
 * size and delete, and the same iteration order, through any sequence of
 * sets, deletes and clears (ids colliding in the table, wrapping around
 * its end, and growing it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PacketIdMap } from '../../../src/protocol/packet-id-map.js';

type Op =
  | { kind: 'set'; id: number; value: number }
  | { kind: 'delete'; id: number }
  | { kind: 'clear' };

// Ids from a small range collide often; a few reach the top of the range.
const id = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 0xffff }));
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
