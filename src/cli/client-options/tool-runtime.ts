/**
 * What the three tools share at run time: reading the options (and
 * answering --help, --version and bad options as Mosquitto does), writing
 * to stdout and stderr, exiting once the output is out, and opening the
 * client with Mosquitto's messages and exit statuses for each failure.
 */
import {
  ConnectionRefusedError,
  MqttClient,
  MqttError,
  ReasonCode,
} from '../../client/index.js';
import { errnoText } from '../../io/errno-text.js';
import { version } from '../version.js';
import { clientOptions, type SetupError } from './client-setup.js';
import type { ClientConfig, ToolKind } from './config.js';
import { traceClient } from './debug-log.js';
import { helpText, toolName, versionLine } from './help-text.js';
import { loadConfig } from './load-config.js';
import { connackString, MosqErr, reasonString, strerror } from './mosquitto-strings.js';

let exiting = false;

export function writeOut(data: string | Buffer): void {
  if (!exiting) process.stdout.write(data);
}

export function writeErr(data: string): void {
  if (data !== '' && !exiting) process.stderr.write(data);
}

/** Writes `text` to stderr unless --quiet (Mosquitto's err_printf). */
export function errPrintf(cfg: ClientConfig, text: string): void {
  if (!cfg.quiet) writeErr(text);
}

/**
 * Ends the process with `code` once stdout and stderr have taken what was
 * written; nothing written after this call comes out.
 */
export function scheduleExit(code: number): void {
  if (exiting) return;
  exiting = true;
  let pending = 2;
  const done = () => {
    pending--;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/** scheduleExit(), then unwinds the caller (caught by runTool). */
export function exit(code: number): never {
  scheduleExit(code);
  throw new ExitSignal(code);
}

/** Thrown by exit() to stop the code that called it. */
export class ExitSignal extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function usageHint(tool: ToolKind): string {
  return `\nUse '${toolName(tool)} --help' to see usage.\n`;
}

/** The configuration, or the process ends as Mosquitto's tool would. */
export function startTool(tool: ToolKind, argv: string[]): ClientConfig {
  const result = loadConfig(tool, argv);
  switch (result.kind) {
    case 'ok':
      return result.config;
    case 'help':
      writeOut(helpText(tool, version));
      return exit(1);
    case 'version':
      writeOut(`${versionLine(tool, version)}\n`);
      return exit(1);
    case 'error':
      writeErr(result.text + usageHint(tool));
      return exit(1);
  }
}

export interface Failure {
  text: string;
  code: number;
}

const lookupCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
/** How a TLS handshake fails when the other end does not speak TLS. */
const notTlsPeer = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
]);

