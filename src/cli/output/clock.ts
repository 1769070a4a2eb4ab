/**
 * Wall-clock time with a nanosecond field, for %U, @N, %I and the JSON
 * `tst`. Node's clock resolves below a microsecond, so the last digits of
 * the nanoseconds are as good as the platform gives.
 */
import { performance } from 'node:perf_hooks';

export interface Instant {
  /** Whole seconds since the epoch. */
  seconds: number;
  /** 0..999999999 within that second. */
  nanos: number;
  /** The same moment, for local-time fields. */
  date: Date;
}

export type Clock = () => Instant;

export const systemClock: Clock = () => {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6));
  return { seconds, nanos, date: new Date(seconds * 1000 + Math.floor(nanos / 1e6)) };
};

/** A clock stopped at one moment, for tests. */
export function fixedClock(seconds: number, nanos: number): Clock {
  const date = new Date(seconds * 1000 + Math.floor(nanos / 1e6));
  return () => ({ seconds, nanos, date });
}
