/**
 * A logger for tests that keeps every line it is given, so that a test can
 * assert on Mosquitto's wording or wait for a line to appear.
 */
import { type Logger, LogType } from '../../src/log/log-types.js';

export class CaptureLog implements Logger {
  readonly lines: string[] = [];
  /** When each line came (Date.now()), for `timed()`. */
  readonly times: number[] = [];
  #waiters = new Set<() => void>();

  /** `mask`: the log types to receive, all of them by default. */
  constructor(readonly mask: number = LogType.All) {}

  write(_type: LogType, message: string): void {
    this.lines.push(message);
    this.times.push(Date.now());
    for (const wake of [...this.#waiters]) wake();
  }

  text(): string {
    return this.lines.join('\n');
  }

  /** The lines, each after its milliseconds since the first one. */
  timed(): string {
    const start = this.times[0] ?? 0;
    return this.lines
      .map((line, i) => `+${(this.times[i] ?? 0) - start} ms ${line}`)
      .join('\n');
  }

  /** Resolves when a line matches; rejects after `ms` with the log. */
  waitFor(match: string | RegExp, ms = 5000): Promise<string> {
    const find = () =>
      this.lines.find((l) =>
        typeof match === 'string' ? l.includes(match) : match.test(l),
      );
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`log never showed ${match}; it was:\n${this.text()}`));
      }, ms);
      const check = () => {
        const line = find();
        if (line === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(line);
      };
      this.#waiters.add(check);
    });
  }

  /** How many lines match. */
  count(match: string | RegExp): number {
    return this.lines.filter((l) =>
      typeof match === 'string' ? l.includes(match) : match.test(l),
    ).length;
  }
}
