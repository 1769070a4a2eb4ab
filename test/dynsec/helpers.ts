/**
 * For the dynamic-security session tests: midge_ctrl run in this process
 * with its output captured, and MQTT clients that say what happened to
 * them (refused, connected, disconnected) instead of throwing.
 */
import type { TestContext } from 'node:test';
import { runCtrl } from '../../src/cli/ctrl/main.js';
import {
  type ClientOptions,
  ConnectionRefusedError,
  type Message,
  MqttClient,
} from '../../src/client/index.js';

export interface CtrlRun {
  code: number;
  out: string;
  err: string;
}

/** The warning every request without TLS starts its stderr with. */
const warning = /^Warning: midge_ctrl is not using TLS[^\n]*\n[^\n]*\n\n/;

/**
 * midge_ctrl with `args`; `input` lines answer its prompts. stderr comes
 * back without the no-TLS warning.
 */
export async function ctrl(args: string[], input: string[] = []): Promise<CtrlRun> {
  let out = '';
  let err = '';
  const lines = [...input];
  const code = await runCtrl(
    args,
    {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
      readLine: async () => lines.shift(),
    },
    {},
  );
  return { code, out, err: err.replace(warning, '') };
}

/** midge_ctrl's connection options for a broker on 127.0.0.1. */
export function as(port: number, username = 'admin', password = 'adminpw'): string[] {
  return ['-h', '127.0.0.1', '-p', String(port), '-u', username, '-P', password];
}

export interface TestClient {
  client: MqttClient;
  messages: Message[];
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
}

/** A connected client, or the CONNACK reason code that refused it. */
export async function login(
  t: TestContext,
  port: number,
  options: ClientOptions,
): Promise<TestClient | number> {
  const client = new MqttClient({
    host: '127.0.0.1',
    port,
    protocolVersion: 5,
    reconnect: false,
    ...options,
  });
  const messages: Message[] = [];
  client.on('message', (m) => messages.push(m));
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  try {
    await client.connect();
  } catch (error) {
    if (error instanceof ConnectionRefusedError) return error.reasonCode ?? -1;
    throw error;
  }
  t.after(() => client.end().catch(() => {}));
  return { client, messages, closed };
}

/** The client, or a test failure naming the refusal. */
export async function mustLogin(
  t: TestContext,
  port: number,
  options: ClientOptions,
): Promise<TestClient> {
  const result = await login(t, port, options);
  if (typeof result === 'number') throw new Error(`login refused: ${result}`);
  return result;
}

/** Lets in-flight messages arrive before checking that one did not. */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or a rejection once `ms` have passed. */
export function within<T>(promise: Promise<T>, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing happened within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
