/**
 * How long a bridge waits before connecting again (`restart_timeout`).
 *
 * One number is a constant delay. Two numbers, `base cap`, mean
 * "decorrelated jitter" backoff as Mosquitto does it: each delay is drawn
 * at random between the base and three times the previous delay, never
 * above the cap, so bridges that lost the same remote do not all return at
 * once. A connection that stayed up at least `stable` seconds (2.1's third
 * number, 0 by default) starts the backoff again from the base.
 */
import type { BridgeConfig } from '../config/types.js';

export type Random = () => number;

export class RestartDelay {
  readonly #constantMs: number | null;
  readonly #baseMs: number;
  readonly #capMs: number;
  readonly #stableMs: number;
  readonly #random: Random;
  #currentMs: number;

  constructor(config: BridgeConfig, random: Random = Math.random) {
    this.#constantMs =
      config.restartTimeout === null ? null : config.restartTimeout * 1000;
    this.#baseMs = config.backoffBase * 1000;
    this.#capMs = config.backoffCap * 1000;
    this.#stableMs = (config.backoffStable ?? 0) * 1000;
    this.#random = random;
    this.#currentMs = this.#baseMs;
  }

  /** True when the delay is drawn at random (the `base cap` form). */
  get isBackoff(): boolean {
    return this.#constantMs === null;
  }

  /**
   * The delay before the next attempt. `upForMs` is how long the last
   * connection lasted, or null if the attempt never connected.
   */
  next(upForMs: number | null): number {
    if (this.#constantMs !== null) return this.#constantMs;
    if (upForMs !== null && upForMs >= this.#stableMs) {
      this.#currentMs = this.#baseMs;
      return this.#currentMs;
    }
    const high = Math.max(this.#currentMs * 3, this.#baseMs + 1);
    const drawn = this.#baseMs + Math.floor(this.#random() * (high - this.#baseMs));
    this.#currentMs = Math.min(drawn, this.#capMs);
    return this.#currentMs;
  }
}
