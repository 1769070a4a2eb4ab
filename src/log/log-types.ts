/**
 * Log types as mosquitto.conf's `log_type` names them. A logger's `mask`
 * holds the enabled types, so a caller checks one bit before building a
 * message: `if (log.mask & LogType.Debug) log.write(LogType.Debug, ...)`.
 */
export enum LogType {
  None = 0,
  Information = 0x01,
  Notice = 0x02,
  Warning = 0x04,
  Error = 0x08,
  Debug = 0x10,
  Subscribe = 0x20,
  Unsubscribe = 0x40,
  Websockets = 0x80,
  All = 0xff,
}

export interface Logger {
  /** Bitwise OR of the enabled LogType values. */
  readonly mask: number;
  write(type: LogType, message: string): void;
}

/** A logger that drops everything: for tests and embedding. */
export const silentLogger: Logger = { mask: LogType.None, write() {} };
