/**
 * Live counters shared between the generator workers and the runner: one
 * row of Float64 slots per worker in a SharedArrayBuffer. Each row has a
 * single writer (its worker), so plain stores are enough; the runner reads
 * them to draw progress and to cut the measuring window without asking the
 * workers anything.
 */
export const Counter = {
  /** PUBLISH packets written by publishers. */
  Sent: 0,
  /** PUBLISH packets received by subscribers (duplicates included). */
  Delivered: 1,
  /** QoS 1/2 flows completed towards the broker. */
  Acked: 2,
  /** CONNECT/CONNACK exchanges completed. */
  Connected: 3,
  /** Socket errors and refused connections. */
  Errors: 4,
} as const;

export const countersPerWorker = 8;

export class Counters {
  readonly row: Float64Array;

  constructor(buffer: SharedArrayBuffer, worker: number) {
    this.row = new Float64Array(
      buffer,
      worker * countersPerWorker * 8,
      countersPerWorker,
    );
  }

  static buffer(workers: number): SharedArrayBuffer {
    return new SharedArrayBuffer(workers * countersPerWorker * 8);
  }

  /** Sum of one counter over every worker. */
  static total(buffer: SharedArrayBuffer, counter: number): number {
    const all = new Float64Array(buffer);
    let sum = 0;
    for (let i = counter; i < all.length; i += countersPerWorker) sum += all[i]!;
    return sum;
  }
}
