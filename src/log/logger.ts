/**
 * The broker's logger: Mosquitto's line format ("<timestamp>: <message>")
 * written to the configured destinations. Log types that are off cost one
 * bit test at the call site (see LogType).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { type Logger, LogType } from './log-types.js';
import { format } from './strftime.js';

export type LogDestination =
  | { kind: 'stderr' }
  | { kind: 'stdout' }
  | { kind: 'file'; path: string }
  | { kind: 'none' };

export interface LoggerOptions {
  mask: number;
  destinations: LogDestination[];
  /** Prefix each line with a timestamp. */
  timestamp: boolean;
  /** strftime pattern; unset means Unix epoch seconds, as Mosquitto does. */
  timestampFormat?: string;
}

/**
 * Writes synchronously, as Mosquitto does, so a line is never lost when
 * the process dies right after logging it.
 */
export class BrokerLogger implements Logger {
  mask: number;
  #options: LoggerOptions;
  #fds: number[] = [];
  #files: number[] = [];

  constructor(options: LoggerOptions) {
    this.#options = options;
    this.mask = options.mask;
    this.#open();
  }

  write(type: LogType, message: string): void {
    if ((this.mask & type) === 0) return;
    const line = `${this.#stamp()}${message}\n`;
    for (const fd of this.#fds) {
      try {
        writeSync(fd, line);
      } catch {
        // A full disk or a closed pipe must not take the broker down.
      }
    }
  }

  /** Reopens log files (SIGHUP), e.g. after logrotate moved them. */
  reopen(options: LoggerOptions = this.#options): void {
    this.close();
    this.#options = options;
    this.mask = options.mask;
    this.#open();
  }

  close(): void {
    for (const fd of this.#files) closeSync(fd);
    this.#files = [];
    this.#fds = [];
  }

  #open(): void {
    for (const dest of this.#options.destinations) {
      if (dest.kind === 'stderr') this.#fds.push(2);
      else if (dest.kind === 'stdout') this.#fds.push(1);
      else if (dest.kind === 'file') {
        const fd = openSync(dest.path, 'a');
        this.#files.push(fd);
        this.#fds.push(fd);
      }
    }
  }

  #stamp(): string {
    if (!this.#options.timestamp) return '';
    const now = new Date();
    const pattern = this.#options.timestampFormat;
    if (pattern === undefined) return `${Math.floor(now.getTime() / 1000)}: `;
    return `${format(pattern, now)}: `;
  }
}

/** Mosquitto's default log types: error, warning, notice, information. */
export const defaultLogMask =
  LogType.Error | LogType.Warning | LogType.Notice | LogType.Information;
