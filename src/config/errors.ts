/**
 * A configuration error that stops start-up or a reload. The message is
 * `<file>:<line>: <reason>` so it reads like a compiler error and the
 * fields let callers cite or test the parts.
 */
export class ConfigError extends Error {
  readonly file: string;
  /** 0 when the error is about the file as a whole (cannot open it). */
  readonly line: number;
  readonly reason: string;

  constructor(file: string, line: number, reason: string) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
    this.name = 'ConfigError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}
