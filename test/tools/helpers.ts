/**
 * Side-by-side runs of Debian's mosquitto_pub/_sub/_rr and midge's
 * midge_pub/_sub/_rr (from dist/: run `npm run build` first; `npm test`
 * does). Every run is given `-h 127.0.0.1 -p PORT` of a broker started
 * here, a time limit, and is killed at teardown if still running.
 *
 * The broker is Debian's mosquitto (the reference for what the tools see);
 * MIDGE_TOOLS_BROKER=midge runs the same tests against midge's broker.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type RunningBroker, startBroker } from '../helpers/broker.js';

export type Tool = 'pub' | 'sub' | 'rr';
export type Impl = 'mosquitto' | 'midge';

const dist = new URL('../../dist/cli/', import.meta.url).pathname;

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** An empty HOME so no options file of the user running the tests applies. */
export const emptyHome = mkdtempSync(join(tmpdir(), 'midge-tools-home-'));
after(() => rmSync(emptyHome, { recursive: true, force: true }));

export function command(impl: Impl, tool: Tool): [string, string[]] {
  return impl === 'mosquitto'
    ? [`mosquitto_${tool}`, []]
    : [process.execPath, [join(dist, `midge-${tool}.js`)]];
}

export interface RunOptions {
  stdin?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  ms?: number;
}

/** Starts a tool; `done` resolves when it exits (or is killed at `ms`). */
export function start(impl: Impl, tool: Tool, args: string[], options: RunOptions = {}) {
  const [bin, pre] = command(impl, tool);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: emptyHome };
  // The user's own XDG_CONFIG_HOME would bring the user's options files in.
  delete env.XDG_CONFIG_HOME;
  Object.assign(env, options.env);
  const child = spawn(bin, [...pre, ...args], { env });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  child.stdin.on('error', () => {});
  child.stdin.end(options.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.ms ?? 5000);
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
  });
  return { child, done, stdout: () => Buffer.concat(out) };
}

export function run(impl: Impl, tool: Tool, args: string[], options: RunOptions = {}) {
  return start(impl, tool, args, options).done;
}

/** Mosquitto's texts name the tool; midge's name midge_x. */
export function renamed(text: string, tool: Tool): string {
  return text.replaceAll(`mosquitto_${tool}`, `midge_${tool}`);
}

export interface Broker {
  port: number;
  /** Resolves once the broker log matches. */
  waitForLog(pattern: RegExp, ms?: number): Promise<void>;
  log(): string;
}

/**
 * One broker for the whole test file, logging everything. `extraConfig`
 * follows the default listener; `head` goes before it (global settings
 * such as per_listener_settings must come first).
 */
export function fileBroker(extraConfig = '', head = ''): Broker {
  let broker: RunningBroker | undefined;
  const rawConfig = (port: number) =>
    [head, 'log_type all', `listener ${port} 127.0.0.1`, 'allow_anonymous true']
      .concat(extraConfig, '')
      .join('\n');
  before(async () => {
    const kind = process.env.MIDGE_TOOLS_BROKER === 'midge' ? 'midge' : 'mosquitto';
    // Every listener, not just the first port: wait for the start-up line.
    // Not "Opening ... listen socket": both brokers log it before the
    // socket listens, and a client that connects then is refused.
    broker = await startBroker({ kind, rawConfig, noWait: true });
    // Generous: the test machines can be slow to start a Node broker.
    await broker.waitForOutput(/ version \S+ running/, 15_000);
  });
  after(() => broker?.stop('SIGKILL'));
  return {
    get port() {
      return broker?.port ?? 0;
    },
    log: () => broker?.output() ?? '',
    waitForLog: (pattern, ms = 10_000) => broker!.waitForOutput(pattern, ms),
  };
}

/** Runs `jobs` with at most `limit` at a time, keeping their order. */
export async function inParallel<T>(
  jobs: Array<() => Promise<T>>,
  limit = 8,
): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}
