/**
 * A loaded plugin with a fence around it. Every call into plugin code goes
 * through `call`, which turns what can go wrong into FAILED and a log
 * line: an exception, a rejected Promise, a Promise where an answer was
 * needed at once, an answer of the wrong kind, or no answer in time. The
 * caller then refuses whatever it was asking about, and the broker runs on.
 *
 * Answers that come at once stay synchronous here, so a plugin that
 * answers access checks without a Promise costs no Promise per message.
 */
import { type Logger, LogType } from '../log/log-types.js';
import type { MidgePlugin } from './types.js';

/** What `call` returns when the plugin failed; the failure is logged. */
export const FAILED: unique symbol = Symbol('plugin failed');
export type Outcome<T> = T | typeof FAILED;

/** Handlers that must answer at once; the others may return a Promise. */
export type SyncEvent = 'aclCheck' | 'message' | 'subscribe' | 'pskKey';

export interface HostOptions {
  /** Name for log lines. */
  name: string;
  /** The configured path (or built-in name). */
  path: string;
  /** auth_plugin_deny_special_chars for this plugin. */
  denySpecialChars: boolean;
  /** How long an async handler may take, in milliseconds. */
  timeoutMs: number;
  log: Logger;
}

export class HostedPlugin {
  readonly plugin: MidgePlugin;
  readonly name: string;
  readonly path: string;
  readonly denySpecialChars: boolean;
  readonly #timeoutMs: number;
  readonly #log: Logger;

  constructor(plugin: MidgePlugin, options: HostOptions) {
    this.plugin = plugin;
    this.name = options.name;
    this.path = options.path;
    this.denySpecialChars = options.denySpecialChars;
    this.#timeoutMs = options.timeoutMs;
    this.#log = options.log;
  }

  /**
   * Runs one handler. `check` says whether an answer is acceptable; a
   * synchronous event must not answer with a Promise.
   */
  call<T>(
    event: string,
    run: () => T | Promise<T>,
    check: (value: unknown) => value is T,
    sync: boolean,
  ): Outcome<T> | Promise<Outcome<T>> {
    let value: T | Promise<T>;
    try {
      value = run();
    } catch (error) {
      return this.#failed(event, error);
    }
    if (!(value instanceof Promise)) return this.#checked(event, value, check);
    if (sync) {
      value.catch(() => {});
      return this.#failed(event, 'returned a Promise where an answer is needed at once');
    }
    return this.#settle(event, value).then((v) =>
      v === FAILED ? FAILED : this.#checked(event, v, check),
    );
  }

  /** Runs a handler whose answer does not matter (notifications). */
  notify(event: string, run: () => unknown): void {
    let value: unknown;
    try {
      value = run();
    } catch (error) {
      this.#failed(event, error);
      return;
    }
    if (value instanceof Promise) value.catch((error) => this.#failed(event, error));
  }

  /** Logs a failure of this plugin; returns FAILED for the caller. */
  fail(event: string, why: unknown): typeof FAILED {
    return this.#failed(event, why);
  }

  #checked<T>(event: string, value: unknown, check: (v: unknown) => v is T): Outcome<T> {
    if (check(value)) return value;
    return this.#failed(event, `gave an answer it may not give: ${describe(value)}`);
  }

  #settle<T>(event: string, promise: Promise<T>): Promise<Outcome<T>> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve(this.#failed(event, `gave no answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      timer.unref();
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error) => {
          clearTimeout(timer);
          resolve(this.#failed(event, error));
        },
      );
    });
  }

  #failed(event: string, why: unknown): typeof FAILED {
    if (this.#log.mask & LogType.Error) {
      const text = why instanceof Error ? why.message : String(why);
      this.#log.write(LogType.Error, `Error: plugin ${this.name}: ${event}: ${text}`);
    }
    return FAILED;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.slice(0, 40)}'`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
