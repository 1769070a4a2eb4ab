/**
 * Debian's mosquitto as the reference for the security tests, and midge in
 * the same harness: a broker on a free port of 127.0.0.1 with files the
 * test writes, stopped when the test ends. Tests that need mosquitto skip
 * when the binary is missing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from '../helpers/broker.js';

export const haveMosquitto =
  spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error === undefined;
export const haveMosquittoPasswd =
  spawnSync('mosquitto_passwd', [], { stdio: 'ignore' }).error === undefined;

/** Why a test is skipped, or false when it can run. */
export const skipWithoutMosquitto = haveMosquitto ? false : 'mosquitto is not installed';

/** A temporary folder removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'midge-sec-'));
  // mosquitto started as root reads its files as user "mosquitto".
  chmodSync(dir, 0o755);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Mosquitto {
  port: number;
  /** The broker's folder: its config and the files the test gave. */
  dir: string;
  process: ChildProcess;
  output(): string;
  /** Resolves when the output matches (rejects after `ms`). */
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
}

/** Which broker a test runs against. */
export type BrokerKind = 'midge' | 'mosquitto';

const midgeBin = new URL('../../dist/cli/midge.js', import.meta.url).pathname;

/**
 * Starts mosquitto with `listener PORT 127.0.0.1` and the given lines;
 * `files` are written into the broker's folder first (names relative).
 */
export function startMosquitto(
  t: TestContext,
  config: string,
  files: Record<string, string | Buffer> = {},
): Promise<Mosquitto> {
  return startSecured(t, 'mosquitto', config, files);
}

/**
 * The same for either broker: midge runs from dist/ (`npm run build`),
 * with the same folder layout and config as mosquitto gets.
 */
export async function startSecured(
  t: TestContext,
  kind: BrokerKind,
  config: string,
  files: Record<string, string | Buffer> = {},
): Promise<Mosquitto> {
  const dir = tempDir(t);
  const port = await freePort();
  const all = { ...files, 'mosquitto.conf': `listener ${port} 127.0.0.1\n${config}\n` };
  for (const [name, data] of Object.entries(all)) {
    writeFileSync(join(dir, name), data);
    chmodSync(join(dir, name), 0o644); // whatever the umask, user "mosquitto" reads it
  }
  const child =
    kind === 'mosquitto'
      ? spawn('mosquitto', ['-c', 'mosquitto.conf'], { cwd: dir })
      : spawn(process.execPath, [midgeBin, '-c', 'mosquitto.conf'], { cwd: dir });
  t.after(() => stop(child));
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk;
    for (const wake of waiters) wake();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  await waitForPort(port, child, () => text);
  const waitFor = (match: string | RegExp, ms = 3000) =>
    new Promise<void>((resolve, reject) => {
      const found = () =>
        typeof match === 'string' ? text.includes(match) : match.test(text);
      const check = () => {
        if (!found()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${kind} never logged ${match}; it logged:\n${text}`));
      }, ms);
      waiters.add(check);
      check();
    });
  return { port, dir, process: child, output: () => text, waitFor };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function waitForPort(port: number, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`broker exited:\n${output()}`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`mosquitto did not listen on ${port}:\n${output()}`);
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
