/**
 * Starts a broker process for black-box tests: midge from dist/ (run
 * `npm run build` first; `npm test` does) or, with
 * MIDGE_TEST_BROKER=mosquitto, Debian's mosquitto, so a suite can be checked
 * against the reference broker. The broker listens on a free port of
 * 127.0.0.1 chosen here; the caller adds any other configuration lines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const midgeBin = new URL('../../dist/cli/midge.js', import.meta.url).pathname;
export const useMosquitto = process.env.MIDGE_TEST_BROKER === 'mosquitto';

export type BrokerKind = 'midge' | 'mosquitto';

export interface RunningBroker {
  port: number;
  /** Folder for the config file and anything else the test writes. */
  dir: string;
  process: ChildProcess;
  /** Everything the broker wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output contains `text` (rejects after `ms`). */
  waitForOutput(text: string | RegExp, ms?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  /** Extra mosquitto.conf lines after `listener PORT 127.0.0.1`. */
  config?: string;
  /** Replace the whole config (then `port` is still free for use). */
  rawConfig?: (port: number) => string;
  /** Extra command-line flags; `-c file` is always given. */
  args?: string[];
  /** Do not wait for the port to accept connections. */
  noWait?: boolean;
  /** Which broker; by default midge, or mosquitto under MIDGE_TEST_BROKER. */
  kind?: BrokerKind;
  /** A port of the caller's instead of a free one, e.g. to start again there. */
  port?: number;
  /** Files written into the broker's folder first (names relative to it). */
  files?: Record<string, string | Buffer>;
}

/**
 * Ports this process has handed out. The system may give the same free
 * port to two calls in a row (each probe closes before the next), and a
 * test that asks for several ports for one broker then gets a config that
 * opens one port twice.
 */
const handedOut = new Set<number>();

export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const port = await probePort(host);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function probePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startBroker(options: StartOptions = {}): Promise<RunningBroker> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'midge-test-'));
  const config = options.rawConfig
    ? options.rawConfig(port)
    : `listener ${port} 127.0.0.1\nallow_anonymous true\n${options.config ?? ''}\n`;
  const files = { ...options.files, 'broker.conf': config };
  // Debian's mosquitto started as root reads its files as user "mosquitto".
  chmodSync(dir, 0o755);
  for (const [name, data] of Object.entries(files)) {
    writeFileSync(join(dir, name), data);
    chmodSync(join(dir, name), 0o644);
  }
  const args = ['-c', join(dir, 'broker.conf'), ...(options.args ?? [])];
  const kind = options.kind ?? (useMosquitto ? 'mosquitto' : 'midge');
  const child =
    kind === 'mosquitto'
      ? spawn('mosquitto', args, { cwd: dir })
      : spawn(process.execPath, [midgeBin, ...args], { cwd: dir });
  const { output, waitForOutput } = watchOutput(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const broker: RunningBroker = {
    port,
    dir,
    process: child,
    output,
    waitForOutput,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
  if (options.noWait) return broker;
  try {
    await waitForPort(port, child, output);
    // The first port can open before the others: when the broker logs to
    // us, its "running" line says every listener is open.
    if (output().includes(' starting'))
      await waitForOutput(/ version \S+ running/, 10_000);
  } catch (error) {
    await broker.stop('SIGKILL');
    throw error;
  }
  return broker;
}

/** Collects what a broker process prints and waits for a given line. */
export function watchOutput(child: ChildProcess): {
  output(): string;
  waitForOutput(match: string | RegExp, ms?: number): Promise<void>;
} {
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const waitForOutput = (match: string | RegExp, ms = 5000): Promise<void> => {
    const found = () =>
      typeof match === 'string' ? text.includes(match) : match.test(text);
    if (found()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`broker output never showed ${match}; it was:\n${text}`));
      }, ms);
      const check = () => {
        if (!found()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
    });
  };
  return { output: () => text, waitForOutput };
}

/** Resolves once 127.0.0.1:port takes connections; rejects if `child` exits. */
export async function waitForPort(
  port: number,
  child: ChildProcess,
  output: () => string,
) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`broker exited with ${child.exitCode}:\n${output()}`);
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`broker did not listen on ${port}:\n${output()}`);
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
