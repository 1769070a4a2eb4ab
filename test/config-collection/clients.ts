/**
 * Real clients for the collection's checks: Debian's mosquitto_sub and
 * mosquitto_pub (TCP, TLS, TLS-PSK, Unix socket) and MQTT.js (websockets).
 * Every client has a time limit, and is killed when the test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import mqtt, { type IClientOptions } from 'mqtt';

export interface Subscriber {
  /** The lines mosquitto_sub printed for the messages (`-v`: topic payload). */
  messages: Promise<string[]>;
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Starts `mosquitto_sub -v -C count ARGS` and resolves once the broker has
 * acknowledged the subscription (seen through `-d`), so a publish made
 * afterwards cannot be missed.
 */
export function subscribe(
  t: TestContext,
  args: string[],
  count = 1,
): Promise<Subscriber> {
  // Line-buffered: its SUBACK line must arrive while it waits for messages.
  const child = spawn('stdbuf', [
    '-oL',
    'mosquitto_sub',
    '-d',
    '-v',
    '-C',
    `${count}`,
    '-W',
    '10',
    ...args,
  ]);
  t.after(() => kill(child));
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => (err += chunk));
  const messages = new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => {
      const lines = out.split('\n').filter((line) => line !== '' && !isDebug(line));
      if (code === 0) resolve(lines);
      else reject(new Error(`mosquitto_sub exited with ${code}: ${err}\n${out}`));
    });
  });
  // Without this, a rejection before anyone awaits `messages` is unhandled.
  messages.catch(() => {});
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (/Subscribed \(mid: \d+\): (0|1|2)\b/.test(out)) resolve({ messages });
    });
    messages.then(
      () => reject(new Error(`mosquitto_sub ended before its SUBACK:\n${out}`)),
      reject,
    );
  });
}

function isDebug(line: string): boolean {
  return line.startsWith('Client ') || line.startsWith('Subscribed (mid');
}

/** Runs mosquitto_pub with ARGS; rejects unless it exits with 0. */
export function publish(t: TestContext, args: string[]): Promise<void> {
  const child = spawn('mosquitto_pub', args);
  t.after(() => kill(child));
  let err = '';
  child.stderr.on('data', (chunk) => (err += chunk));
  child.stdout.on('data', (chunk) => (err += chunk));
  const timer = setTimeout(() => kill(child), 10_000);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(new Error(`mosquitto_pub ${args.join(' ')} exited with ${code}: ${err}`));
    });
  });
}

/** Command-line words written as one string (no word has a space). */
export function words(text: string): string[] {
  return text.split(' ');
}

/** Host and port arguments for a TCP listener of 127.0.0.1. */
export function at(port: number): string[] {
  return ['-h', '127.0.0.1', '-p', `${port}`];
}

export interface Watcher {
  /** Every message so far, as [topic, payload]. */
  seen: Array<[string, string]>;
  /** Resolves once `done(seen)` holds (rejects after `ms`). */
  until(done: (seen: Array<[string, string]>) => boolean, ms?: number): Promise<void>;
}

/** An MQTT.js client watching `topics` on `url`, ended when the test ends. */
export async function watch(
  t: TestContext,
  url: string,
  topics: string[],
  options: IClientOptions = {},
): Promise<Watcher> {
  const client = await mqtt.connectAsync(url, {
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
  t.after(() => client.endAsync(true));
  const seen: Array<[string, string]> = [];
  const wakers = new Set<() => void>();
  client.on('message', (topic, payload) => {
    seen.push([topic, payload.toString()]);
    for (const wake of wakers) wake();
  });
  await client.subscribeAsync(topics, { qos: 1 });
  const until = (done: (seen: Array<[string, string]>) => boolean, ms = 8000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done(seen)) return;
        clearTimeout(timer);
        wakers.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        wakers.delete(check);
        reject(new Error(`never saw the messages; saw ${JSON.stringify(seen)}`));
      }, ms);
      wakers.add(check);
      check();
    });
  return { seen, until };
}
