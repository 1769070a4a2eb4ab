/**
 * GC pacing: after every PACE_BYTES read, the broker has V8 collect the
 * young generation, and it does so without leaving `gc` exposed to any
 * other code.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  constants,
  type PerformanceEntry,
  PerformanceObserver,
  performance,
} from 'node:perf_hooks';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { noteBytesRead, PACE_BYTES } from '../../../src/io/gc-pacing.js';

/** Young-generation collections that started while `run` ran. */
async function minorCollections(run: () => void): Promise<number> {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const from = performance.now();
  run();
  const to = performance.now();
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return entries.filter((entry) => {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
    return (
      kind === constants.NODE_PERFORMANCE_GC_MINOR &&
      entry.startTime >= from &&
      entry.startTime <= to
    );
  }).length;
}

test('a young-generation collection follows every PACE_BYTES read, not sooner', async () => {
  // Start from a full count, whatever earlier reads in this process left.
  noteBytesRead(PACE_BYTES);
  const below = await minorCollections(() => {
    for (let read = 0; read + 65536 < PACE_BYTES; read += 65536) noteBytesRead(65536);
  });
  const at = await minorCollections(() => noteBytesRead(65536));
  assert.equal(below, 0, 'no collection asked for below PACE_BYTES');
  assert.ok(at >= 1, `one collection at PACE_BYTES, saw ${at}`);
  const three = await minorCollections(() => {
    for (let i = 0; i < 3; i++) noteBytesRead(PACE_BYTES);
  });
  assert.ok(three >= 3, `three collections for 3 x PACE_BYTES, saw ${three}`);
});

test('gc is not left exposed to new contexts or the global scope', async () => {
  noteBytesRead(PACE_BYTES);
  assert.equal(runInNewContext('typeof gc'), 'undefined');
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});

test('a process started with --expose-gc keeps gc in its new contexts', () => {
  // The broker may run where its global has no gc though the process was
  // started with the flag (a vm sandbox, as test runners make): the flag
  // is the embedder's, and must still be on after the broker takes gc.
  const module = new URL('../../../src/io/gc-pacing.ts', import.meta.url).href;
  const script = `
    import { runInNewContext } from 'node:vm';
    import { noteBytesRead, PACE_BYTES } from ${JSON.stringify(module)};
    globalThis.gc = undefined;
    noteBytesRead(PACE_BYTES);
    console.log(runInNewContext('typeof gc'));
  `;
  const args = ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
  assert.equal(child.stderr, '');
  assert.equal(child.stdout.trim(), 'function');
});
