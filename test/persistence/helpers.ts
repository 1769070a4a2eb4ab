/**
 * A midge process over a persistence folder that outlives it, so a test
 * can stop it (SIGTERM or SIGKILL) and start another on the same folder
 * and port. Needs `npm run build` (npm test does it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort, midgeBin, waitForPort, watchOutput } from '../helpers/broker.js';

export interface Site {
  /** Holds the config file and, in data/, the persistence folder. */
  dir: string;
  data: string;
  port: number;
}

/** A folder and a port for one test; removed when the test ends. */
export async function newSite(t: TestContext): Promise<Site> {
  const dir = mkdtempSync(join(tmpdir(), 'midge-persist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  mkdirSync(data);
  return { dir, data, port: await freePort() };
}

export interface Midge {
  process: ChildProcess;
  output(): string;
  waitForOutput(text: string | RegExp, ms?: number): Promise<void>;
  /** Sends `signal` and resolves with the exit code (null if killed). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export interface MidgeOptions {
  /** Lines after the listener and persistence lines. */
  config?: string;
  /** Replaces the persistence lines. */
  persistence?: string;
  /** Do not wait for the port: for brokers expected to refuse to start. */
  noWait?: boolean;
}

export async function startMidge(
  t: TestContext,
  site: Site,
  options: MidgeOptions = {},
): Promise<Midge> {
  const persistence =
    options.persistence ?? `persistence true\npersistence_location ${site.data}/\n`;
  const conf = join(site.dir, 'midge.conf');
  writeFileSync(
    conf,
    `listener ${site.port} 127.0.0.1\nallow_anonymous true\n${persistence}\n` +
      `${options.config ?? ''}\n`,
  );
  const child = spawn(process.execPath, [midgeBin, '-c', conf], { cwd: site.dir });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const { output, waitForOutput } = watchOutput(child);
  const midge: Midge = {
    process: child,
    exited,
    output,
    waitForOutput,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (!options.noWait) await waitForPort(site.port, child, output);
  return midge;
}
