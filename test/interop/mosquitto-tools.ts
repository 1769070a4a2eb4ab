/**
 * Runs Debian's mosquitto_pub and mosquitto_sub against a test broker port:
 * always with `-h 127.0.0.1 -p PORT`, always with a time limit, and always
 * killed at teardown if still running.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const stdbuf = ['/usr/bin/stdbuf', '/bin/stdbuf'].find((path) => existsSync(path));

/** Lines mosquitto_sub -d / mosquitto_pub -d print about packets, not messages. */
const debugLine = /^(Client \S+ (sending|received) [A-Z]+|Subscribed \(mid: )/;

export class Tool {
  readonly child: ReturnType<typeof spawn>;
  stdout = '';
  stderr = '';
  readonly done: Promise<ToolResult>;
  #wake = new Set<() => void>();
  #exited = false;
  #kill: () => void;

  constructor(
    t: TestContext,
    bin: string,
    port: number,
    args: string[],
    { ms, input }: { ms: number; input?: string },
  ) {
    const argv = [bin, '-h', '127.0.0.1', '-p', String(port), ...args];
    // Line-buffered stdout: a pipe would otherwise hold the -d lines that
    // tell when the SUBACK arrived until the tool exits.
    const [command, ...rest] = stdbuf ? [stdbuf, '-oL', ...argv] : argv;
    const stdin = input === undefined ? 'ignore' : 'pipe';
    const child = spawn(command, rest, { stdio: [stdin, 'pipe', 'pipe'] });
    // A tool may exit before reading all its input; its exit status says how
    // it went, so a broken pipe here is no error of its own.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
    this.#kill = () => {
      if (!this.#exited) child.kill('SIGKILL');
    };
    t.after(this.#kill);
    const timer = setTimeout(() => {
      this.stderr += `\n(${bin} killed after ${ms} ms)`;
      this.#kill();
    }, ms);
    const collect = (key: 'stdout' | 'stderr') => (chunk: Buffer) => {
      this[key] += chunk.toString();
      for (const wake of this.#wake) wake();
    };
    child.stdout?.on('data', collect('stdout'));
    child.stderr?.on('data', collect('stderr'));
    this.done = new Promise((resolve) => {
      child.once('close', (code) => {
        this.#exited = true;
        clearTimeout(timer);
        resolve({ code, stdout: this.stdout, stderr: this.stderr });
      });
    });
    this.child = child;
  }

  /** Resolves when stdout matches (rejects after `ms`). */
  waitFor(match: RegExp, ms = 3000): Promise<void> {
    if (match.test(this.stdout)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wake.delete(check);
        reject(new Error(`never printed ${match}:\n${this.stdout}\n${this.stderr}`));
      }, ms);
      const check = () => {
        if (!match.test(this.stdout)) return;
        clearTimeout(timer);
        this.#wake.delete(check);
        resolve();
      };
      this.#wake.add(check);
    });
  }

  /** Output lines that are messages (debug lines left out). */
  messages(): string[] {
    return messageLines(this.stdout);
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.#exited) this.child.kill(signal);
  }
}

export function messageLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line !== '' && !debugLine.test(line));
}

/** Runs mosquitto_pub to completion; `input` feeds -l / -s. */
export async function pub(
  t: TestContext,
  port: number,
  args: string[],
  input?: string,
): Promise<ToolResult> {
  return new Tool(t, 'mosquitto_pub', port, args, { ms: 5000, input }).done;
}

/**
 * Starts mosquitto_sub with -d and resolves once its SUBACK arrived, so a
 * publish made afterwards is sure to find the subscription. With
 * `ready: false` it resolves at once (a resumed session may deliver, and
 * -C end the tool, before any SUBACK).
 */
export async function sub(
  t: TestContext,
  port: number,
  args: string[],
  { ready = true, ms = 6000 } = {},
): Promise<Tool> {
  const tool = new Tool(t, 'mosquitto_sub', port, ['-d', ...args], { ms });
  if (ready) await tool.waitFor(/received SUBACK/);
  return tool;
}
