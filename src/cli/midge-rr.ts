#!/usr/bin/env node
/**
 * midge_rr: request/response. Subscribes to the response topic (-e), then
 * publishes the request to -t with, in MQTT 5, that topic as its Response
 * Topic (plus any -D publish correlation-data), prints the first response
 * and exits. Like mosquitto_rr it then closes the connection without
 * DISCONNECT. Options, output, messages and exit statuses are mosquitto_rr's.
 */
import type { Message, MqttClient, SubscribeResult } from '../client/index.js';
import { ReasonCode } from '../protocol/index.js';
import type { ClientConfig } from './client-options/index.js';
import { reasonString } from './client-options/mosquitto-strings.js';
import {
  onMessageInMosquittoOrder,
  showMessage,
  subscribeOptions,
} from './client-options/receiver.js';
import { disconnectOptions, loadMessage, Publisher } from './client-options/sender.js';
import {
  connectAndWait,
  createClient,
  errPrintf,
  exit,
  runTool,
  startTool,
  usageHint,
  type Waiter,
  writeErr,
} from './client-options/tool-runtime.js';

class Requester implements Waiter {
  processMessages = true;
  timedOut = false;
  #closing = false;

  constructor(
    readonly cfg: ClientConfig,
    readonly client: MqttClient,
    readonly publisher: Publisher,
    readonly payload: Buffer,
  ) {}

  onConnect(): void {
    this.client
      .subscribe(this.cfg.responseTopic!, subscribeOptions(this.cfg))
      .then((r) => this.#onSuback(r))
      .catch(() => {});
  }

  #onSuback(result: SubscribeResult): void {
    const code = result.granted[0]?.reasonCode ?? ReasonCode.UnspecifiedError;
    if (code < ReasonCode.UnspecifiedError) {
      void this.publisher.publish(this.payload);
      return;
    }
    errPrintf(this.cfg, `${reasonString(code)}\n`);
    this.close(true);
  }

  onMessage(message: Message): void {
    if (!this.processMessages) return;
    if (message.retain && this.cfg.noRetain) return;
    showMessage(this.cfg, message);
    this.processMessages = false;
    this.close(false);
  }

  /** -W: gives up waiting, telling the broker to send the will. */
  timeOut(): void {
    this.timedOut = true;
    this.processMessages = false;
    this.close(true, ReasonCode.DisconnectWithWill);
  }

  /** Ends with DISCONNECT (`polite`) or, after a response, by just closing. */
  close(polite: boolean, reasonCode?: number): void {
    if (this.#closing) return;
    this.#closing = true;
    const done = polite
      ? this.client.disconnect(disconnectOptions(this.cfg, reasonCode))
      : this.client.end();
    done.catch(() => {});
  }
}

function checkRequest(cfg: ClientConfig): void {
  if (cfg.topic === undefined || cfg.responseTopic === undefined || cfg.pubMode === 0) {
    writeErr('Error: All of topic, message, and response topic must be supplied.\n');
    writeErr(usageHint('rr'));
    exit(1);
  }
  if (cfg.properties.publish.some((p) => p.name === 'response-topic')) {
    errPrintf(cfg, 'Error in PUBLISH properties: Duplicate response topic.\n');
    exit(1);
  }
}

async function main(): Promise<void> {
  const cfg = startTool('rr', process.argv.slice(2));
  const payload = await loadMessage(cfg);
  checkRequest(cfg);
  const client = createClient(cfg);
  const publisher = new Publisher(cfg, client, { responseTopic: cfg.responseTopic! });
  const rr = new Requester(cfg, client, publisher, payload ?? Buffer.alloc(0));
  client.on('connect', () => rr.onConnect());
  onMessageInMosquittoOrder(client, (m) => rr.onMessage(m));
  await connectAndWait(cfg, client, rr);
}

runTool(main);
