#!/usr/bin/env node
/**
 * midge_pub: publishes one message (-m, -f, -s, -n), possibly several times
 * (--repeat), or one message per line of stdin (-l), then disconnects.
 * Options, messages and exit statuses are mosquitto_pub's.
 */
import type { MqttClient } from '../client/index.js';
import { type ClientConfig, helpText, PubMode } from './client-options/index.js';
import { stdinLines } from './client-options/inputs.js';
import { MosqErr, strerror } from './client-options/mosquitto-strings.js';
import {
  disconnectOptions,
  loadMessage,
  Publisher,
  type PublishOutcome,
} from './client-options/sender.js';
import {
  connectClient,
  createClient,
  errPrintf,
  exit,
  runTool,
  scheduleExit,
  startTool,
  writeErr,
  writeOut,
} from './client-options/tool-runtime.js';
import { version } from './version.js';

/** Publishes not yet done before -l stops reading stdin for a while. */
const lineWindow = 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function publishRepeated(cfg: ClientConfig, publisher: Publisher, payload: Buffer) {
  for (let i = 0; i < cfg.repeatCount; i++) {
    // The delay runs from the end of one publish to the start of the next.
    if (i > 0 && cfg.repeatDelayUs > 0) await sleep(cfg.repeatDelayUs / 1000);
    const outcome = await publisher.publish(payload);
    if (outcome !== 'sent') return outcome;
  }
  return 'sent';
}

async function publishLines(
  cfg: ClientConfig,
  publisher: Publisher,
): Promise<PublishOutcome> {
  let pending = 0;
  let wake: (() => void) | undefined;
  let outcome: PublishOutcome = 'sent';
  const settle = (result: PublishOutcome) => {
    pending--;
    if (result !== 'sent') outcome = result;
    if (wake && pending < lineWindow / 2) wake();
  };
  const ending = { unterminated: false };
  for await (const line of stdinLines(process.stdin, ending)) {
    if (outcome !== 'sent') break;
    pending++;
    // mosquitto_pub -l at QoS 0 ignores the failure of a last line that
    // has no newline: an oversize one is dropped without a word, status 0.
    const forgiven = ending.unterminated && cfg.qos === 0;
    void publisher.publish(line).then((result) => {
      settle(forgiven && result === 'oversize' ? 'sent' : result);
    });
    if (pending >= lineWindow) await new Promise<void>((r) => (wake = r));
    wake = undefined;
  }
  while (pending > 0) await new Promise<void>((r) => (wake = r));
  return outcome;
}

// LIMIT(compat): mosquitto_pub -l reconnects after a lost connection and
// goes on reading stdin (its network loop runs in a thread of its own);
// midge_pub -l stops as -m does, with status 7.
function watchLoss(cfg: ClientConfig, client: MqttClient): { finishing: boolean } {
  const state = { finishing: false };
  client.on('close', (error) => {
    if (state.finishing || error === undefined) return;
    errPrintf(cfg, `Error: ${strerror(MosqErr.ConnLost)}\n`);
    // Not exit(): its ExitSignal thrown from an event listener would be an
    // uncaught exception (a stack trace and status 1). The publishing loop
    // still running writes nothing from here on.
    scheduleExit(MosqErr.ConnLost);
  });
  return state;
}

async function main(): Promise<void> {
  const cfg = startTool('pub', process.argv.slice(2));
  const payload = await loadMessage(cfg);
  if (cfg.topic === undefined || cfg.pubMode === PubMode.None) {
    writeErr('Error: Both topic and message must be supplied.\n');
    writeOut(helpText('pub', version));
    exit(1);
  }
  const client = createClient(cfg);
  const refused = await connectClient(cfg, client);
  if (refused !== undefined) exit(refused);
  const loss = watchLoss(cfg, client);
  const publisher = new Publisher(cfg, client);
  const outcome =
    cfg.pubMode === PubMode.StdinLine
      ? await publishLines(cfg, publisher)
      : await publishRepeated(cfg, publisher, payload ?? Buffer.alloc(0));
  if (outcome === 'lost') return;
  if (outcome === 'oversize' && cfg.pubMode === PubMode.StdinLine) {
    // mosquitto_pub -l stops at such a line with the error and its status,
    // sending no DISCONNECT; -m and --repeat pass over it without a word.
    errPrintf(cfg, `Error: ${strerror(MosqErr.OversizePacket)}\n`);
    exit(MosqErr.OversizePacket);
  }
  loss.finishing = true;
  await client.disconnect(disconnectOptions(cfg));
  exit(0);
}

runTool(main);
