/**
 * Reconnect backoff: initialDelay * factor^failures, capped at maxDelay,
 * spread by +/- jitter so that many clients cut off together (a broker
 * restart) do not all come back in the same millisecond.
 */
import type { ReconnectOptions } from './options.js';

export function backoffDelay(
  policy: Required<ReconnectOptions>,
  failures: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelay, policy.initialDelay * policy.factor ** failures);
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}
