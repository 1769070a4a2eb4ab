/** bench - histogram: percentiles within the stated precision. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram } from '../../src/bench/hdr.js';

function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('bench - histogram', () => {
  it('is exact below 2^precision', () => {
    const h = new Histogram(7);
    for (let v = 0; v < 128; v++) h.record(v);
    assert.equal(h.percentile(50), 63);
    assert.equal(h.percentile(100), 127);
    assert.equal(h.min, 0);
  });

  it('reports percentiles within 1/128 above the exact value, never below', () => {
    const h = new Histogram(7);
    const values: number[] = [];
    let seed = 12345;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // Spread over six decades, as latencies are.
      const v = Math.floor(10 ** ((seed / 2 ** 31) * 6));
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9, 100]) {
      const exact = exactPercentile(values, p);
      const got = h.percentile(p);
      assert.ok(got >= exact, `p${p}: ${got} < ${exact}`);
      assert.ok(got <= exact * (1 + 1 / 128) + 1, `p${p}: ${got} too far above ${exact}`);
    }
  });

  it('merges and survives a round trip through JSON', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let v = 1; v <= 1000; v++) (v % 2 ? a : b).record(v * 37);
    a.merge(b);
    const copy = Histogram.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    assert.equal(copy.total, 1000);
    assert.equal(copy.percentile(99), a.percentile(99));
    assert.equal(copy.max, 37_000);
  });
});
