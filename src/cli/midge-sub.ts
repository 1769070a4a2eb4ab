#!/usr/bin/env node
/**
 * midge_sub: subscribes to topic filters and prints the messages that
 * arrive, until -C messages, -W seconds, -E (subscriptions acknowledged),
 * --retained-only's first fresh message, SIGINT or SIGTERM. A lost
 * connection is retried every second, as mosquitto_sub's loop does.
 * Options, output, messages and exit statuses are mosquitto_sub's.
 */
import type { Message, MqttClient, SubscribeResult } from '../client/index.js';
import { ReasonCode, topicMatches } from '../protocol/index.js';
import { toProperties } from './client-options/client-setup.js';
import type { ClientConfig } from './client-options/index.js';
import {
  onMessageInMosquittoOrder,
  onStopSignals,
  showMessage,
  subscribeOptions,
  watchStdout,
} from './client-options/receiver.js';
import { disconnectOptions } from './client-options/sender.js';
import {
  connectAndWait,
  createClient,
  errPrintf,
  exit,
  runTool,
  scheduleExit,
  startTool,
  type Waiter,
  writeErr,
  writeOut,
} from './client-options/tool-runtime.js';

class Subscriber implements Waiter {
  processMessages = true;
  connackReceived = false;
  timedOut = false;
  #count = 0;
  /** Retained-message removals still waiting for their PUBACK. */
  #removals = 0;
  #disconnecting = false;

  constructor(
    readonly cfg: ClientConfig,
    readonly client: MqttClient,
  ) {}

  onConnect(): void {
    this.connackReceived = true;
    const { cfg, client } = this;
    // An empty filter passes the option check; the library refuses it and,
    // as with mosquitto_sub, nothing else happens.
    client
      .subscribe(cfg.topics, subscribeOptions(cfg))
      .then((r) => this.#onSuback(r))
      .catch(() => {});
    const properties =
      cfg.protocolVersion === 5 ? toProperties(cfg.properties.unsubscribe) : undefined;
    for (const topic of cfg.unsubTopics) {
      client.unsubscribe(topic, properties ? { properties } : {}).catch(() => {});
    }
  }

  #onSuback(result: SubscribeResult): void {
    const codes = result.granted.map((g) => g.reasonCode);
    if (this.cfg.debug && !this.cfg.quiet) {
      writeOut(`Subscribed (mid: ${result.packetId}): ${codes.join(', ')}\n`);
    }
    if (codes.every((code) => code >= ReasonCode.UnspecifiedError)) {
      this.disconnect();
      errPrintf(this.cfg, 'All subscription requests were denied.\n');
    }
    if (this.cfg.exitAfterSub) this.disconnect();
  }

  onMessage(message: Message): void {
    const { cfg } = this;
    if (!this.processMessages) return;
    if (cfg.retainedOnly && !message.retain) {
      this.processMessages = false;
      if (this.#removals === 0) this.disconnect();
      return;
    }
    if (message.retain && cfg.noRetain) return;
    if (cfg.filterOuts.some((filter) => topicMatches(filter, message.topic))) return;
    if (cfg.removeRetained && message.retain) this.#removeRetained(message.topic);
    showMessage(cfg, message);
    if (cfg.msgCount > 0 && ++this.#count === cfg.msgCount) {
      this.processMessages = false;
      if (this.#removals === 0) this.disconnect();
    }
  }

  #removeRetained(topic: string): void {
    this.#removals++;
    const done = () => {
      this.#removals--;
      if (!this.processMessages && this.#removals === 0) this.disconnect();
    };
    this.client.publish(topic, null, { qos: 1, retain: true }).then(done, done);
  }

  disconnect(reasonCode?: number): void {
    if (this.#disconnecting) return;
    this.#disconnecting = true;
    this.client.disconnect(disconnectOptions(this.cfg, reasonCode)).catch(() => {});
  }

  timeOut(): void {
    this.stop(true);
  }

  /** -W, SIGINT, SIGTERM: stop, telling the broker to send the will. */
  stop(timedOut: boolean): void {
    if (!this.connackReceived) {
      // Before CONNACK Mosquitto's tool exits at once, with status 255.
      scheduleExit(255);
      return;
    }
    this.timedOut ||= timedOut;
    this.processMessages = false;
    this.disconnect(ReasonCode.DisconnectWithWill);
  }
}

async function main(): Promise<void> {
  const cfg = startTool('sub', process.argv.slice(2));
  if (cfg.noRetain && cfg.retainedOnly) {
    writeErr("\nError: Combining '-R' and '--retained-only' makes no sense.\n");
    exit(1);
  }
  const client = createClient(cfg, true);
  const sub = new Subscriber(cfg, client);
  client.on('connect', () => sub.onConnect());
  onMessageInMosquittoOrder(client, (m) => sub.onMessage(m));
  watchStdout(() => sub.disconnect());
  onStopSignals(client, () => sub.stop(false));
  await connectAndWait(cfg, client, sub);
}

runTool(main);
