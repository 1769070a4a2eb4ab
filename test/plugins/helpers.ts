/**
 * Helpers for plugin tests: plugins registered as built-ins (so a test can
 * keep state in closures and load them with `plugin builtin:<name>`), and
 * CONNACK codes from a raw client.
 */
import type { TestContext } from 'node:test';
import type { MidgePlugin, PluginFactory } from '../../src/plugins/index.js';
import { registerBuiltinPlugin } from '../../src/plugins/index.js';
import { createPasswordHash, formatPasswordHash } from '../../src/security/index.js';
import { RawClient, type SessionOptions } from '../helpers/raw-client.js';

let counter = 0;

/** A fresh name, for client ids and plugins. */
export function fresh(prefix: string): string {
  return `${prefix}${++counter}`;
}

/** Registers a built-in and returns the config line that loads it. */
export function pluginLine(factory: PluginFactory | MidgePlugin): string {
  const name = fresh('test-plugin-');
  registerBuiltinPlugin(name, typeof factory === 'function' ? factory : () => factory);
  return `plugin builtin:${name}`;
}

/** A password file line made the way midge_passwd makes it. */
export function passwordLine(user: string, password: string): string {
  return `${user}:${formatPasswordHash(createPasswordHash(password))}\n`;
}

export function login(username?: string, password?: string): SessionOptions {
  return {
    username,
    password: password === undefined ? undefined : Buffer.from(password),
  };
}

/** The CONNACK code (3.x return code or 5.0 reason code) for a CONNECT. */
export async function connackCode(
  t: TestContext,
  port: number,
  options: SessionOptions,
): Promise<number | undefined> {
  const c = await RawClient.session(t, port, {
    clientId: fresh('c'),
    ...options,
    mustSucceed: false,
  });
  return c.connack?.reasonCode ?? c.connack?.returnCode;
}
