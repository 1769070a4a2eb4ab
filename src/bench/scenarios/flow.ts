/**
 * The engine behind every message-flow scenario: a topology of publishers
 * and subscribers is spread over the generator workers, run for a warm-up
 * and a measured window, then stopped and drained so that every message
 * is accounted for (delivered, lost, duplicated, out of order, misrouted).
 */
import { type QoS, topicMatches } from '../../protocol/index.js';
import type { CpuTimes } from '../brokers/proc.js';
import { Counter } from '../gen/counters.js';
import type { DrainReport, PublisherReport } from '../gen/protocol.js';
import type { PublisherSpec } from '../gen/publisher.js';
import { emptyIntegrity, type Integrity } from '../gen/seq-tracker.js';
import type { SubscriberReport, SubscriberSpec } from '../gen/subscriber.js';
import { Histogram } from '../hdr.js';
import type { LoadReport } from '../load-meter.js';
import { rateMeter, waitShowing } from './clock.js';
import type { Context } from './types.js';

export interface PublisherPlan {
  topics: string[];
  qos: QoS;
  payload: number;
  rate?: number;
  count?: number;
  retain?: boolean;
  /** Overrides the settings' window. */
  window?: number;
}

export interface SubscriberPlan {
  filters: string[];
  qos: QoS;
  latency?: boolean;
}

export interface Topology {
  publishers: PublisherPlan[];
  subscribers: SubscriberPlan[];
  /** Every client on worker 0: latency needs one clock. */
  oneWorker?: boolean;
  /** Persistent sessions (Clean Session 0) for every client. */
  persistent?: boolean;
  /** Seconds of warm-up instead of the settings' `warmup`. */
  warmup?: number;
}

export interface Window {
  seconds: number;
  load: LoadReport | undefined;
  delivered: number;
  sent: number;
  acked: number;
  brokerCpu: number;
  /** Of brokerCpu, the kernel's part. */
  brokerSystemCpu: number;
  generatorBusy: number;
}

interface Snapshot {
  at: number;
  delivered: number;
  sent: number;
  acked: number;
  cpu: CpuTimes;
}

export class Flow {
  readonly #ctx: Context;
  readonly #topo: Topology;
  readonly #pubs: PublisherSpec[];
  readonly #subs: SubscriberSpec[];
  /** Worker of each publisher and subscriber. */
  readonly #pubWorker: number[];
  readonly #subWorker: number[];
  peakRssKiB = 0;

