/** Waiting with a live status line, shared by the scenarios. */
import type { Context } from './types.js';

const tick = 100;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits `seconds`, calling `sample` every tick for the status detail.
 * `offset` and `total` (seconds) place this wait within the whole run.
 */
export async function waitShowing(
  ctx: Context,
  phase: string,
  seconds: number,
  span: { offset: number; total: number },
  sample: () => string,
): Promise<void> {
  const start = performance.now();
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= seconds * 1000) return;
    await sleep(Math.min(tick, seconds * 1000 - elapsed));
    const done = (span.offset + (performance.now() - start) / 1000) / span.total;
    ctx.status(phase, Math.min(1, done), sample());
  }
}

/** A rate over the time since the previous call, for status lines. */
export function rateMeter(read: () => number, unit: string): () => string {
  let at = performance.now();
  let last = read();
  return () => {
    const now = performance.now();
    const value = read();
    const rate = ((value - last) * 1000) / Math.max(1, now - at);
    at = now;
    last = value;
    return `${Math.round(rate).toLocaleString('en')} ${unit}`;
  };
}
