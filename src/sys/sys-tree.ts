/**
 * The $SYS tree: broker figures published as retained messages every
 * `sys_interval` seconds. A value is re-sent only when it changed, except
 * the uptime; the version is sent once at start. Load figures are
 * exponentially decayed per-minute rates over 1, 5 and 15 minutes.
 */
import type { Broker } from '../broker/index.js';
import type { BrokerStats } from '../broker/stats.js';
import type { QoS } from '../protocol/index.js';

/** Broker-published messages go out at QoS 2 and retained, as Mosquitto's do. */
const SYS_QOS: QoS = 2;

type Counter = (stats: BrokerStats) => number;

/** Figures published as plain integers. */
const gauges: Array<[topic: string, read: Counter]> = [
  ['clients/total', (s) => s.clientsTotal],
  ['clients/maximum', (s) => s.clientsMaximum],
  ['clients/connected', (s) => s.clientsConnected],
  ['clients/active', (s) => s.clientsConnected],
  ['clients/disconnected', (s) => s.clientsTotal - s.clientsConnected],
  ['clients/inactive', (s) => s.clientsTotal - s.clientsConnected],
  ['clients/expired', (s) => s.clientsExpired],
  ['messages/stored', (s) => s.messagesStored],
  ['store/messages/count', (s) => s.messagesStored],
  ['store/messages/bytes', (s) => s.messagesStoredBytes],
  ['subscriptions/count', (s) => s.subscriptionsCount],
  ['shared_subscriptions/count', (s) => s.sharedSubscriptionsCount],
  ['retained messages/count', (s) => s.retainedCount],
  ['messages/received', (s) => s.messagesReceived],
  ['messages/sent', (s) => s.messagesSent],
  ['publish/messages/received', (s) => s.publishReceived],
  ['publish/messages/sent', (s) => s.publishSent],
  ['publish/messages/dropped', (s) => s.publishDropped],
  ['bytes/received', (s) => s.bytesReceived],
  ['bytes/sent', (s) => s.bytesSent],
  ['publish/bytes/received', (s) => s.publishBytesReceived],
  ['publish/bytes/sent', (s) => s.publishBytesSent],
];

/** Counters whose rates make the load figures. */
const loads: Array<[name: string, read: Counter]> = [
  ['messages/received', (s) => s.messagesReceived],
  ['messages/sent', (s) => s.messagesSent],
  ['publish/dropped', (s) => s.publishDropped],
  ['publish/received', (s) => s.publishReceived],
  ['publish/sent', (s) => s.publishSent],
  ['bytes/received', (s) => s.bytesReceived],
  ['bytes/sent', (s) => s.bytesSent],
  ['sockets', (s) => s.socketsAccepted],
  ['connections', (s) => s.connectPackets],
];

const windows: Array<[suffix: string, seconds: number]> = [
  ['1min', 60],
  ['5min', 300],
  ['15min', 900],
];

interface LoadState {
  lastCount: number;
  /** Decayed rate per window, and what was last published for it. */
  rates: number[];
  published: Array<number | undefined>;
}

export class SysTree {
  readonly #broker: Broker;
  #intervalMs: number;
  readonly #version: string;
  readonly #started = Date.now();
  readonly #last = new Map<string, string>();
  readonly #loads: LoadState[];
  #lastUpdate = Date.now();
  #heapMaximum = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `interval` in seconds; 0 disables the tree entirely. */
  constructor(broker: Broker, interval: number, version: string) {
    this.#broker = broker;
    this.#intervalMs = interval * 1000;
    this.#version = version;
    this.#loads = loads.map(([, read]) => ({
      lastCount: read(broker.stats),
      rates: windows.map(() => 0),
      published: windows.map(() => undefined),
    }));
  }

  start(): void {
    if (this.#intervalMs <= 0) return;
    this.#publish('version', `midge version ${this.#version}`);
    this.update();
    this.#timer = setInterval(() => this.update(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A reloaded `sys_interval`; 0 stops the tree. */
  setInterval(seconds: number): void {
    if (seconds * 1000 === this.#intervalMs) return;
    const wasRunning = this.#timer !== undefined;
    this.stop();
    this.#intervalMs = seconds * 1000;
    if (seconds <= 0) return;
    if (!wasRunning) this.#publish('version', `midge version ${this.#version}`);
    this.#timer = setInterval(() => this.update(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Publishes what changed since the last update; uptime always. */
  update(now = Date.now()): void {
    const stats = this.#broker.stats;
    const uptime = Math.floor((now - this.#started) / 1000);
    this.#publish('uptime', `${uptime} seconds`, true);
    for (const [topic, read] of gauges) this.#publish(topic, String(read(stats)));
    const heap = process.memoryUsage().heapUsed;
    this.#heapMaximum = Math.max(this.#heapMaximum, heap);
    this.#publish('heap/current', String(heap));
    this.#publish('heap/maximum', String(this.#heapMaximum));
    this.#updateLoads(stats, (now - this.#lastUpdate) / 1000);
    this.#lastUpdate = now;
  }

  #updateLoads(stats: BrokerStats, elapsed: number): void {
    if (elapsed <= 0) return;
    loads.forEach(([name, read], i) => {
      const state = this.#loads[i]!;
      const count = read(stats);
      const rate = ((count - state.lastCount) * 60) / elapsed;
      state.lastCount = count;
      windows.forEach(([suffix, seconds], w) => {
        const decayed = rate + Math.exp(-elapsed / seconds) * (state.rates[w]! - rate);
        state.rates[w] = decayed;
        const previous = state.published[w];
        if (previous !== undefined && Math.abs(decayed - previous) < 0.01) return;
        state.published[w] = decayed;
        this.#publish(`load/${name}/${suffix}`, decayed.toFixed(2), true);
      });
    });
  }

  #publish(topic: string, value: string, always = false): void {
    const full = `$SYS/broker/${topic}`;
    if (!always && this.#last.get(full) === value) return;
    this.#last.set(full, value);
    this.#broker.publish({
      topic: full,
      payload: Buffer.from(value),
      qos: SYS_QOS,
      retain: true,
    });
  }
}
