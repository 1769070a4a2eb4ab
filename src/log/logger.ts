/**
 * The broker's logger: Mosquitto's line format ("<timestamp>: <message>")
 * written to the configured destinations. Log types that are off cost one
 * bit test at the call site (see LogType).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { type Logger, LogType } from './log-types.js';
import { strftime } from './strftime.js';
import { SyslogWriter } from './syslog.js';

export type LogDestination =
  | { kind: 'stderr' }
  | { kind: 'stdout' }
  | { kind: 'file'; path: string }
  | { kind: 'topic' }
  | { kind: 'syslog'; facility: number | null }
  | { kind: 'none' };

const MAX_MESSAGE = 1000;

/** Publishes a log line on $SYS/broker/log/...; set once the broker exists. */
export type TopicSink = (topic: string, line: string) => void;

/** The $SYS/broker/log/ subtopic per log type; debug never goes to topics. */
const topicOfType = new Map<LogType, string>([
  [LogType.Error, 'E'],
  [LogType.Warning, 'W'],
  [LogType.Notice, 'N'],
  [LogType.Information, 'I'],
  [LogType.Subscribe, 'M/subscribe'],
  [LogType.Unsubscribe, 'M/unsubscribe'],
  [LogType.Websockets, 'WS'],
]);

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
  #toTopic = false;
  #syslog: SyslogWriter | undefined;
  #topicSink: TopicSink | undefined;
  #inSink = false;

  constructor(options: LoggerOptions) {
    this.#options = options;
    this.mask = options.mask;
    this.#open();
  }

  write(type: LogType, message: string): void {
    if ((this.mask & type) === 0) return;
    // Client-supplied ids and topics can be 64 KiB; like Mosquitto, a log
    // record stops at a thousand characters.
    if (message.length > MAX_MESSAGE) message = message.slice(0, MAX_MESSAGE);
    const stamped = `${this.#stamp()}${message}`;
    const line = `${stamped}\n`;
    for (const fd of this.#fds) {
      try {
        writeSync(fd, line);
      } catch {
        // A full disk or a closed pipe must not take the broker down.
      }
    }
    // syslog stamps its records itself.
    this.#syslog?.write(type, message);
    if (this.#toTopic) this.#publish(type, stamped);
  }

  /** Where `log_dest topic` lines go; the broker is made after the logger. */
  setTopicSink(sink: TopicSink): void {
    this.#topicSink = sink;
  }

  #publish(type: LogType, line: string): void {
    const subtopic = topicOfType.get(type);
    // Publishing may itself log; those lines stay off the topics.
    if (subtopic === undefined || !this.#topicSink || this.#inSink) return;
    this.#inSink = true;
    try {
      this.#topicSink(`$SYS/broker/log/${subtopic}`, line);
    } finally {
      this.#inSink = false;
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
    this.#syslog?.close();
    this.#syslog = undefined;
  }

  #open(): void {
    this.#toTopic = false;
    for (const dest of this.#options.destinations) {
      if (dest.kind === 'topic') this.#toTopic = true;
      if (dest.kind === 'syslog') this.#syslog = new SyslogWriter(dest.facility);
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
    return `${strftime(pattern, now)}: `;
  }
}

/** Mosquitto's default log types: error, warning, notice, information. */
export const defaultLogMask =
  LogType.Error | LogType.Warning | LogType.Notice | LogType.Information;
