/**
 * Debian's mosquitto as the reference for the security tests: a broker on a
 * free port of 127.0.0.1 with files the test writes, stopped when the test
 * ends. Tests that need it skip when the binary is missing.
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
  output(): string;
}

/**
 * Starts mosquitto with `listener PORT 127.0.0.1` and the given lines;
 * `files` are written into the broker's folder first (names relative).
 */
export async function startMosquitto(
  t: TestContext,
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
  const child = spawn('mosquitto', ['-c', 'mosquitto.conf'], { cwd: dir });
  t.after(() => stop(child));
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk));
  await waitForPort(port, child, () => text);
  return { port, output: () => text };
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
    if (child.exitCode !== null) throw new Error(`mosquitto exited:\n${output()}`);
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
