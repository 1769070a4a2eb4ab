/**
 * Debian's mosquitto as the reference for the security tests, and midge in
 * the same harness: a broker on a free port of 127.0.0.1 with files the
 * test writes, stopped when the test ends. Tests that need mosquitto skip
 * when the binary is missing.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type BrokerKind, startBroker } from '../helpers/broker.js';

export type { BrokerKind };

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
  const rawConfig = (port: number) => `listener ${port} 127.0.0.1\n${config}\n`;
  const broker = await startBroker({ kind, rawConfig, files });
  t.after(() => broker.stop());
  return {
    port: broker.port,
    dir: broker.dir,
    process: broker.process,
    output: broker.output,
    waitFor: (match, ms = 3000) => broker.waitForOutput(match, ms),
  };
}
