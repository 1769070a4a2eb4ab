/**
 * A midge process over a persistence folder that outlives it, so a test
 * can stop it (SIGTERM or SIGKILL) and start another on the same folder
 * and port. Needs `npm run build` (npm test does it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort, midgeBin } from '../helpers/broker.js';

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
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const midge: Midge = {
    process: child,
    exited,
    output: () => text,
    waitForOutput(match, ms = 5000) {
      const found = () =>
        typeof match === 'string' ? text.includes(match) : match.test(text);
      if (found()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`midge never printed ${match}; it printed:\n${text}`));
        }, ms);
        const check = () => {
          if (!found()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (!options.noWait) await waitForPort(site.port, midge);
  return midge;
}

async function waitForPort(port: number, midge: Midge): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (midge.process.exitCode !== null) {
      throw new Error(`midge exited with ${midge.process.exitCode}:\n${midge.output()}`);
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`midge did not listen on ${port}:\n${midge.output()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
