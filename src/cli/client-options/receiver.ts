/**
 * Receiving side of midge_sub and midge_rr: subscription options from the
 * command line, and printing a message with -F / -v / -N / --pretty /
 * --random-filter, errors of %J going to stderr.
 */
import type { Message, MqttClient, SubscribeOptions } from '../../client/index.js';
import { PacketType } from '../../protocol/index.js';
import { type OutputMessage, printMessage } from '../output/index.js';
import { toProperties } from './client-setup.js';
import type { ClientConfig } from './config.js';
import { errPrintf, writeOut } from './tool-runtime.js';

/** -q, -R (retain handling "never" in MQTT 5), --retain-as-published, -D subscribe. */
export function subscribeOptions(cfg: ClientConfig): SubscribeOptions {
  const options: SubscribeOptions = { qos: cfg.qos };
  if (cfg.protocolVersion === 5) {
    if (cfg.noRetain) options.retainHandling = 2;
    if (cfg.retainAsPublished) options.retainAsPublished = true;
    const properties = toProperties(cfg.properties.subscribe);
    if (properties) options.properties = properties;
  }
  return options;
}

export function outputMessage(message: Message): OutputMessage {
  const out: OutputMessage = {
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    mid: message.packetId ?? 0,
  };
  if (message.properties) out.properties = message.properties;
  return out;
}

/** Prints `message` as the options ask; returns false if stdout has failed. */
export function showMessage(cfg: ClientConfig, message: Message): void {
  const bytes = printMessage(outputMessage(message), {
    verbose: cfg.verbose,
    eol: cfg.eol,
    pretty: cfg.pretty,
    randomFilter: cfg.randomFilter,
    onError: (text) => errPrintf(cfg, text),
    ...(cfg.format !== undefined ? { format: cfg.format } : {}),
  });
  if (bytes) writeOut(bytes);
}

/** Calls `onFailure` once if stdout breaks (a closed pipe), as ferror() would show. */
export function watchStdout(onFailure: () => void): void {
  let failed = false;
  process.stdout.on('error', () => {
    if (failed) return;
    failed = true;
    onFailure();
  });
}

/** Signals that end the tool: SIGINT and SIGTERM, as mosquitto_sub handles them. */
export function onStopSignals(client: MqttClient, stop: () => void): void {
  const handler = () => stop();
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  client.once('end', () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  });
}

/**
 * Hands messages on in libmosquitto's order: QoS 0 as it arrives, QoS 1
 * once its PUBACK is sent, QoS 2 once its PUBCOMP is sent (midge's client
 * library hands each over on arrival, before acknowledging it). Output
 * order, -d traces included, then matches mosquitto_sub's when messages
 * of different QoS interleave.
 */
export function onMessageInMosquittoOrder(
  client: MqttClient,
  deliver: (message: Message) => void,
): void {
  const held = new Map<number, Message>();
  client.on('message', (message) => {
    if (message.qos === 0 || message.packetId === undefined) deliver(message);
    else held.set(message.packetId, message);
  });
  client.on('packetsend', (packet) => {
    const ack = packet.type === PacketType.Puback || packet.type === PacketType.Pubcomp;
    if (!ack) return;
    const message = held.get(packet.packetId);
    if (!message) return;
    held.delete(packet.packetId);
    deliver(message);
  });
}
