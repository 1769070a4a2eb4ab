/**
 * `log_dest syslog`. Node has no syslog client and cannot open the Unix
 * datagram socket /dev/log, so lines go through one long-lived `logger`
 * process (util-linux), each prefixed with its syslog priority.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { LogType } from './log-types.js';

/** `daemon`, the facility Mosquitto uses unless log_facility is set. */
const DAEMON = 3;
/** log_facility N means localN. */
const LOCAL0 = 16;

const severity = new Map<LogType, number>([
  [LogType.Error, 3],
  [LogType.Warning, 4],
  [LogType.Notice, 5],
  [LogType.Information, 6],
  [LogType.Debug, 7],
  [LogType.Subscribe, 5],
  [LogType.Unsubscribe, 5],
  [LogType.Websockets, 7],
]);

export class SyslogWriter {
  #child: ChildProcess | undefined;
  readonly #facility: number;

  /** `facility`: log_facility 0-7 (local0-7), or null for daemon. */
  constructor(facility: number | null, socket = process.env.MIDGE_SYSLOG_SOCKET) {
    this.#facility = facility === null ? DAEMON : LOCAL0 + facility;
    const args = ['--prio-prefix', '-t', 'midge', ...(socket ? ['-u', socket] : [])];
    const child = spawn('logger', args, { stdio: ['pipe', 'ignore', 'ignore'] });
    // A host without `logger` or a syslog socket loses these lines only.
    child.on('error', () => {
      this.#child = undefined;
    });
    child.stdin?.on('error', () => {});
    this.#child = child;
  }

  write(type: LogType, message: string): void {
    const priority = this.#facility * 8 + (severity.get(type) ?? 6);
    // One line per record: a newline inside a message would split it.
    this.#child?.stdin?.write(`<${priority}>${message.replaceAll('\n', ' ')}\n`);
  }

  close(): void {
    this.#child?.stdin?.end();
    this.#child = undefined;
  }
}
