/**
 * A broker under test as a child process: written config, optional CPU
 * pinning through taskset, output captured to a log file, and a start that
 * waits until the listener accepts connections.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { BrokerDef, LaunchSettings } from './brokers.js';
import { type CpuTimes, cpuSeconds, cpuTimes, rssKiB } from './proc.js';

const startTimeoutMs = 15_000;
const stopTimeoutMs = 10_000;

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Brokers started and not yet exited: a signal to the bench stops them. */
const live = new Set<ChildProcess>();

/** Sends SIGTERM to every broker still running. */
export function stopLiveBrokers(): void {
  for (const child of live) child.kill('SIGTERM');
}

export class BrokerProcess {
  readonly def: BrokerDef;
  readonly port: number;
  readonly logPath: string;
  readonly #child: ChildProcess;
  #exited: Promise<void>;
  #spawnError: string | null = null;
  exitCode: number | null = null;

  private constructor(def: BrokerDef, settings: LaunchSettings, cpu: string | null) {
    this.def = def;
    this.port = settings.port;
    mkdirSync(settings.dir, { recursive: true });
    const plan = def.plan(settings);
    if (plan.config) writeFileSync(plan.config.path, plan.config.text);
    this.logPath = `${settings.dir}/${def.name}.log`;
    const log = openSync(this.logPath, 'a');
    const [command, args] =
      cpu === null
        ? [plan.command, plan.args]
        : ['taskset', ['-c', cpu, plan.command, ...plan.args]];
    // taskset execs the broker, so the child's pid is the broker's pid.
    this.#child = spawn(command, args, {
      stdio: ['ignore', log, log],
      cwd: settings.dir,
    });
    closeSync(log);
    const child = this.#child;
    live.add(child);
    this.#exited = new Promise((resolve) => {
      child.once('close', () => live.delete(child));
      this.#child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : 0);
        resolve();
      });
      // A broker that cannot be run at all (not executable, gone) gives
      // 'error' and no 'exit': the start reports it rather than crash.
      this.#child.once('error', (error) => {
        if (this.exitCode !== null) return;
        this.#spawnError = error.message;
        this.exitCode = 127;
        resolve();
      });
    });
  }

  static async start(
    def: BrokerDef,
    settings: LaunchSettings,
    cpu: string | null,
  ): Promise<BrokerProcess> {
    const broker = new BrokerProcess(def, settings, cpu);
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (broker.exitCode !== null) break;
      if (await accepts(settings.port)) return broker;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await broker.stop();
    throw new Error(`${def.name} did not start: ${broker.logTail()}`);
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitCode === null;
  }

  rssKiB(): number {
    return rssKiB(this.pid);
  }

  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  cpuTimes(): CpuTimes {
    return cpuTimes(this.pid);
  }

  /**
   * The broker's last words for an error message: the last line naming an
   * error (a crash's stack trace ends far from it), else the last lines.
   */
  logTail(lines = 3): string {
    if (this.#spawnError !== null) return this.#spawnError;
    try {
      const text = readFileSync(this.logPath, 'utf8').trimEnd().split('\n');
      const error = text.filter((line) => /\b\w*Error\b/.test(line)).pop();
      return error?.trim() ?? (text.slice(-lines).join(' | ') || '(no output)');
    } catch {
      return '(no output)';
    }
  }

  /** SIGTERM, then SIGKILL if it lingers (a CPU profile needs a moment). */
  async stop(): Promise<void> {
    if (this.exitCode !== null) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), stopTimeoutMs);
    await this.#exited;
    clearTimeout(timer);
  }
}
