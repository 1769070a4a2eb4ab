/**
 * Paces V8's young-generation collections to the bytes the broker reads.
 *
 * Every chunk a socket reads arrives in a new ArrayBuffer whose memory lies
 * outside the JavaScript heap, and a packet spanning chunks is assembled
 * into one more. Nearly all of them die within a millisecond, but they are
 * freed only when V8 collects the young generation, which it does when the
 * young heap fills with JavaScript objects, and the broker's hot path
 * makes few of those. Meanwhile V8 counts the buffers against the old
 * generation's limit and, once that is reached, starts a full mark-compact
 * collection. With 64 KB payloads at several hundred MB/s that is one full
 * collection every 10-20 ms, a quarter of the broker's time, where a
 * young-generation collection, under half a millisecond when little
 * survives, would have freed the same buffers (docs/benchmarks.md).
 *
 * So the broker asks for a young-generation collection after every
 * PACE_BYTES it reads. V8 gives no API for that; its `gc` function is
 * exposed for one new context and hidden again, and this module alone
 * keeps it (a process started with --expose-gc is left as it was). Where
 * that fails, pacing is off and V8 decides alone.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes read between two young-generation collections. */
export const PACE_BYTES = 4 * 1024 * 1024;

type Collect = (options: { type: 'minor' }) => void;

let collect: Collect | null | undefined;
let sinceLast = 0;

/** V8's collector, taken once; null where it cannot be had. */
function collector(): Collect | null {
  const global = (globalThis as { gc?: unknown }).gc;
  if (typeof global === 'function') return global as Collect;
  try {
    // Started with --expose-gc, but run where this global lacks it (a vm
    // sandbox): the flag is the process's, so it is left on.
    const exposed: unknown = runInNewContext('typeof gc === "function" && gc');
    if (typeof exposed === 'function') return exposed as Collect;
    setFlagsFromString('--expose-gc');
    let gc: unknown;
    try {
      gc = runInNewContext('gc');
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
    return typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    return null;
  }
}

/** Counts `bytes` read; collects the young generation every PACE_BYTES. */
export function noteBytesRead(bytes: number): void {
  sinceLast += bytes;
  if (sinceLast < PACE_BYTES) return;
  sinceLast = 0;
  if (collect === undefined) collect = collector();
  collect?.({ type: 'minor' });
}
