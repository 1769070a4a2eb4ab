/**
 * Helpers for the client library's tests against a real broker (midge, or
 * Mosquitto with MIDGE_TEST_BROKER=mosquitto).
 */
import type { TestContext } from 'node:test';
import { type ClientOptions, type Message, MqttClient } from '../../src/client/index.js';
import { Arrivals } from '../helpers/arrivals.js';

/** A connected client on 127.0.0.1:`port`, ended when the test ends. */
export async function open(
  t: TestContext,
  port: number,
  options: ClientOptions = {},
): Promise<MqttClient> {
  const client = new MqttClient({ host: '127.0.0.1', port, ...options });
  t.after(() => client.end());
  await client.connect();
  return client;
}

/** Collects messages; `next()` waits for the next one not yet taken. */
export class Inbox {
  readonly #arrivals = new Arrivals<Message>('message');
  readonly messages = this.#arrivals.items;

  constructor(client: MqttClient) {
    client.on('message', (m) => {
      // Payloads are views into socket chunks: copy what is kept.
      this.#arrivals.push({ ...m, payload: Buffer.from(m.payload) });
    });
  }

  next(ms = 2000): Promise<Message> {
    return this.#arrivals.next(ms);
  }

  /** Fails if a message arrives within `ms`. */
  async none(ms = 200): Promise<void> {
    const before = this.messages.length;
    await new Promise((r) => setTimeout(r, ms));
    if (this.messages.length > before) {
      throw new Error(`unexpected message on ${this.messages.at(-1)?.topic}`);
    }
  }
}
