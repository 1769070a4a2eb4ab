/** What a scenario is, what it is given and what it gives back. */

import type { ProtocolVersion } from '../../protocol/index.js';
import type { BrokerProcess } from '../brokers/broker-process.js';
import type { BrokerFeatures } from '../brokers/brokers.js';
import type { GeneratorPool } from '../gen/pool.js';
import type { Integrity } from '../gen/seq-tracker.js';
import type { LoadMeter, LoadReport } from '../load-meter.js';

export interface Settings {
  /** Seconds measured per scenario and broker. */
  duration: number;
  /** Seconds of load before measuring starts. */
  warmup: number;
  /**
   * The same for the latency scenarios, whose fixed rate brings the broker
   * far fewer messages per second of warm-up than an open-loop flow.
   */
  latencyWarmup: number;
  /** Idle connections for the memory scenario. */
  idle: number;
  /** Messages per second in the latency scenarios. */
  rate: number;
  /**
   * Messages per second per publisher in the throughput scenarios;
   * 0 = open loop, as fast as the broker takes them.
   */
  publishRate: number;
  /** Unacknowledged QoS 1/2 messages per publisher. */
  window: number;
  /** N in fan-in, fan-out and pairs. */
  fan: number;
  /** Retained messages in the retained storm, and its subscribers. */
  retained: number;
  retainedSubscribers: number;
  /** Connections being set up at once in the connection storm. */
  stormConcurrency: number;
  version: ProtocolVersion;
  /** Longest wait for deliveries after publishers stop, in ms. */
  drainMs: number;
  /** A drain ends early after this long without a delivery, in ms. */
  quietMs: number;
  /** Pause before reading the broker's memory, in ms. */
  settleMs: number;
}

export type Better = 'higher' | 'lower';

export interface Figure {
  metric: string;
  unit: string;
  better: Better;
  /** null: not measured; `note` says why (never a made-up number). */
  value: number | null;
  note?: string;
  /** Shown with its ratios, but no target applies to it. */
  informational?: boolean;
}

export interface Outcome {
  figures: Figure[];
  integrity?: Integrity;
  /** Broker CPU use over the window, 1 = one core busy. */
  brokerCpu?: number;
  /** Of brokerCpu, the time spent in the kernel (throughput flows). */
  brokerSystemCpu?: number;
  /** The broker ran on a core of its own, so brokerCpu is at most 1. */
  brokerPinned?: boolean;
  /** Busiest generator worker's event-loop use over the window (0-1). */
  generatorBusy?: number;
  /** Highest broker RSS seen during the run, KiB. */
  brokerPeakRssKiB?: number;
  /** CPU other processes took during the window (shared machine). */
  load?: LoadReport;
  extra?: Record<string, number | string | null>;
  errors: string[];
}

export type Kind = 'throughput' | 'latency' | 'memory' | 'connections' | 'persistence';

export interface Context {
  broker: BrokerProcess;
  pool: GeneratorPool;
  settings: Settings;
  /** Unique per run: prefix of topics and client ids. */
  prefix: string;
  /** A meter of other processes' CPU use, for the measuring window. */
  meter(): LoadMeter;
  /** Shows a status line; `fraction` of the run done. */
  status(phase: string, fraction: number, detail?: string): void;
}

export interface Scenario {
  id: string;
  title: string;
  kind: Kind;
  features: BrokerFeatures;
  /** The figures this scenario yields, for n/a rows when it cannot run. */
  figures: Omit<Figure, 'value'>[];
  run(ctx: Context): Promise<Outcome>;
}