  constructor(ctx: Context, topo: Topology) {
    this.#ctx = ctx;
    this.#topo = topo;
    const { prefix, settings } = ctx;
    const topics = topo.publishers.flatMap((p) => p.topics);
    let base = 0;
    this.#pubs = topo.publishers.map((p, i) => {
      const spec: PublisherSpec = {
        clientId: `${prefix}-pub${i}`,
        publisher: i,
        topics: p.topics,
        topicBase: base,
        qos: p.qos,
        payload: p.payload,
        retain: p.retain ?? false,
        window: p.window ?? settings.window,
        rate: p.rate ?? settings.publishRate,
        count: p.count ?? 0,
      };
      base += p.topics.length;
      return spec;
    });
    this.#subs = topo.subscribers.map((s, i) => ({
      clientId: `${prefix}-sub${i}`,
      filters: s.filters,
      qos: s.qos,
      latency: s.latency ?? false,
      topicMask: topics
        .map((t) => (s.filters.some((f) => topicMatches(f, t)) ? '1' : '0'))
        .join(''),
    }));
    const workers = topo.oneWorker ? 1 : ctx.pool.size;
    const n = this.#subs.length;
    this.#subWorker = this.#subs.map((_, i) => i % workers);
    this.#pubWorker = this.#pubs.map((_, i) => (n + i) % workers);
  }

  get workers(): number {
    return this.#topo.oneWorker ? 1 : this.#ctx.pool.size;
  }

  async open(subscribe = true): Promise<void> {
    const { pool, broker, settings } = this.#ctx;
    await pool.all(
      (w) => ({
        cmd: 'open',
        port: broker.port,
        version: settings.version,
        subscribe,
        clean: !this.#topo.persistent,
        publishers: this.#pubs.filter((_, i) => this.#pubWorker[i] === w),
        subscribers: this.#subs.filter((_, i) => this.#subWorker[i] === w),
      }),
      this.workers,
    );
  }

  /** Starts publishing, warms up, then measures one window. */
  async run(onWindow?: (on: boolean) => Promise<void>): Promise<Window> {
    const { pool, settings } = this.#ctx;
    const warmup = this.#warmup;
    await pool.all({ cmd: 'start' }, this.workers);
    await this.#wait('warm-up', warmup, 0);
    await onWindow?.(true);
    await pool.all({ cmd: 'elu' }, this.workers);
    const meter = this.#ctx.meter();
    meter.begin();
    const first = this.#snapshot();
    await this.#wait('measure', settings.duration, warmup);
    const last = this.#snapshot();
    const load = meter.end();
    const busy = await pool.all<number>({ cmd: 'elu' }, this.workers);
    await onWindow?.(false);
    const seconds = (last.at - first.at) / 1000;
    return {
      seconds,
      load,
      delivered: (last.delivered - first.delivered) / seconds,
      sent: (last.sent - first.sent) / seconds,
      acked: (last.acked - first.acked) / seconds,
      brokerCpu:
        (last.cpu.user + last.cpu.system - first.cpu.user - first.cpu.system) / seconds,
      brokerSystemCpu: (last.cpu.system - first.cpu.system) / seconds,
      generatorBusy: Math.max(...busy),
    };
  }

  /** Stops the publishers and waits for their QoS 1/2 flows to finish. */
  async stop(): Promise<PublisherReport[]> {
    this.#ctx.status('stop', 1);
    const timeoutMs = this.#ctx.settings.drainMs;
    const all = await this.#ctx.pool.all<PublisherReport[]>(
      { cmd: 'stop', timeoutMs },
      this.workers,
    );
    return all.flat();
  }

  /** Waits for the deliveries still due, then accounts for every message. */
  async drain(pubs: PublisherReport[]): Promise<FlowCheck> {
    this.#ctx.status('drain', 1);
    const expected = this.expected(pubs);
    const { drainMs, quietMs } = this.#ctx.settings;
    const reports = await this.#ctx.pool.all<DrainReport>(
      { cmd: 'drain', expected, quietMs, maxMs: drainMs },
      this.workers,
    );
    return check(pubs, reports, expected);
  }

  async close(): Promise<void> {
    await this.#ctx.pool.all({ cmd: 'close' }, this.workers);
  }

  /** Deliveries each subscriber should get, from what was really sent. */
  expected(pubs: PublisherReport[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const sub of this.#subs) {
      let n = 0;
      for (const report of pubs) {
        const spec = this.#pubs[report.publisher]!;
        report.sentPerTopic.forEach((sent, t) => {
          if (sub.topicMask[spec.topicBase + t] === '1') n += sent;
        });
      }
      out[sub.clientId] = n;
    }
    return out;
  }

  #snapshot(): Snapshot {
    const { pool, broker } = this.#ctx;
    return {
      at: performance.now(),
      delivered: pool.total(Counter.Delivered),
      sent: pool.total(Counter.Sent),
      acked: pool.total(Counter.Acked),
      cpu: broker.cpuTimes(),
    };
  }

  get #warmup(): number {
    return this.#topo.warmup ?? this.#ctx.settings.warmup;
  }

  async #wait(phase: string, seconds: number, offset: number): Promise<void> {
    const { settings, broker, pool } = this.#ctx;
    const span = { offset, total: this.#warmup + settings.duration };
    const meter = rateMeter(() => pool.total(Counter.Delivered), 'msg/s');
    await waitShowing(this.#ctx, phase, seconds, span, () => {
      this.peakRssKiB = Math.max(this.peakRssKiB, broker.rssKiB() || 0);
      return meter();
    });
  }
}

export interface FlowCheck {
  integrity: Integrity;
  subscribers: SubscriberReport[];
  histogram: Histogram | null;
  errors: string[];
}

function check(
  pubs: PublisherReport[],
  reports: DrainReport[],
  expected: Record<string, number>,
): FlowCheck {
  const integrity = emptyIntegrity();
  const subscribers = reports.flatMap((r) => r.subscribers);
  const errors = new Set<string>();
  for (const p of pubs) {
    if (p.error) errors.add(`${p.clientId}: ${p.error}`);
    if (p.strayAcks > 0) errors.add(`${p.clientId}: ${p.strayAcks} acks for unknown ids`);
  }
  for (const s of subscribers) {
    const distinct = Object.values(s.distinct).reduce((a, b) => a + b, 0);
    const want = expected[s.clientId] ?? 0;
    integrity.expected += want;
    integrity.delivered += distinct;
    integrity.lost += Math.max(0, want - (distinct - s.unexpected));
    integrity.duplicates += s.duplicates;
    integrity.reordered += s.reordered;
    integrity.unexpected += s.unexpected;
    if (s.error) errors.add(`${s.clientId}: ${s.error}`);
  }
  let histogram: Histogram | null = null;
  for (const r of reports) {
    if (r.histogram === null) continue;
    const h = Histogram.fromJSON(r.histogram);
    if (histogram === null) histogram = h;
    else histogram.merge(h);
  }
  return { integrity, subscribers, histogram, errors: [...errors] };
}