function causeCode(err: MqttError): string | undefined {
  const cause = (err as { cause?: { code?: string } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** How a failure to connect (other than a CONNACK refusal) is reported. */
export function transportFailure(err: unknown): Failure {
  if (!(err instanceof MqttError)) throw err;
  const lost = { text: `Error: ${strerror(MosqErr.ConnLost)}\n`, code: MosqErr.ConnLost };
  switch (err.code) {
    case 'CONNECT_FAILED': {
      const code = causeCode(err);
      if (code !== undefined && lookupCodes.has(code)) {
        return { text: `Unable to connect (${strerror(MosqErr.Eai)}).\n`, code: 1 };
      }
      return { text: `Error: ${errnoText(code) ?? err.message}\n`, code: 1 };
    }
    case 'SRV_LOOKUP_FAILED':
      return { text: `Unable to connect (${strerror(MosqErr.Eai)}).\n`, code: 1 };
    case 'TLS_FAILED':
      // A TLS server that refuses the handshake (certificate, PSK) fails
      // while libmosquitto connects; a peer that is no TLS server at all
      // fails later, in its loop. Mosquitto words the two differently.
      if (!notTlsPeer.has(causeCode(err) ?? '')) {
        return { text: `Unable to connect (${strerror(MosqErr.Tls)}).\n`, code: 1 };
      }
      return { text: `Error: ${strerror(MosqErr.Tls)}\n`, code: MosqErr.Tls };
    case 'PROXY_FAILED':
      return { text: `Error: ${strerror(MosqErr.Proxy)}\n`, code: MosqErr.Proxy };
    case 'PROTOCOL_VIOLATION':
      return { text: `Error: ${strerror(MosqErr.Protocol)}\n`, code: MosqErr.Protocol };
    case 'INVALID_OPTION':
      return { text: `Error: ${err.message}.\n`, code: 1 };
    default:
      return lost;
  }
}

/** "Connection error: ..." for a refused CONNECT, worded per tool and version. */
export function refusalText(cfg: ClientConfig, err: ConnectionRefusedError): string {
  const code = err.reasonCode ?? 0;
  if (cfg.tool === 'rr') return `Connection error: ${reasonString(code)}\n`;
  if (cfg.protocolVersion !== 5) return `Connection error: ${connackString(code)}\n`;
  if (code === ReasonCode.UnsupportedProtocolVersion) {
    return (
      `Connection error: ${reasonString(code)}. Try connecting to an MQTT v5 broker, ` +
      'or use MQTT v3.x mode.\n'
    );
  }
  return `Connection error: ${reasonString(code)}\n`;
}

/** The client for `cfg`, traced with -d; exits on a setup problem. */
export function createClient(cfg: ClientConfig, reconnect = false): MqttClient {
  let client: MqttClient;
  try {
    const options = clientOptions(cfg);
    if (reconnect) {
      // libmosquitto's loop retries every second, for ever.
      options.reconnect = { initialDelay: 1000, maxDelay: 1000, factor: 1, jitter: 0 };
      options.resubscribe = false;
    }
    client = new MqttClient(options);
  } catch (err) {
    if ((err as SetupError).name === 'SetupError') {
      errPrintf(cfg, (err as SetupError).text);
      return exit(1);
    }
    const failure = transportFailure(err);
    errPrintf(cfg, failure.text);
    return exit(failure.code);
  }
  // Mosquitto prints the packet trace with -d even under --quiet.
  if (cfg.debug) traceClient(client, writeOut);
  return client;
}

/**
 * Connects; on a refusal or a transport failure prints what Mosquitto
 * prints and returns the exit status to use, else undefined.
 */
export async function connectClient(
  cfg: ClientConfig,
  client: MqttClient,
): Promise<number | undefined> {
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    if (err instanceof ConnectionRefusedError) {
      errPrintf(cfg, refusalText(cfg, err));
      const code = err.reasonCode ?? 1;
      if (cfg.tool === 'pub') {
        const rc = cfg.protocolVersion === 5 ? MosqErr.Protocol : MosqErr.ConnRefused;
        errPrintf(cfg, `Error: ${strerror(rc)}\n`);
      }
      return code;
    }
    const failure = transportFailure(err);
    errPrintf(cfg, failure.text);
    return failure.code;
  }
}

/** A tool that -W (cfg.timeout) can stop: midge_sub, midge_rr. */
export interface Waiter {
  /** Set once the tool stopped because -W's time was up. */
  readonly timedOut: boolean;
  /** -W's time is up. */
  timeOut(): void;
}

/**
 * How midge_sub and midge_rr end: connect, then wait until the client has
 * ended, calling `tool.timeOut()` once -W's seconds have passed. Exits with
 * Mosquitto's "Timed out" status if the tool timed out, else with 0.
 */
export async function connectAndWait(
  cfg: ClientConfig,
  client: MqttClient,
  tool: Waiter,
): Promise<never> {
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  const timer =
    cfg.timeout > 0 ? setTimeout(() => tool.timeOut(), cfg.timeout * 1000) : undefined;
  const refused = await connectClient(cfg, client);
  if (refused !== undefined) exit(refused);
  await ended;
  if (timer) clearTimeout(timer);
  if (tool.timedOut) {
    errPrintf(cfg, 'Timed out\n');
    exit(MosqErr.Timeout);
  }
  exit(0);
}

/** Runs a tool's main, turning ExitSignal into a quiet stop. */
export function runTool(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ExitSignal) return;
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
