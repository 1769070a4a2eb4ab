/**
 * One request and its answer over MQTT, as mosquitto_ctrl does it:
 * connect, subscribe to the response topic, publish the request once the
 * subscription is granted, print the first answer, disconnect. An answer
 * that does not come within 10 seconds ends the tool quietly.
 *
 * Answers are broadcast to every subscriber of the response topic, so a
 * second administrator's answer could arrive first. midge_ctrl tags its
 * request with a random correlationData (which the broker echoes) and
 * skips answers tagged for someone else.
 *
 * Exit statuses follow mosquitto_ctrl: 0 once connected, whatever the
 * broker answered (a refused CONNECT included), else libmosquitto's error
 * number for the connection failure.
 */
import { randomBytes } from 'node:crypto';
import {
  ConnectionRefusedError,
  type Message,
  MqttClient,
  MqttError,
  PublishError,
  ReasonCode,
} from '../../client/index.js';
import { asObject, parseJson } from '../../dynsec/json.js';
import { errnoText } from '../../io/errno-text.js';
import { clientOptions, type SetupError } from '../client-options/client-setup.js';
import type { ClientConfig } from '../client-options/index.js';
import {
  connackString,
  MosqErr,
  reasonString,
  strerror,
} from '../client-options/mosquitto-strings.js';

export interface RequestIo {
  out(text: string): void;
  err(text: string): void;
}

export interface Exchange {
  requestTopic: string;
  responseTopic: string;
  /** The JSON command object; a correlationData is added to it. */
  command: Record<string, unknown>;
  /** Prints an answer. */
  print(payload: string): void;
  /** How long to wait for the answer (mosquitto_ctrl: 10 s). */
  timeoutMs?: number;
}

const lookupCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);

/** What mosquitto_ctrl prints for a failed connect, and its exit status. */
function connectFailure(cfg: ClientConfig, err: unknown, io: RequestIo): number {
  if (err instanceof ConnectionRefusedError) {
    const code = err.reasonCode ?? 0;
    let text = cfg.protocolVersion === 5 ? reasonString(code) : connackString(code);
    if (cfg.protocolVersion === 5 && code === ReasonCode.UnsupportedProtocolVersion) {
      text += '. Try connecting to an MQTT v5 broker, or use MQTT v3.x mode';
    }
    if (!cfg.quiet) io.err(`Connection error: ${text}\n`);
    return 0;
  }
  if (!(err instanceof MqttError)) throw err;
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  if (err.code === 'CONNECT_FAILED' && cause !== undefined && !lookupCodes.has(cause)) {
    io.err(`Error: ${errnoText(cause) ?? err.message}\n`);
    return MosqErr.Errno;
  }
  const code =
    err.code === 'TLS_FAILED'
      ? MosqErr.Tls
      : err.code === 'PROXY_FAILED'
        ? MosqErr.Proxy
        : err.code === 'CONNECT_FAILED' || err.code === 'SRV_LOOKUP_FAILED'
          ? MosqErr.Eai
          : MosqErr.ConnLost;
  io.err(`Unable to connect (${strerror(code)}).\n`);
  return code;
}

/** True if the answer is ours: tagged with our id, or not tagged at all. */
function isOurs(payload: Buffer, tag: string): boolean {
  const tree = parseJson(payload.toString('utf8'));
  const responses = asObject(tree)?.get('responses');
  const first = Array.isArray(responses) ? asObject(responses[0]) : undefined;
  const correlation = first?.get('correlationData');
  return correlation === undefined || correlation === tag;
}

/** Runs the exchange; resolves with the exit status. */
export async function runExchange(
  cfg: ClientConfig,
  exchange: Exchange,
  io: RequestIo,
): Promise<number> {
  let client: MqttClient;
  try {
    client = new MqttClient(clientOptions(cfg));
  } catch (err) {
    if ((err as SetupError).name !== 'SetupError') throw err;
    io.err((err as SetupError).text);
    return 1;
  }
  try {
    await client.connect();
  } catch (err) {
    return connectFailure(cfg, err, io);
  }
  const tag = randomBytes(8).toString('hex');
  await new Promise<void>((resolve) => {
    client.on('message', (message: Message) => {
      if (message.topic !== exchange.responseTopic || !isOurs(message.payload, tag))
        return;
      exchange.print(message.payload.toString('utf8'));
      resolve();
    });
    // A lost connection will bring no answer.
    client.on('close', () => resolve());
    setTimeout(resolve, exchange.timeoutMs ?? 10_000).unref();
    send(cfg, client, exchange, tag, io).then(
      (stopped) => stopped && resolve(),
      () => resolve(),
    );
  });
  await client.disconnect().catch(() => {});
  return 0;
}

/**
 * Subscribes, then publishes the request. Resolves with true if the
 * subscription or the publish was refused: no answer will come.
 */
async function send(
  cfg: ClientConfig,
  client: MqttClient,
  exchange: Exchange,
  tag: string,
  io: RequestIo,
): Promise<boolean> {
  const granted = await client.subscribe(exchange.responseTopic, { qos: cfg.qos });
  const code = granted.granted[0]?.reasonCode ?? ReasonCode.UnspecifiedError;
  if (code >= ReasonCode.UnspecifiedError) {
    const why = cfg.protocolVersion === 5 ? reasonString(code) : 'Subscription refused.';
    io.err(`Subscribe error: ${why}\n`);
    return true;
  }
  const payload = JSON.stringify({
    commands: [{ ...exchange.command, correlationData: tag }],
  });
  try {
    await client.publish(exchange.requestTopic, payload, { qos: cfg.qos });
  } catch (err) {
    // A lost connection (an administrator who took away their own
    // rights is disconnected) ends the tool quietly, as in mosquitto_ctrl.
    if (!(err instanceof PublishError) || err.reasonCode === undefined) return true;
    io.err(`Publish error: ${reasonString(err.reasonCode)}\n`);
    return true;
  }
  return false;
}
