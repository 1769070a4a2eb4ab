/**
 * Side-by-side runs of Debian's mosquitto_pub/_sub/_rr and midge's
 * midge_pub/_sub/_rr (from dist/: run `npm run build` first; `npm test`
 * does). Every run is given `-h 127.0.0.1 -p PORT` of a broker started
 * here, a time limit, and is killed at teardown if still running.
 *
 * The broker is Debian's mosquitto (the reference for what the tools see);
 * MIDGE_TOOLS_BROKER=midge runs the same tests against midge's broker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { freePort, midgeBin } from '../helpers/broker.js';

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
  let child: ChildProcess | undefined;
  let dir = '';
  let port = 0;
  let text = '';
  const waiters = new Set<() => void>();
  before(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'midge-tools-broker-'));
    const conf = join(dir, 'broker.conf');
    writeFileSync(
      conf,
      [
        head,
        'log_type all',
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        extraConfig,
      ]
        .join('\n')
        .concat('\n'),
    );
    const useMidge = process.env.MIDGE_TOOLS_BROKER === 'midge';
    child = useMidge
      ? spawn(process.execPath, [midgeBin, '-c', conf])
      : spawn('mosquitto', ['-c', conf]);
    const onData = (d: Buffer) => {
      text += d.toString();
      for (const wake of waiters) wake();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    // Generous: the test machines can be slow to start a Node broker.
    await waitFor(
      () => /running|listen socket/i.test(text),
      15_000,
      () => text,
    );
  });
  after(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get port() {
      return port;
    },
    log: () => text,
    waitForLog(pattern, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(text)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`broker log never matched ${pattern}:\n${text.slice(-2000)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
  };
}

async function waitFor(test: () => boolean, ms: number, show: () => string) {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`broker did not start:\n${show()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
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
