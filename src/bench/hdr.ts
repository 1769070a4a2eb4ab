/**
 * A small HDR-style histogram: log-linear buckets over non-negative
 * integers (microseconds here). Values below 2^precision are exact; above,
 * every power of two is cut into 2^precision equal buckets, so any value is
 * known to within 1/2^precision (under 1% with the default 7 bits) while
 * the whole range up to 2^31 fits in a few thousand counters. Recording is
 * one clz and one array increment, cheap enough for every message.
 */
export class Histogram {
  readonly precision: number;
  readonly counts: Float64Array;
  total = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  readonly #sub: number;

  constructor(precision = 7) {
    this.precision = precision;
    this.#sub = 2 ** precision;
    this.counts = new Float64Array(this.#sub * (32 - precision));
  }

  record(value: number): void {
    const v = value <= 0 ? 0 : value >= 0x7fffffff ? 0x7fffffff : Math.floor(value);
    this.counts[this.#index(v)]!++;
    this.total++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Adds another histogram of the same precision into this one. */
  merge(other: Histogram): void {
    if (other.precision !== this.precision) throw new Error('precision differs');
    for (let i = 0; i < other.counts.length; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    if (other.total > 0) {
      this.min = Math.min(this.min, other.min);
      this.max = Math.max(this.max, other.max);
    }
  }

  /**
   * The value at percentile `p` (0-100): the highest value of the bucket
   * holding that rank, so a reported p99 is never an underestimate.
   */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.#highest(i), this.max);
    }
    return this.max;
  }

  mean(): number {
    if (this.total === 0) return Number.NaN;
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const n = this.counts[i]!;
      if (n > 0) sum += n * ((this.#lowest(i) + this.#highest(i)) / 2);
    }
    return sum / this.total;
  }

  /** A compact form for postMessage and JSON: [index, count] pairs. */
  toJSON(): { precision: number; min: number; max: number; buckets: number[][] } {
    const buckets: number[][] = [];
    this.counts.forEach((n, i) => {
      if (n > 0) buckets.push([i, n]);
    });
    return { precision: this.precision, min: this.min, max: this.max, buckets };
  }

  static fromJSON(data: ReturnType<Histogram['toJSON']>): Histogram {
    const h = new Histogram(data.precision);
    for (const [i, n] of data.buckets) {
      h.counts[i!] = n!;
      h.total += n!;
    }
    h.min = data.min;
    h.max = data.max;
    return h;
  }

  #index(v: number): number {
    if (v < this.#sub) return v;
    const magnitude = 31 - Math.clz32(v);
    const shift = magnitude - this.precision;
    return this.#sub * (shift + 1) + ((v >>> shift) - this.#sub);
  }

  #lowest(i: number): number {
    if (i < this.#sub) return i;
    const shift = Math.floor(i / this.#sub) - 1;
    return (this.#sub + (i % this.#sub)) * 2 ** shift;
  }

  #highest(i: number): number {
    if (i < this.#sub) return i;
    const shift = Math.floor(i / this.#sub) - 1;
    return this.#lowest(i) + 2 ** shift - 1;
  }
}
