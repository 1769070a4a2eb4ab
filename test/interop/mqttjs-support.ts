/**
 * Small helpers for driving MQTT.js clients in tests: open a client whose
 * teardown is registered at once, and an inbox that records every message
 * so a test can wait for "n messages" or check that nothing more came.
 */
import type { TestContext } from 'node:test';
import mqtt, {
  type IClientOptions,
  type IConnackPacket,
  type IPublishPacket,
  type MqttClient,
} from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  packet: IPublishPacket;
}

export class Inbox {
  readonly messages: Received[] = [];
  #wake = new Set<() => void>();

  constructor(client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const { qos, retain } = packet;
      this.messages.push({ topic, payload: payload.toString(), qos, retain, packet });
      for (const wake of this.#wake) wake();
    });
  }

  /** Resolves with all messages once at least `count` arrived. */
  take(count: number, ms = 3000): Promise<Received[]> {
    if (this.messages.length >= count) return Promise.resolve([...this.messages]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wake.delete(check);
        reject(
          new Error(`expected ${count} messages in ${ms} ms, got ${this.describe()}`),
        );
      }, ms);
      const check = () => {
        if (this.messages.length < count) return;
        clearTimeout(timer);
        this.#wake.delete(check);
        resolve([...this.messages]);
      };
      this.#wake.add(check);
    });
  }

  /** Waits `ms` and returns everything received: for "nothing more" checks. */
  async settle(ms = 300): Promise<Received[]> {
    await new Promise((r) => setTimeout(r, ms));
    return [...this.messages];
  }

  describe(): string {
    const list = this.messages.map((m) => `${m.topic}=${m.payload}@${m.qos}`);
    return `[${list.join(', ')}]`;
  }
}

export interface OpenClient {
  client: MqttClient;
  connack: IConnackPacket;
  inbox: Inbox;
}

/**
 * Connects an MQTT.js client to 127.0.0.1:port without automatic
 * reconnection (a test decides when to reconnect). The inbox listens before
 * CONNACK, so messages a resumed session delivers at once are not missed.
 */
export function open(
  t: TestContext,
  port: number,
  options: IClientOptions = {},
): Promise<OpenClient> {
  const client = mqtt.connect({
    host: '127.0.0.1',
    port,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
  t.after(() => client.endAsync(true));
  const inbox = new Inbox(client);
  return new Promise((resolve, reject) => {
    client.once('connect', (connack) => resolve({ client, connack, inbox }));
    client.once('error', reject);
    client.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
}

/** Drops the TCP connection without DISCONNECT, as a crash would. */
export function kill(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    client.once('close', () => resolve());
    client.stream.destroy();
  });
}
